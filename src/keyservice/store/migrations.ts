// Versioned schema migrations, in code. Run at every open; already-applied ones are skipped.
// Never edit a released migration: add a new one with the next number.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { autoIncrementType, type DialectKind } from './dialect.js';

function initialSchema(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('accounts_created').on('accounts').columns(['created_at', 'id']).execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('integration', 'text')
        .addColumn('service', 'text')
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('allowed_cidrs', 'text', (c) => c.notNull())
        .addColumn('limits', 'text', (c) => c.notNull())
        .addColumn('rate_limit', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('current_version_id', 'text', (c) => c.notNull())
        .addColumn('display_prefix', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('usage_count', 'bigint', (c) => c.notNull())
        .execute();
      // A name is unique per account among keys that are not revoked (partial index: both dialects).
      await db.schema
        .createIndex('api_keys_account_name_live')
        .on('api_keys')
        .columns(['account_id', 'name'])
        .unique()
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
      // Keyset pagination of an account's keys.
      await db.schema.createIndex('api_keys_account_created').on('api_keys').columns(['account_id', 'created_at', 'id']).execute();

      await db.schema
        .createTable('key_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id'))
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('display_prefix', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('overlap_until', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .addColumn('usage_count', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('key_versions_key_number', ['key_id', 'number'])
        // NULLs are distinct in both dialects: versions without an idempotency key never clash.
        .addUniqueConstraint('key_versions_key_idempotency', ['key_id', 'idempotency_key'])
        .execute();
      // The hot path of verify and authentication.
      await db.schema.createIndex('key_versions_digest').on('key_versions').column('digest').unique().execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', autoIncrementType(kind), (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('account_id', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor_key_id', 'text')
        .addColumn('key_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('request_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_account').on('audit_events').columns(['account_id', 'id']).execute();
      await db.schema.createIndex('audit_events_key').on('audit_events').columns(['key_id', 'id']).execute();
    },
  };
}

/**
 * The rotated-out sweep (`revokeRotatedOut`, every minute) looks for versions whose overlap has
 * ended and that are not revoked yet: a partial index over just those few rows turns a scan of
 * every version into an index search.
 */
const rotatedOutIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('key_versions_overlap_pending')
      .on('key_versions')
      .column('overlap_until')
      .where((eb) => eb.and([eb(sql.ref('revoked_at'), 'is', null), eb(sql.ref('overlap_until'), 'is not', null)]))
      .execute();
  },
};

/**
 * Every service process polls the keys changed in the last seconds (`keyChangesSince`, a few
 * times a second) to drop its cached verify lookups: an index on updated_at makes that a search.
 */
const keyChangesIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('api_keys_updated').on('api_keys').column('updated_at').execute();
  },
};

/** A retried rotation must repeat the first one's parameters: they are kept with the version it made. */
const rotationFingerprint: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('key_versions').addColumn('idempotency_fingerprint', 'text').execute();
  },
};

/** The migrations of this store, by name (applied in name order). */
export function storeMigrations(kind: DialectKind): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return { '0001_initial_schema': initialSchema(kind), '0002_rotated_out_index': rotatedOutIndex, '0003_key_changes_index': keyChangesIndex,
        '0004_rotation_fingerprint': rotationFingerprint,
      };
    },
  };
}
