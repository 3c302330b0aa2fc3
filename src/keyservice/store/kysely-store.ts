// The KeyStore over kysely: one implementation for SQLite (better-sqlite3) and PostgreSQL (pg).
//
// Concurrency: every transaction that reads-then-writes a key starts by writing the key's
// row (`UPDATE … RETURNING`). On PostgreSQL that takes the row lock, serializing rotations of
// one key across processes; on SQLite it takes the database write lock up front (waiting up to
// the busy timeout), so a deferred transaction never has to upgrade a read lock.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import { decodeSequenceCursor, decodeTimeIdCursor, encodeSequenceCursor, encodeTimeIdCursor } from './cursor.js';
import { isForeignKeyViolation, isUniqueViolation, isUnavailable, placeholder, type DialectKind } from './dialect.js';
import { StoreUnavailableError } from './errors.js';
import { newId } from './ids.js';
import { USAGE_KEY_SQL, USAGE_VERSION_SQL } from './sqlite-usage-writer.js';
import type { SqliteUsageWriter, UsageRow } from './sqlite-usage-writer.js';
import { rowFromValues, toAccount, toAuditEvent, toKey, toVersion } from './rows.js';
import type { ApiKeysTable, StoreDatabase } from './schema.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Account,
  type AuditEvent,
  type AuditFilter,
  type DigestMatch,
  type KeyChange,
  type KeyFilter,
  type KeyPatch,
  type KeyRecord,
  type KeyStore,
  type KeyVersion,
  type NewAuditEvent,
  type NewKey,
  type NewVersion,
  type Page,
  type PageRequest,
  type PromoteResult,
  type RotateOptions,
  type RotateResult,
  type StoreBackend,
  type UsageEntry,
} from './store.js';

const ACCOUNT_COLUMNS = ['id', 'name', 'created_at'] as const;
const KEY_COLUMNS = [
  'id', 'account_id', 'name', 'environment', 'integration', 'service', 'mode', 'scopes', 'allowed_cidrs', 'limits',
  'rate_limit', 'enabled', 'expires_at', 'metadata', 'revision', 'created_at', 'updated_at', 'revoked_at',
  'current_version_id', 'display_prefix', 'last_used_at', 'usage_count',
] as const;
const VERSION_COLUMNS = [
  'id', 'key_id', 'account_id', 'number', 'digest', 'display_prefix', 'idempotency_key', 'created_at', 'overlap_until',
  'revoked_at', 'last_used_at', 'usage_count',
] as const;

/** The digest lookup as one hand-written, prepared statement (the hot path skips the query builder). */
// Rows come back as arrays (no per-row column-name objects): version, key, then account columns.
function findByDigestSql(kind: DialectKind): string {
  const cols = [...VERSION_COLUMNS.map((c) => `v.${c}`), ...KEY_COLUMNS.map((c) => `k.${c}`), ...ACCOUNT_COLUMNS.map((c) => `a.${c}`)];
  return `SELECT ${cols.join(', ')} FROM key_versions v JOIN api_keys k ON k.id = v.key_id JOIN accounts a ON a.id = k.account_id WHERE v.digest = ${placeholder(kind, 1)}`;
}

/**
 * The SQLite usage flush on the store's own connection (`:memory:` only: a file database flushes
 * through its SqliteUsageWriter's worker thread): the two statements prepared once, run for every
 * version in ONE synchronous transaction.
 */
function prepareSqliteUsageFlush(database: Database.Database): (rows: readonly UsageRow[]) => void {
  const version = database.prepare(USAGE_VERSION_SQL);
  const key = database.prepare(USAGE_KEY_SQL);
  return database.transaction((rows: readonly UsageRow[]) => {
    for (const [versionId, count, at] of rows) {
      if (version.run(count, at, versionId).changes > 0) key.run(count, at, versionId);
    }
  });
}

function clampLimit(page?: PageRequest): number {
  const limit = page?.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/** The answer to a retried rotation: its version, unless the retry asks for other parameters (a fingerprint stored as null was made before fingerprints: not compared). */
function replayOf(key: KeyRecord, existing: { version: KeyVersion; fingerprint: string | null }, fingerprint: string | null): RotateResult | 'idempotency_key_reused' {
  if (fingerprint !== null && existing.fingerprint !== null && existing.fingerprint !== fingerprint) return 'idempotency_key_reused';
  return { key, version: existing.version, created: false };
}

/** Internal: thrown inside a transaction to roll it back and answer `value`. */
class Abort<T> {
  constructor(readonly value: T) {}
}

export interface KyselyStoreOptions {
  readonly kind: DialectKind;
  readonly db: Kysely<StoreDatabase>;
  readonly backend: StoreBackend;
  readonly clock: () => number;
  /** SQLite file databases: writes usage and checkpoints off the event loop. */
  readonly usageWriter?: SqliteUsageWriter;
}

/**
 * Versions per usage transaction on the SQLite worker: each transaction appends every page it
 * touched to the write-ahead log once, so chunks of 50 (the event-loop-friendly size) rewrote
 * the same pages dozens of times per flush.
 */
const SQLITE_WORKER_USAGE_CHUNK = 5000;

export class KyselyKeyStore implements KeyStore {
  readonly backend: StoreBackend;
  readonly usageFlushChunk?: number;
  readonly #kind: DialectKind;
  readonly #db: Kysely<StoreDatabase>;
  readonly #clock: () => number;
  readonly #digestSql: string;
  #sqliteFindByDigest: Database.Statement | undefined;
  #sqliteRecordUsage: ((rows: readonly UsageRow[]) => void) | undefined;
  readonly #usageWriter: SqliteUsageWriter | undefined;

  constructor(options: KyselyStoreOptions) {
    this.#kind = options.kind;
    this.#db = options.db;
    this.backend = options.backend;
    this.#clock = options.clock;
    this.#digestSql = findByDigestSql(options.kind);
    this.#usageWriter = options.usageWriter;
    if (options.usageWriter) this.usageFlushChunk = SQLITE_WORKER_USAGE_CHUNK;
  }

  /** Runs `work`, turning outage errors into StoreUnavailableError; `retryOnce` for reads (a stale pooled connection fails once). */
  async #guard<T>(operation: string, work: () => Promise<T>, retryOnce = false): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StoreUnavailableError || !isUnavailable(error)) throw error;
      if (retryOnce) return this.#guard(operation, work, false);
      throw new StoreUnavailableError(`the key store is unavailable (${operation}): ${(error as Error).message}`, { cause: error });
    }
  }

  async #transaction<T>(work: (trx: Transaction<StoreDatabase>) => Promise<T>): Promise<T> {
    try {
      return await this.#db.transaction().execute(work);
    } catch (error) {
      if (error instanceof Abort) return error.value as T;
      throw error;
    }
  }

  // ---- accounts ----

  createAccount(name: string): Promise<Account> {
    return this.#guard('createAccount', async () => {
      const row = { id: newId('acct'), name, created_at: this.#clock() };
      await this.#db.insertInto('accounts').values(row).execute();
      return toAccount(row);
    });
  }

  getAccount(id: string): Promise<Account | undefined> {
    return this.#guard('getAccount', async () => {
      const row = await this.#db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toAccount(row) : undefined;
    }, true);
  }

  listAccounts(page?: PageRequest): Promise<Page<Account>> {
    return this.#guard('listAccounts', async () => {
      const limit = clampLimit(page);
      let query = this.#db.selectFrom('accounts').selectAll();
      if (page?.cursor) {
        const after = decodeTimeIdCursor('accounts', page.cursor);
        query = query.where((eb) =>
          eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
        );
      }
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toAccount);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeTimeIdCursor('accounts', last) : null };
    }, true);
  }

  // ---- keys ----

  createKey(input: NewKey, firstVersion: NewVersion): Promise<{ key: KeyRecord; version: KeyVersion } | 'account_not_found' | 'name_taken'> {
    return this.#guard('createKey', async () => {
      const now = this.#clock();
      const keyId = newId('key');
      const versionId = newId('kver');
      const keyRow: Selectable<ApiKeysTable> = {
        id: keyId,
        account_id: input.accountId,
        name: input.name,
        environment: input.environment,
        integration: input.integration ?? null,
        service: input.service ?? null,
        mode: input.mode,
        scopes: JSON.stringify(input.scopes ?? []),
        allowed_cidrs: JSON.stringify(input.allowedCidrs ?? []),
        limits: JSON.stringify(input.limits ?? {}),
        rate_limit: input.rateLimit ? JSON.stringify({ requests: input.rateLimit.requests, windowSeconds: input.rateLimit.windowSeconds }) : null,
        enabled: input.enabled === false ? 0 : 1,
        expires_at: input.expiresAt ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        revision: 1,
        created_at: now,
        updated_at: now,
        revoked_at: null,
        current_version_id: versionId,
        display_prefix: firstVersion.displayPrefix,
        last_used_at: null,
        usage_count: 0,
      };
      const versionRow = {
        id: versionId,
        key_id: keyId,
        account_id: input.accountId,
        number: 1,
        digest: firstVersion.digest,
        display_prefix: firstVersion.displayPrefix,
        idempotency_key: null,
        idempotency_fingerprint: null,
        created_at: now,
        overlap_until: null,
        revoked_at: null,
        last_used_at: null,
        usage_count: 0,
      };
      try {
        await this.#transaction(async (trx) => {
          await trx.insertInto('api_keys').values(keyRow).execute();
          await trx.insertInto('key_versions').values(versionRow).execute();
        });
      } catch (error) {
        if (isForeignKeyViolation(error)) return 'account_not_found';
        if (isUniqueViolation(error) && (await this.getKeyByName(input.accountId, input.name))) return 'name_taken';
        throw error;
      }
      return { key: toKey(keyRow), version: toVersion(versionRow) };
    });
  }

  getKey(accountId: string, keyId: string): Promise<KeyRecord | undefined> {
    return this.#guard('getKey', async () => {
      const row = await this.#db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', keyId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row ? toKey(row) : undefined;
    }, true);
  }

  getKeyByName(accountId: string, name: string): Promise<KeyRecord | undefined> {
    return this.#guard('getKeyByName', async () => {
      const row = await this.#db
        .selectFrom('api_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row ? toKey(row) : undefined;
    }, true);
  }

  listKeys(accountId: string, filter: KeyFilter = {}, page?: PageRequest): Promise<Page<KeyRecord>> {
    return this.#guard('listKeys', async () => {
      const limit = clampLimit(page);
      const now = this.#clock();
      let query = this.#db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId);
      if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
      if (filter.integration !== undefined) query = query.where('integration', '=', filter.integration);
      if (filter.service !== undefined) query = query.where('service', '=', filter.service);
      switch (filter.status) {
        case undefined:
          break;
        case 'revoked':
          query = query.where('revoked_at', 'is not', null);
          break;
        case 'disabled':
          query = query.where('revoked_at', 'is', null).where('enabled', '=', 0);
          break;
        case 'expired':
          query = query.where('revoked_at', 'is', null).where('enabled', '=', 1).where('expires_at', '<=', now);
          break;
        case 'active':
          query = query
            .where('revoked_at', 'is', null)
            .where('enabled', '=', 1)
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
          break;
      }
      if (page?.cursor) {
        const after = decodeTimeIdCursor(`keys:${accountId}`, page.cursor);
        query = query.where((eb) =>
          eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]),
        );
      }
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toKey);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeTimeIdCursor(`keys:${accountId}`, last) : null };
    }, true);
  }

  updateKey(
    accountId: string,
    keyId: string,
    patch: KeyPatch,
    expectedRevision?: number,
  ): Promise<KeyRecord | 'not_found' | 'conflict' | 'name_taken' | 'revoked'> {
    return this.#guard('updateKey', async () => {
      const changes: Partial<Selectable<ApiKeysTable>> = {};
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.environment !== undefined) changes.environment = patch.environment;
      if (patch.integration !== undefined) changes.integration = patch.integration;
      if (patch.service !== undefined) changes.service = patch.service;
      if (patch.scopes !== undefined) changes.scopes = JSON.stringify(patch.scopes);
      if (patch.allowedCidrs !== undefined) changes.allowed_cidrs = JSON.stringify(patch.allowedCidrs);
      if (patch.limits !== undefined) changes.limits = JSON.stringify(patch.limits);
      if (patch.rateLimit !== undefined) {
        changes.rate_limit = patch.rateLimit === null ? null : JSON.stringify({ requests: patch.rateLimit.requests, windowSeconds: patch.rateLimit.windowSeconds });
      }
      if (patch.enabled !== undefined) changes.enabled = patch.enabled ? 1 : 0;
      if (patch.expiresAt !== undefined) changes.expires_at = patch.expiresAt;
      if (patch.metadata !== undefined) changes.metadata = JSON.stringify(patch.metadata);

      let updated: Selectable<ApiKeysTable> | undefined;
      if (Object.keys(changes).length > 0) {
        try {
          let query = this.#db
            .updateTable('api_keys')
            .set((eb) => ({ ...changes, revision: eb('revision', '+', 1), updated_at: this.#clock() }))
            .where('id', '=', keyId)
            .where('account_id', '=', accountId)
            .where('revoked_at', 'is', null);
          if (expectedRevision !== undefined) query = query.where('revision', '=', expectedRevision);
          updated = await query.returningAll().executeTakeFirst();
        } catch (error) {
          if (isUniqueViolation(error)) return 'name_taken';
          throw error;
        }
        if (updated) return toKey(updated);
      }
      const current = await this.getKey(accountId, keyId);
      if (!current) return 'not_found';
      if (current.revokedAt !== null) return 'revoked';
      if (expectedRevision !== undefined && current.revision !== expectedRevision) return 'conflict';
      // An empty patch with a matching revision changes nothing; a race lost between the two statements is a conflict.
      return Object.keys(changes).length === 0 ? current : 'conflict';
    });
  }

  revokeKey(accountId: string, keyId: string, expectedRevision?: number): Promise<KeyRecord | 'not_found' | 'conflict'> {
    return this.#guard('revokeKey', async () => {
      const now = this.#clock();
      return this.#transaction(async (trx) => {
        let query = trx
          .updateTable('api_keys')
          .set((eb) => ({ revoked_at: now, revision: eb('revision', '+', 1), updated_at: now }))
          .where('id', '=', keyId)
          .where('account_id', '=', accountId)
          .where('revoked_at', 'is', null);
        if (expectedRevision !== undefined) query = query.where('revision', '=', expectedRevision);
        const row = await query.returningAll().executeTakeFirst();
        if (!row) {
          const current = await trx.selectFrom('api_keys').selectAll().where('id', '=', keyId).where('account_id', '=', accountId).executeTakeFirst();
          if (!current) return 'not_found' as const;
          if (current.revoked_at !== null) return toKey(current);
          return 'conflict' as const;
        }
        await trx.updateTable('key_versions').set({ revoked_at: now }).where('key_id', '=', keyId).where('revoked_at', 'is', null).execute();
        return toKey(row);
      });
    });
  }

  // ---- versions ----

  addVersion(accountId: string, keyId: string, version: NewVersion, options: RotateOptions): Promise<RotateResult | 'not_found' | 'revoked' | 'idempotency_key_reused'> {
    const idempotencyKey = options.idempotencyKey ?? null;
    const fingerprint = options.fingerprint ?? null;
    return this.#guard('addVersion', async () => {
      try {
        return await this.#rotate(accountId, keyId, version, options.promotion === 'deferred' ? 'deferred' : options.previousOverlapUntil, idempotencyKey, fingerprint);
      } catch (error) {
        // Two processes raced with the same idempotency key and the other one won: answer its version.
        if (idempotencyKey !== null && isUniqueViolation(error)) {
          const existing = await this.#versionByIdempotencyKey(this.#db, keyId, idempotencyKey);
          const key = await this.getKey(accountId, keyId);
          if (existing && key) return replayOf(key, existing, fingerprint);
        }
        throw error;
      }
    });
  }

  /** One version of one key of one account (undefined when any of the three does not match). */
  #versionRow(trx: Transaction<StoreDatabase>, accountId: string, keyId: string, versionId: string) {
    return trx
      .selectFrom('key_versions')
      .selectAll()
      .where('id', '=', versionId)
      .where('key_id', '=', keyId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  }

  /** Locks the key row (a no-op write: every transaction here takes key rows first) and returns it. */
  #lockKeyRow(trx: Transaction<StoreDatabase>, accountId: string, keyId: string) {
    return trx
      .updateTable('api_keys')
      .set((eb) => ({ revision: eb.ref('revision') }))
      .where('id', '=', keyId)
      .where('account_id', '=', accountId)
      .returningAll()
      .executeTakeFirst();
  }

  async #versionByIdempotencyKey(
    db: Kysely<StoreDatabase>,
    keyId: string,
    idempotencyKey: string,
  ): Promise<{ version: KeyVersion; fingerprint: string | null } | undefined> {
    const row = await db
      .selectFrom('key_versions')
      .selectAll()
      .where('key_id', '=', keyId)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    return row ? { version: toVersion(row), fingerprint: row.idempotency_fingerprint } : undefined;
  }

  /** Gives every unrevoked version of `keyId` numbered below `belowNumber` its end: `until` (never later than one it has), or revocation now when `until` is null or past. Returns how many rows changed. */
  async #endOlderVersions(trx: Transaction<StoreDatabase>, keyId: string, belowNumber: number, until: number | null, now: number): Promise<number> {
    const older = trx.updateTable('key_versions').where('key_id', '=', keyId).where('number', '<', belowNumber).where('revoked_at', 'is', null);
    const result =
      until === null || until <= now
        ? await older.set({ revoked_at: now }).executeTakeFirst()
        : await older
            .set({ overlap_until: until })
            .where((eb) => eb.or([eb('overlap_until', 'is', null), eb('overlap_until', '>', until)]))
            .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  #rotate(
    accountId: string,
    keyId: string,
    version: NewVersion,
    previousOverlapUntil: number | null | 'deferred',
    idempotencyKey: string | null,
    fingerprint: string | null,
  ): Promise<RotateResult | 'not_found' | 'revoked' | 'idempotency_key_reused'> {
    const now = this.#clock();
    return this.#transaction(async (trx) => {
      // Lock first (see the header): a no-op write on the key row.
      const locked = await this.#lockKeyRow(trx, accountId, keyId);
      if (!locked) return 'not_found' as const;
      if (idempotencyKey !== null) {
        const existing = await this.#versionByIdempotencyKey(trx, keyId, idempotencyKey);
        if (existing) return replayOf(toKey(locked), existing, fingerprint);
      }
      if (locked.revoked_at !== null) return 'revoked' as const;

      const last = await trx
        .selectFrom('key_versions')
        .select((eb) => eb.fn.max('number').as('max'))
        .where('key_id', '=', keyId)
        .executeTakeFirst();
      const versionRow = {
        id: newId('kver'),
        key_id: keyId,
        account_id: accountId,
        number: Number(last?.max ?? 0) + 1,
        digest: version.digest,
        display_prefix: version.displayPrefix,
        idempotency_key: idempotencyKey,
        idempotency_fingerprint: fingerprint,
        created_at: now,
        overlap_until: null,
        revoked_at: null,
        last_used_at: null,
        usage_count: 0,
      };
      await trx.insertInto('key_versions').values(versionRow).execute();

      const deferred = previousOverlapUntil === 'deferred';
      // Immediate: every older version ends (an older one still in an earlier, shorter overlap keeps it).
      if (!deferred) await this.#endOlderVersions(trx, keyId, versionRow.number, previousOverlapUntil, now);
      // Deferred: the new version is valid but not current; nothing else changes until promoteVersion.
      const key = await trx
        .updateTable('api_keys')
        .set((eb) => ({
          revision: eb('revision', '+', 1),
          updated_at: now,
          ...(deferred ? {} : { current_version_id: versionRow.id, display_prefix: version.displayPrefix }),
        }))
        .where('id', '=', keyId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { key: toKey(key), version: toVersion(versionRow), created: true };
    });
  }

  promoteVersion(
    accountId: string,
    keyId: string,
    versionId: string,
    previousOverlapUntil: number | null,
  ): Promise<PromoteResult | 'not_found' | 'revoked' | 'superseded'> {
    return this.#guard('promoteVersion', async () => {
      const now = this.#clock();
      return this.#transaction(async (trx) => {
        // Key row first (the lock order of every transaction here).
        const locked = await this.#lockKeyRow(trx, accountId, keyId);
        if (!locked) return 'not_found' as const;
        const row = await this.#versionRow(trx, accountId, keyId, versionId);
        if (!row) return 'not_found' as const;
        const version = toVersion(row);
        if (locked.revoked_at !== null || version.revokedAt !== null || (version.overlapUntil !== null && version.overlapUntil <= now)) {
          return 'revoked' as const;
        }
        const current = await trx.selectFrom('key_versions').select('number').where('id', '=', locked.current_version_id).executeTakeFirst();
        if (version.overlapUntil !== null || (current !== undefined && Number(current.number) > version.number)) return 'superseded' as const;

        const ended = await this.#endOlderVersions(trx, keyId, version.number, previousOverlapUntil, now);
        const changed = ended > 0 || locked.current_version_id !== version.id;
        let key = toKey(locked);
        if (changed) {
          key = toKey(
            await trx
              .updateTable('api_keys')
              .set((eb) => ({
                revision: eb('revision', '+', 1),
                updated_at: now,
                current_version_id: version.id,
                display_prefix: version.displayPrefix,
              }))
              .where('id', '=', keyId)
              .returningAll()
              .executeTakeFirstOrThrow(),
          );
        }
        const previous = await trx
          .selectFrom('key_versions')
          .selectAll()
          .where('key_id', '=', keyId)
          .where('number', '<', version.number)
          .where('revoked_at', 'is', null)
          .orderBy('number', 'desc')
          .execute();
        return { key, version, previous: previous.map(toVersion), changed };
      });
    });
  }

  listVersions(accountId: string, keyId: string): Promise<readonly KeyVersion[] | 'not_found'> {
    return this.#guard('listVersions', async () => {
      const rows = await this.#db
        .selectFrom('key_versions')
        .selectAll()
        .where('key_id', '=', keyId)
        .where('account_id', '=', accountId)
        .orderBy('number', 'desc')
        .execute();
      // Every key has at least one version: no rows means no such key in this account.
      return rows.length === 0 ? 'not_found' : rows.map(toVersion);
    }, true);
  }

  revokeVersion(accountId: string, keyId: string, versionId: string): Promise<KeyVersion | 'not_found'> {
    return this.#guard('revokeVersion', async () => {
      const now = this.#clock();
      return this.#transaction(async (trx) => {
        // Key row first (the lock order of every transaction here).
        if (!(await this.#lockKeyRow(trx, accountId, keyId))) return 'not_found' as const;
        const revoked = await trx
          .updateTable('key_versions')
          .set({ revoked_at: now })
          .where('id', '=', versionId)
          .where('key_id', '=', keyId)
          .where('account_id', '=', accountId)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (revoked) {
          await trx
            .updateTable('api_keys')
            .set((eb) => ({ revision: eb('revision', '+', 1), updated_at: now }))
            .where('id', '=', keyId)
            .execute();
          return toVersion(revoked);
        }
        const existing = await this.#versionRow(trx, accountId, keyId, versionId);
        return existing ? toVersion(existing) : ('not_found' as const);
      });
    });
  }

  revokeRotatedOut(now: number = this.#clock()): Promise<number> {
    return this.#guard('revokeRotatedOut', async () => {
      const result = await this.#db
        .updateTable('key_versions')
        .set((eb) => ({ revoked_at: eb.ref('overlap_until') }))
        .where('revoked_at', 'is', null)
        .where('overlap_until', 'is not', null)
        .where('overlap_until', '<=', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }

  // ---- hot path ----

  findByDigest(digest: string): Promise<DigestMatch | undefined> {
    return this.#guard('findByDigest', async () => {
      let row: unknown[] | undefined;
      if (this.backend.kind === 'sqlite') {
        this.#sqliteFindByDigest ??= this.backend.database.prepare(this.#digestSql).raw(true);
        row = this.#sqliteFindByDigest.get(digest) as unknown[] | undefined;
      } else {
        const result = await this.backend.pool.query<unknown[]>({ name: 'kw_find_by_digest', text: this.#digestSql, values: [digest], rowMode: 'array' });
        row = result.rows[0];
      }
      if (!row) return undefined;
      return {
        version: toVersion(rowFromValues(VERSION_COLUMNS, row, 0)),
        key: toKey(rowFromValues(KEY_COLUMNS, row, VERSION_COLUMNS.length)),
        account: toAccount(rowFromValues(ACCOUNT_COLUMNS, row, VERSION_COLUMNS.length + KEY_COLUMNS.length)),
      };
    }, true);
  }

  // ---- change feed ----

  keyChangesSince(since: number, limit: number): Promise<readonly KeyChange[]> {
    return this.#guard('keyChangesSince', async () => {
      const rows = await this.#db
        .selectFrom('api_keys')
        .select(['id', 'revision', 'updated_at'])
        .where('updated_at', '>=', since)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ keyId: r.id, revision: Number(r.revision), updatedAt: Number(r.updated_at) }));
    }, true);
  }

  latestKeyChange(): Promise<number | null> {
    return this.#guard('latestKeyChange', async () => {
      const row = await this.#db.selectFrom('api_keys').select((eb) => eb.fn.max('updated_at').as('latest')).executeTakeFirst();
      return row?.latest === null || row?.latest === undefined ? null : Number(row.latest);
    }, true);
  }

  // ---- usage ----

  recordUsage(entries: readonly UsageEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    // SQLite file databases: the worker merges, orders and writes (the event loop only encodes).
    const writer = this.#usageWriter;
    if (writer) return this.#guard('recordUsage', () => writer.write(entries));
    // Merge entries of the same version first: one UPDATE per version.
    const byVersion = new Map<string, { count: number; lastUsedAt: number }>();
    for (const entry of entries) {
      const merged = byVersion.get(entry.versionId);
      if (merged) {
        merged.count += entry.count;
        merged.lastUsedAt = Math.max(merged.lastUsedAt, entry.lastUsedAt);
      } else {
        byVersion.set(entry.versionId, { count: entry.count, lastUsedAt: entry.lastUsedAt });
      }
    }
    if (this.backend.kind === 'sqlite') {
      // In id order: neighbouring rows share B-tree pages.
      const rows: UsageRow[] = [...byVersion].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([versionId, u]) => [versionId, u.count, u.lastUsedAt]);
      const database = this.backend.database;
      return this.#guard('recordUsage', () =>
        // Holding kysely's connection guarantees no kysely transaction is open on the handle.
        this.#db.connection().execute(async () => {
          this.#sqliteRecordUsage ??= prepareSqliteUsageFlush(database);
          this.#sqliteRecordUsage(rows);
        }),
      );
    }
    return this.#guard('recordUsage', async () => {
      const owners: { id: string; key_id: string }[] = [];
      const versionIds = [...byVersion.keys()];
      // Bounded IN lists keep well inside both databases' bind-parameter limits.
      for (let i = 0; i < versionIds.length; i += 500) {
        owners.push(...(await this.#db.selectFrom('key_versions').select(['id', 'key_id']).where('id', 'in', versionIds.slice(i, i + 500)).execute()));
      }
      const byKey = new Map<string, { count: number; lastUsedAt: number }>();
      for (const owner of owners) {
        const usage = byVersion.get(owner.id)!;
        const merged = byKey.get(owner.key_id);
        if (merged) {
          merged.count += usage.count;
          merged.lastUsedAt = Math.max(merged.lastUsedAt, usage.lastUsedAt);
        } else {
          byKey.set(owner.key_id, { ...usage });
        }
      }
      // PostgreSQL: one multi-row UPDATE per table. The rows are first locked in id order, keys
      // before versions (the lock order everywhere), so concurrent flushes cannot deadlock.
      const keyIds = [...byKey.keys()].sort();
      const versionIdsSorted = owners.map((o) => o.id).sort();
      const columns = (ids: readonly string[], usage: ReadonlyMap<string, { count: number; lastUsedAt: number }>) => ({
        ids,
        counts: ids.map((id) => usage.get(id)!.count),
        ats: ids.map((id) => usage.get(id)!.lastUsedAt),
      });
      const keys = columns(keyIds, byKey);
      const versions = columns(versionIdsSorted, byVersion);
      await this.#transaction(async (trx) => {
        await sql`SELECT id FROM api_keys WHERE id = ANY(${keys.ids}::text[]) ORDER BY id FOR UPDATE`.execute(trx);
        await sql`SELECT id FROM key_versions WHERE id = ANY(${versions.ids}::text[]) ORDER BY id FOR UPDATE`.execute(trx);
        await sql`UPDATE api_keys AS k SET usage_count = k.usage_count + u.count, last_used_at = GREATEST(COALESCE(k.last_used_at, 0), u.at)
          FROM unnest(${keys.ids}::text[], ${keys.counts}::bigint[], ${keys.ats}::bigint[]) AS u(id, count, at) WHERE k.id = u.id`.execute(trx);
        await sql`UPDATE key_versions AS v SET usage_count = v.usage_count + u.count, last_used_at = GREATEST(COALESCE(v.last_used_at, 0), u.at)
          FROM unnest(${versions.ids}::text[], ${versions.counts}::bigint[], ${versions.ats}::bigint[]) AS u(id, count, at) WHERE v.id = u.id`.execute(trx);
      });
    });
  }

  checkpoint(): Promise<void> {
    if (this.backend.kind !== 'sqlite') return Promise.resolve();
    const writer = this.#usageWriter;
    if (writer) return this.#guard('checkpoint', () => writer.checkpoint());
    const database = this.backend.database;
    // Holding kysely's connection guarantees no kysely transaction is open on the handle.
    return this.#guard('checkpoint', () =>
      this.#db.connection().execute(async () => {
        database.pragma('wal_checkpoint(PASSIVE)');
      }),
    );
  }

  // ---- audit ----

  appendAudit(event: NewAuditEvent): Promise<AuditEvent> {
    return this.#guard('appendAudit', async () => {
      const row = {
        account_id: event.accountId,
        at: event.at ?? this.#clock(),
        action: event.action,
        actor_key_id: event.actorKeyId,
        key_id: event.keyId ?? null,
        ip: event.ip,
        request_id: event.requestId,
        outcome: event.outcome,
        details: JSON.stringify(event.details ?? {}),
      };
      const inserted = await this.#db.insertInto('audit_events').values(row).returning('id').executeTakeFirstOrThrow();
      return toAuditEvent({ ...row, id: Number(inserted.id) });
    });
  }

  listAudit(accountId: string | null, filter: AuditFilter = {}, page?: PageRequest): Promise<Page<AuditEvent>> {
    return this.#guard('listAudit', async () => {
      const limit = clampLimit(page);
      const listing = `audit:${accountId ?? '*'}`;
      let query = this.#db.selectFrom('audit_events').selectAll();
      if (accountId !== null) query = query.where('account_id', '=', accountId);
      if (filter.action !== undefined) query = query.where('action', '=', filter.action);
      if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
      if (filter.actorKeyId !== undefined) query = query.where('actor_key_id', '=', filter.actorKeyId);
      if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
      if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
      if (filter.until !== undefined) query = query.where('at', '<', filter.until);
      if (page?.cursor) query = query.where('id', '<', decodeSequenceCursor(listing, page.cursor));
      const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toAuditEvent);
      const last = rows[Math.min(rows.length, limit) - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeSequenceCursor(listing, Number(last.id)) : null };
    }, true);
  }

  // ---- health ----

  ping(): Promise<void> {
    return this.#guard('ping', async () => {
      await sql`SELECT 1`.execute(this.#db);
    });
  }

  async close(): Promise<void> {
    await this.#usageWriter?.close();
    await this.#db.destroy();
  }
}
