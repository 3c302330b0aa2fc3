import { describe, expect, it } from '@jest/globals';
import { USAGE_FLUSH_CHUNK, UsageBuffer } from '../../src/keyservice/usage-buffer.js';
import { openStore, type KeyStore } from '../../src/keyservice/store/index.js';
import { newSecret } from './store/backends.js';

async function storeWithKey(): Promise<{ store: KeyStore; accountId: string; keyId: string; versionId: string }> {
  const store = await openStore({ url: 'sqlite::memory:' });
  const account = await store.createAccount('acme');
  const created = await store.createKey({ accountId: account.id, name: 'k', environment: 'production', mode: 'live' }, newSecret().version);
  if (typeof created === 'string') throw new Error(created);
  return { store, accountId: account.id, keyId: created.key.id, versionId: created.version.id };
}

describe('usage buffer', () => {
  it('writes a batch larger than one chunk completely, the last chunk included', async () => {
    const { store, accountId, keyId, versionId } = await storeWithKey();
    try {
      const buffer = new UsageBuffer(store, (err) => {
        throw err;
      });
      // Versions the store does not know are skipped; the real one comes last, in the third chunk.
      for (let i = 0; i < 2 * USAGE_FLUSH_CHUNK + 7; i++) buffer.record(`kver_unknown_${i}`, 1_000 + i);
      buffer.record(versionId, 5_000);
      buffer.record(versionId, 4_000);
      await buffer.flush();
      expect(buffer.size).toBe(0);
      expect(await store.getKey(accountId, keyId)).toMatchObject({ usageCount: 2, lastUsedAt: 5_000 });
      const versions = await store.listVersions(accountId, keyId);
      if (versions === 'not_found') throw new Error('key not found');
      expect(versions[0]).toMatchObject({ usageCount: 2, lastUsedAt: 5_000 });
    } finally {
      await store.close();
    }
  });

  it('keeps the counts of a failed flush for the next one and reports the error', async () => {
    const { store, versionId } = await storeWithKey();
    const errors: unknown[] = [];
    const buffer = new UsageBuffer(store, (err) => errors.push(err));
    for (let i = 0; i < USAGE_FLUSH_CHUNK + 3; i++) buffer.record(`kver_unknown_${i}`, i);
    buffer.record(versionId, 9);
    await store.close();
    await buffer.flush();
    expect(errors).toHaveLength(1);
    expect(buffer.size).toBe(USAGE_FLUSH_CHUNK + 4);
  });

  it("writes in the store's own chunk size when it names one (a store that writes off the event loop)", async () => {
    const calls: number[] = [];
    const store = {
      usageFlushChunk: 1000,
      recordUsage: async (entries: readonly unknown[]) => void calls.push(entries.length),
      checkpoint: async () => undefined,
    };
    const buffer = new UsageBuffer(store, (err) => {
      throw err;
    });
    for (let i = 0; i < 2500; i++) buffer.record(`kver_${i}`, i);
    await buffer.flush();
    expect(calls).toEqual([1000, 1000, 500]);
  });
});
