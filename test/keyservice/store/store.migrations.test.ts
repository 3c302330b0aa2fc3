import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { openStore, parseStoreUrl, type KeyStore } from '../../../src/keyservice/store/index.js';
import { eachBackend, newSecret } from './backends.js';
import { raceProcesses } from './race.js';

async function appliedMigrations(store: KeyStore): Promise<string[]> {
  const dialect =
    store.backend.kind === 'sqlite' ? new SqliteDialect({ database: store.backend.database }) : new PostgresDialect({ pool: store.backend.pool });
  // A second Kysely over the same handle: not destroyed here, the store owns the connection.
  const db = new Kysely<{ kysely_migration: { name: string } }>({ dialect });
  const rows = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}

eachBackend('key store: migrations', (backend) => {
  it('migrates an empty database at open and is a no-op on reopen, keeping the data', async () => {
    const url = await backend().freshUrl();
    const first = await openStore({ url });
    const account = await first.createAccount('acme');
    const created = await first.createKey({ accountId: account.id, name: 'k', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof created === 'string') throw new Error(created);
    expect(await appliedMigrations(first)).toEqual(['0001_initial_schema', '0002_rotated_out_index', '0003_key_changes_index', '0004_rotation_fingerprint']);
    await first.close();

    const second = await openStore({ url });
    try {
      expect(await appliedMigrations(second)).toEqual(['0001_initial_schema', '0002_rotated_out_index', '0003_key_changes_index', '0004_rotation_fingerprint']);
      expect(await second.getKey(account.id, created.key.id)).toEqual(created.key);
      expect(await second.findByDigest(created.version.digest)).toMatchObject({ key: { id: created.key.id } });
    } finally {
      await second.close();
    }
  });

  it('lets several processes open an empty database at the same moment', async () => {
    const url = await backend().freshUrl();
    // Released together, each process opens (and so migrates) the store, then exits without work.
    const outputs = await raceProcesses(4, [url, 'acct_none', 'key_none', '0', 'open-after-go']);
    expect(outputs).toEqual([[], [], [], []]);
    const store = await backend().open({ url });
    expect(await appliedMigrations(store)).toEqual(['0001_initial_schema', '0002_rotated_out_index', '0003_key_changes_index', '0004_rotation_fingerprint']);
    await store.ping();
  }, 60_000);

  it('answers ping while the database is up', async () => {
    const store = await backend().open();
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('key store: SQLite specifics', () => {
  it('runs file databases in WAL mode with foreign keys enforced and a busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-wal-'));
    const store = await openStore({ url: `sqlite:${join(dir, 'keys.db')}`, busyTimeoutMs: 1234 });
    try {
      if (store.backend.kind !== 'sqlite') throw new Error('expected SQLite');
      expect(store.backend.database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.backend.database.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.backend.database.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store URLs', () => {
  it('reads sqlite:, plain paths, :memory: and postgres URLs', () => {
    expect(parseStoreUrl('sqlite:/var/lib/kw/keys.db')).toEqual({ kind: 'sqlite', path: '/var/lib/kw/keys.db' });
    expect(parseStoreUrl('sqlite://relative.db')).toEqual({ kind: 'sqlite', path: 'relative.db' });
    expect(parseStoreUrl('./keys.db')).toEqual({ kind: 'sqlite', path: './keys.db' });
    expect(parseStoreUrl(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStoreUrl('postgres://u@h:5432/db')).toEqual({ kind: 'postgres', connectionString: 'postgres://u@h:5432/db' });
    expect(parseStoreUrl('postgresql://u@h/db')).toEqual({ kind: 'postgres', connectionString: 'postgresql://u@h/db' });
  });

  it('refuses an SQLite URL without a file', async () => {
    await expect(openStore({ url: 'sqlite:' })).rejects.toThrow(/names no file/);
  });
});
