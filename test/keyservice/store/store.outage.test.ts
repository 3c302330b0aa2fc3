import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, StoreUnavailableError, type KeyStore } from '../../../src/keyservice/store/index.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../../support/postgres.js';
import { describeWith } from '../../support/prerequisite.js';
import { newSecret } from './backends.js';

/** Calls `attempt` until it resolves (at most `tries` times, `pauseMs` apart). */
async function eventually<T>(attempt: () => Promise<T>, tries = 100, pauseMs = 100): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

describeWith(postgresMissing())('key store: PostgreSQL outage and recovery', () => {
  let cluster: PostgresCluster;
  let store: KeyStore;

  beforeAll(async () => {
    cluster = await startPostgres();
    store = await openStore({ url: cluster.url, connectTimeoutMs: 1000 });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    cluster?.destroy();
  });

  it('fails fast with StoreUnavailableError while PostgreSQL is down, recovers by itself, and keeps acknowledged writes', async () => {
    const account = await store.createAccount('acme');
    const { version } = newSecret();
    const created = await store.createKey({ accountId: account.id, name: 'survivor', environment: 'production', mode: 'live' }, version);
    if (typeof created === 'string') throw new Error(created);
    await store.appendAudit({ accountId: account.id, action: 'key.create', actorKeyId: null, keyId: created.key.id, ip: null, requestId: 'r1', outcome: 'success' });

    cluster.stop();
    try {
      for (const call of [
        () => store.ping(),
        () => store.findByDigest(version.digest),
        () => store.getKey(account.id, created.key.id),
        () => store.createAccount('during outage'),
        () => store.addVersion(account.id, created.key.id, newSecret().version, { previousOverlapUntil: null }),
        () => store.recordUsage([{ versionId: created.version.id, count: 1, lastUsedAt: 1 }]),
      ]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
      }
      // Opening a store while the server is down fails the same recognizable way.
      await expect(openStore({ url: cluster.url, connectTimeoutMs: 500 })).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      cluster.start();
    }

    // No reconnect call: the pool heals on its own.
    await eventually(() => store.ping());
    expect(await store.findByDigest(version.digest)).toMatchObject({ key: { id: created.key.id, name: 'survivor' } });
    expect((await store.listAudit(account.id)).items.map((e) => e.requestId)).toEqual(['r1']);
    const rotated = await store.addVersion(account.id, created.key.id, newSecret().version, { previousOverlapUntil: null });
    expect(typeof rotated !== 'string' && rotated.version.number).toBe(2);
  }, 60_000);
});

describe('key store: SQLite lock contention', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-busy-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers StoreUnavailableError when another writer holds the database past the busy timeout, and works once it lets go', async () => {
    const path = join(dir, 'keys.db');
    const store = await openStore({ url: `sqlite:${path}`, busyTimeoutMs: 50 });
    const other = new Database(path);
    try {
      const account = await store.createAccount('acme');
      other.exec('BEGIN IMMEDIATE');
      await expect(store.createAccount('blocked')).rejects.toBeInstanceOf(StoreUnavailableError);
      // Readers are not blocked by a writer in WAL mode.
      expect(await store.getAccount(account.id)).toEqual(account);
      other.exec('ROLLBACK');
      await expect(store.createAccount('unblocked')).resolves.toMatchObject({ name: 'unblocked' });
    } finally {
      other.close();
      await store.close();
    }
  });
});
