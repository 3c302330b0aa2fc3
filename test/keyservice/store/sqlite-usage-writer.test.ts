import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../../src/keyservice/store/index.js';
import { SqliteUsageWriter, SqliteWorkerError, WORKER_NICENESS } from '../../../src/keyservice/store/sqlite-usage-writer.js';
import { newSecret } from './backends.js';

describe('SQLite usage writer (worker thread with its own connection)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-usage-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds usage to versions and keys through its own connection, visible to the store at once', async () => {
    const path = join(dir, 'store.db');
    const store = await openStore({ url: `sqlite:${path}` });
    const writer = new SqliteUsageWriter(path, 1000);
    try {
      const account = await store.createAccount('acme');
      const created = await store.createKey({ accountId: account.id, name: 'k', environment: 'production', mode: 'live' }, newSecret().version);
      if (typeof created === 'string') throw new Error(created);
      // Entries of one version may repeat within a batch: the worker adds them up.
      await writer.write([
        { versionId: created.version.id, count: 1, lastUsedAt: 5_000 },
        { versionId: 'kver_unknown', count: 5, lastUsedAt: 9_000 },
        { versionId: created.version.id, count: 2, lastUsedAt: 7_000 },
      ]);
      await writer.write([{ versionId: created.version.id, count: 2, lastUsedAt: 6_000 }]);
      await writer.checkpoint();
      expect(await store.getKey(account.id, created.key.id)).toMatchObject({ usageCount: 5, lastUsedAt: 7_000 });
      const versions = await store.listVersions(account.id, created.key.id);
      if (versions === 'not_found') throw new Error('key not found');
      expect(versions[0]).toMatchObject({ usageCount: 5, lastUsedAt: 7_000 });
    } finally {
      await writer.close();
      await store.close();
    }
  });

  it("rejects with SQLite's error code when the statements fail, and keeps working afterwards", async () => {
    const path = join(dir, 'empty.db');
    new BetterSqlite3(path).close();
    const writer = new SqliteUsageWriter(path, 1000);
    try {
      const failed = await writer.write([{ versionId: 'kver_x', count: 1, lastUsedAt: 1 }]).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(SqliteWorkerError);
      expect((failed as SqliteWorkerError).code).toBe('SQLITE_ERROR');
      await expect(writer.checkpoint()).resolves.toBeUndefined();
    } finally {
      await writer.close();
    }
  });

  (process.platform === 'linux' ? it : it.skip)('runs its thread at a lower priority than the event loop (Linux)', async () => {
    const path = join(dir, 'store.db');
    const store = await openStore({ url: `sqlite:${path}` });
    await store.close();
    const niceOf = (task: string): number => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const before = new Set(readdirSync('/proc/self/task'));
    const writer = new SqliteUsageWriter(path, 1000);
    try {
      await writer.checkpoint();
      const started = readdirSync('/proc/self/task').filter((t) => !before.has(t));
      // At least WORKER_NICENESS (a process already running nicer keeps its own value).
      expect(Math.max(...started.map(niceOf))).toBeGreaterThanOrEqual(WORKER_NICENESS);
    } finally {
      await writer.close();
    }
  });

  it('refuses work after close, and closing twice is harmless', async () => {
    const path = join(dir, 'store.db');
    const store = await openStore({ url: `sqlite:${path}` });
    await store.close();
    const writer = new SqliteUsageWriter(path, 1000);
    await writer.checkpoint();
    await writer.close();
    await writer.close();
    await expect(writer.write([{ versionId: 'kver_x', count: 1, lastUsedAt: 1 }])).rejects.toBeInstanceOf(SqliteWorkerError);
  });
});
