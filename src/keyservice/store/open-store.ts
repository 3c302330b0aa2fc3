// Opens the store named by a URL, runs pending migrations, and returns a ready KeyStore.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DialectKind } from './dialect.js';
import { isUnavailable } from './dialect.js';
import { StoreUnavailableError } from './errors.js';
import { KyselyKeyStore } from './kysely-store.js';
import { storeMigrations } from './migrations.js';
import { SqliteUsageWriter } from './sqlite-usage-writer.js';
import type { StoreDatabase } from './schema.js';
import type { KeyStore, StoreOptions } from './store.js';

/** Where a store URL points. */
export type StoreLocation = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly connectionString: string };

/** `postgres://…`/`postgresql://…` → PostgreSQL; `sqlite:PATH`, `:memory:` or a plain path → SQLite. */
export function parseStoreUrl(url: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', connectionString: url };
  if (url.startsWith('sqlite://')) return { kind: 'sqlite', path: url.slice('sqlite://'.length) };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  return { kind: 'sqlite', path: url };
}

const PG_INT8_OID = 20;

/** Pages of write-ahead log after which SQLite checkpoints by itself (≈ 40 MB; SQLite's default is 1000). */
export const SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** Opens (and migrates) the store at `options.url`. Throws StoreUnavailableError when PostgreSQL cannot be reached. */
export async function openStore(options: StoreOptions): Promise<KeyStore> {
  const location = parseStoreUrl(options.url);
  const clock = options.clock ?? Date.now;
  if (location.kind === 'sqlite') {
    if (location.path.length === 0) throw new TypeError('the SQLite store URL names no file: use sqlite:PATH, a file path or :memory:');
    const database = new BetterSqlite3(location.path);
    try {
      if (location.path !== ':memory:') {
        database.pragma('journal_mode = WAL');
        // Checkpoints are made explicitly (KeyStore.checkpoint, after each usage flush, on the usage worker's connection); the
        // automatic one is only a backstop against an ever-growing log.
        database.pragma(`wal_autocheckpoint = ${SQLITE_WAL_AUTOCHECKPOINT_PAGES}`);
      }
      const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
      database.pragma(`busy_timeout = ${busyTimeoutMs}`);
      database.pragma('foreign_keys = ON');
      const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) });
      // Kysely's SQLite migrator takes no lock: hold the database write lock for the whole run so
      // two processes opening one file at once cannot both apply a migration.
      database.exec('BEGIN IMMEDIATE');
      try {
        await migrate(db, 'sqlite');
        database.exec('COMMIT');
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
      // Usage flushes and checkpoints run on a worker thread's own connection (file databases only).
      const usageWriter = location.path === ':memory:' ? undefined : new SqliteUsageWriter(location.path, busyTimeoutMs);
      return new KyselyKeyStore({ kind: 'sqlite', db, backend: { kind: 'sqlite', database }, clock, ...(usageWriter ? { usageWriter } : {}) });
    } catch (error) {
      database.close();
      throw error;
    }
  }

  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    // Client-side guard for a server that stops answering without closing the socket.
    query_timeout: statementTimeoutMs + 1000,
    application_name: 'keywarden-keyservice',
    // Store values are epoch-ms timestamps and counters: int8 fits a JS number exactly.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener that
  // would crash the process. The pool drops the client; the next query connects afresh.
  pool.on('error', () => {});
  // A client checked out of the pool (kysely holds it for a query or a transaction) has no
  // 'error' listener of the pool's: when the server goes away, pg fails the client's queries
  // (the store turns that into StoreUnavailableError) AND emits 'error' on the client, which
  // without a listener would crash the process. The pool drops such a client on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, 'postgres');
  } catch (error) {
    await db.destroy();
    if (isUnavailable(error)) {
      throw new StoreUnavailableError(`cannot reach PostgreSQL to open the key store: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  return new KyselyKeyStore({ kind: 'postgres', db, backend: { kind: 'postgres', pool }, clock });
}

/** Applies pending migrations. On PostgreSQL kysely holds a session advisory lock meanwhile, so concurrent starts are safe. */
async function migrate(db: Kysely<StoreDatabase>, kind: DialectKind): Promise<void> {
  const migrator = new Migrator({ db, provider: storeMigrations(kind) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    if (isUnavailable(error)) throw error;
    throw new Error(`key store migration ${failed ?? '(before any migration ran)'} failed: ${(error as Error).message}`, { cause: error });
  }
}
