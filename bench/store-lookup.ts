// `npm run bench -- store-lookup [--lookups N] [--keys N]`: cost of the verify hot path in the
// store, `findByDigest`, on SQLite with 10,000 and with 1,000,000 (`--keys`) keys, in one process.
// Baseline in the same run: the same lookup written with kysely's query builder (what every
// other store method uses), to show what the hand-prepared statement saves.
// Keys are inserted straight into the tables in bulk transactions with random digests (the
// lookup only needs digests); lookups hit random present digests (plus 10% misses).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { openStore, type KeyStore } from '../src/keyservice/store/index.js';
import { newId } from '../src/keyservice/store/ids.js';
import type { StoreDatabase } from '../src/keyservice/store/schema.js';

function progress(msg: string): void {
  process.stderr.write(`[bench store-lookup] ${msg}\n`);
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Adds keys (one version each) until the store holds `total`; returns every digest. */
function loadUpTo(store: KeyStore, accountId: string, digests: string[], total: number): void {
  if (store.backend.kind !== 'sqlite') throw new Error('this bench loads an SQLite store');
  const db = store.backend.database;
  const insertKey = db.prepare(
    `INSERT INTO api_keys (id, account_id, name, environment, integration, service, mode, scopes, allowed_cidrs, limits,
       rate_limit, enabled, expires_at, metadata, revision, created_at, updated_at, revoked_at, current_version_id,
       display_prefix, last_used_at, usage_count)
     VALUES (?, ?, ?, 'production', 'bench', 'lookup', 'live', '["invoices:read"]', '[]', '{}', NULL, 1, NULL, '{}', 1, ?, ?,
       NULL, ?, 'kw_live_xxxx', NULL, 0)`,
  );
  const insertVersion = db.prepare(
    `INSERT INTO key_versions (id, key_id, account_id, number, digest, display_prefix, idempotency_key, created_at,
       overlap_until, revoked_at, last_used_at, usage_count)
     VALUES (?, ?, ?, 1, ?, 'kw_live_xxxx', NULL, ?, NULL, NULL, NULL, 0)`,
  );
  const now = Date.now();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const keyId = newId('key');
      const versionId = newId('kver');
      const digest = randomBytes(32).toString('hex');
      insertKey.run(keyId, accountId, `bench-${i}`, now, now, versionId);
      insertVersion.run(versionId, keyId, accountId, digest, now);
      digests.push(digest);
    }
  });
  for (let from = digests.length; from < total; from += 20_000) {
    batch(from, Math.min(total, from + 20_000));
    if ((from + 20_000) % 100_000 === 0) progress(`  ${(from + 20_000).toLocaleString('en')} keys`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Lookups per second over `count` lookups cycling through `sample` (sequential awaits, as a request would). */
async function measure(lookup: (digest: string) => Promise<unknown>, sample: readonly string[], count: number): Promise<number> {
  for (let i = 0; i < Math.min(count, 2000); i++) await lookup(sample[i % sample.length]!); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await lookup(sample[i % sample.length]!);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

function sampleOf(digests: readonly string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < size; i++) {
    out.push(i % 10 === 9 ? randomBytes(32).toString('hex') : digests[Math.floor(Math.random() * digests.length)]!);
  }
  return out;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const lookups = flag(args, '--lookups', 200_000);
  const many = flag(args, '--keys', 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'kw-bench-lookup-'));
  const store = await openStore({ url: `sqlite:${join(dir, 'keys.db')}` });
  try {
    if (store.backend.kind !== 'sqlite') throw new Error('unreachable');
    store.backend.database.pragma('synchronous = OFF'); // loading speed only; lookups are reads
    const account = await store.createAccount('bench');
    // The query-builder baseline: the same join through kysely on the same connection.
    const kysely = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: store.backend.database }) });
    const viaKysely = (digest: string) =>
      kysely
        .selectFrom('key_versions as v')
        .innerJoin('api_keys as k', 'k.id', 'v.key_id')
        .innerJoin('accounts as a', 'a.id', 'k.account_id')
        .selectAll()
        .where('v.digest', '=', digest)
        .executeTakeFirst();
    const direct = (digest: string) => store.findByDigest(digest);

    const digests: string[] = [];
    progress('loading 10,000 keys');
    loadUpTo(store, account.id, digests, 10_000);
    const sample10k = sampleOf(digests, 50_000);
    progress(`10,000 keys: ${lookups.toLocaleString('en')} lookups through findByDigest and through the query builder`);
    const direct10k = await measure(direct, sample10k, lookups);
    const kysely10k = await measure(viaKysely, sample10k, lookups);

    progress(`loading up to ${many.toLocaleString('en')} keys`);
    const loadStart = process.hrtime.bigint();
    loadUpTo(store, account.id, digests, many);
    const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;
    const sample1m = sampleOf(digests, 50_000);
    progress(`${many.toLocaleString('en')} keys: ${lookups.toLocaleString('en')} lookups`);
    const direct1m = await measure(direct, sample1m, lookups);
    const kysely1m = await measure(viaKysely, sample1m, lookups);

    return {
      bench: 'store-lookup',
      keys: many,
      loadSeconds: Number(loadSeconds.toFixed(1)),
      lookupsPerSec10k: Math.round(direct10k),
      lookupsPerSecMany: Math.round(direct1m),
      usPerLookup10k: Number((1e6 / direct10k).toFixed(2)),
      usPerLookupMany: Number((1e6 / direct1m).toFixed(2)),
      ratioManyVs10k: Number((direct1m / direct10k).toFixed(3)),
      queryBuilderPerSec10k: Math.round(kysely10k),
      queryBuilderPerSecMany: Math.round(kysely1m),
      directVsQueryBuilder10k: Number((direct10k / kysely10k).toFixed(2)),
      directVsQueryBuilderMany: Number((direct1m / kysely1m).toFixed(2)),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
