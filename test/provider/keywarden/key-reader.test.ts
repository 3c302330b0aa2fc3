// KeyReader against a real key service: reads that pile up (a plan's refresh) are answered
// from one listing of the account's keys, with the same keys a GET gives; a key the listing
// misses, a failed listing and a change made since are read key by key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KeywardenClient, type ApiKey } from '../../../src/client/index.js';
import { KeyReader, type KeyReaderClient } from '../../../src/provider/keywarden/key-reader.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';

describe('KeyReader', () => {
  let service: InProcessService;
  let client: KeywardenClient;
  const ids: string[] = [];

  beforeAll(async () => {
    service = await startInProcessService();
    client = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey });
    for (let i = 0; i < 12; i++) ids.push((await client.createKey({ name: `reader-${i}`, environment: 'e', mode: 'test', scopes: ['invoices:read'] })).key.id);
  });
  afterAll(async () => {
    await client.close();
    await service.stop();
  });

  /** The client, counting its calls; `failList` makes listKeys fail. */
  function counting(failList = false) {
    const calls = { getKey: 0, listKeys: 0 };
    const wrapped: KeyReaderClient = {
      getKey: (id) => {
        calls.getKey += 1;
        return client.getKey(id);
      },
      listKeys: (options) => {
        calls.listKeys += 1;
        return failList ? Promise.reject(new Error('list failed')) : client.listKeys(options);
      },
    };
    return { calls, wrapped };
  }
  const comparable = ({ id, name, status, scopes, currentVersionId, revision }: ApiKey) => ({ id, name, status, scopes, currentVersionId, revision });

  it('answers many reads at once from a listing (paged) with what a GET gives', async () => {
    const { calls, wrapped } = counting();
    const reader = new KeyReader(wrapped, { batchAt: 4, pageSize: 5 });
    const read = await Promise.all(ids.map((id) => reader.get(id)));
    const direct = await Promise.all(ids.map((id) => client.getKey(id)));
    expect(read.map(comparable)).toEqual(direct.map(comparable));
    expect(calls.getKey).toBe(3); // the reads before the pile reached 4
    expect(calls.listKeys).toBeGreaterThanOrEqual(3); // 12 keys and the admin key, 5 a page
  });

  it('reads key by key while reads come one at a time', async () => {
    const { calls, wrapped } = counting();
    const reader = new KeyReader(wrapped, { batchAt: 4 });
    for (const id of ids.slice(0, 5)) await reader.get(id);
    expect(calls).toEqual({ getKey: 5, listKeys: 0 });
  });

  it('reads a key changed since the listing again after invalidate()', async () => {
    const { wrapped } = counting();
    const reader = new KeyReader(wrapped, { batchAt: 2 });
    const id = ids[0] ?? '';
    await Promise.all([reader.get(id), reader.get(ids[1] ?? '')]);
    await client.updateKey(id, { scopes: ['invoices:read', 'payouts:write'] });
    reader.invalidate();
    expect((await reader.get(id)).scopes.sort()).toEqual(['invoices:read', 'payouts:write']);
  });

  it('drops a listing older than its time to live', async () => {
    let now = 0;
    const { calls, wrapped } = counting();
    const reader = new KeyReader(wrapped, { batchAt: 2, ttlMs: 1000, now: () => now });
    await Promise.all([reader.get(ids[2] ?? ''), reader.get(ids[3] ?? '')]);
    const gets = calls.getKey;
    now = 5000;
    await reader.get(ids[2] ?? '');
    expect(calls.getKey).toBe(gets + 1);
  });

  it('falls back to one GET per key when listing fails, and reports a missing key as the service does', async () => {
    const { calls, wrapped } = counting(true);
    const reader = new KeyReader(wrapped, { batchAt: 2 });
    const read = await Promise.all(ids.slice(0, 4).map((id) => reader.get(id)));
    expect(read.map((k) => k.id)).toEqual(ids.slice(0, 4));
    expect(calls.getKey).toBe(4);
    await expect(reader.get('key_doesnotexist0000000000')).rejects.toMatchObject({ status: 404 });
  });
});
