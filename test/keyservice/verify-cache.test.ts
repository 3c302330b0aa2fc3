// The verify cache and the key change feed, as an attacker would probe them: a key revoked
// through this process, through another replica, while the change feed is failing, or while a
// lookup was in flight must stop verifying within the documented bound.
import { beforeEach, expect, it } from '@jest/globals';
import { KeyChangeFeed, MAX_CHANGES_PER_POLL } from '../../src/keyservice/key-change-feed.js';
import { KeyChecker } from '../../src/keyservice/key-check.js';
import { KeyRateLimiter } from '../../src/keyservice/rate-limit.js';
import { UsageBuffer } from '../../src/keyservice/usage-buffer.js';
import { StoreUnavailableError, type Account, type DigestMatch, type KeyStore } from '../../src/keyservice/store/index.js';
import { eachBackend, ManualClock, newSecret } from './store/backends.js';

const STALENESS_MS = 1000;

eachBackend('verify cache with the key change feed', (backend) => {
  let clock: ManualClock;
  let url: string;
  let here: KeyStore; // the store of the replica that verifies
  let there: KeyStore; // another replica's store on the same database
  let account: Account;
  let lookups: number;
  let feed: KeyChangeFeed;
  let checker: KeyChecker;
  let feedErrors: unknown[];

  const create = async (name: string, store: KeyStore = there, extra: { expiresAt?: number } = {}) => {
    const { secret, version } = newSecret();
    const created = await store.createKey({ accountId: account.id, name, environment: 'production', mode: 'live', ...extra }, version);
    if (typeof created === 'string') throw new Error(created);
    return { secret, ...created };
  };
  const check = async (secret: string, using: KeyChecker = checker) => (await using.check(secret, undefined, [], clock.now)).code;
  const makeChecker = async (store: Pick<KeyStore, 'findByDigest'>, changes: KeyChangeFeed): Promise<KeyChecker> =>
    new KeyChecker({
      store,
      limiter: await KeyRateLimiter.create(here.backend, 3000),
      usage: new UsageBuffer(here, () => undefined),
      keyPrefix: 'kw',
      pepper: 'test-pepper',
      defaultRateLimit: { requests: 1_000_000, perSeconds: 3600 },
      cacheTtlMs: 60_000,
      negativeCacheTtlMs: 250,
      changes,
      maxStalenessMs: STALENESS_MS,
    });

  beforeEach(async () => {
    clock = new ManualClock();
    url = await backend().freshUrl();
    here = await backend().open({ url, clock: clock.read });
    there = await backend().open({ url, clock: clock.read });
    account = await there.createAccount('acme');
    lookups = 0;
    feedErrors = [];
    const counted: Pick<KeyStore, 'findByDigest'> = {
      findByDigest: (digest: string): Promise<DigestMatch | undefined> => {
        lookups++;
        return here.findByDigest(digest);
      },
    };
    feed = new KeyChangeFeed({
      store: here,
      clock: clock.read,
      onChanged: (ids) => checker.invalidateKeys(ids),
      onReset: () => checker.invalidate(),
      onError: (err) => feedErrors.push(err),
    });
    checker = await makeChecker(counted, feed);
    await feed.poll();
  });

  it('answers a found key from memory: one lookup for many checks', async () => {
    const key = await create('hot');
    for (let i = 0; i < 5; i++) expect(await check(key.secret)).toBe('VALID');
    expect(lookups).toBe(1);
  });

  it('refuses at once a key revoked through this process (the route drops it from the cache)', async () => {
    const key = await create('local', here);
    expect(await check(key.secret)).toBe('VALID');
    await here.revokeKey(account.id, key.key.id);
    checker.invalidateKeys([key.key.id]);
    expect(await check(key.secret)).toBe('REVOKED');
  });

  it('refuses a key revoked through another replica as soon as the change feed has polled', async () => {
    const key = await create('remote');
    await feed.poll();
    expect(await check(key.secret)).toBe('VALID');
    clock.advance(100);
    await there.revokeKey(account.id, key.key.id);
    await feed.poll();
    expect(await check(key.secret)).toBe('REVOKED');
  });

  it('refuses a version revoked, a key disabled or re-scoped through another replica after one poll', async () => {
    const key = await create('changed');
    const rotated = await there.addVersion(account.id, key.key.id, newSecret().version, { previousOverlapUntil: clock.now + 60_000 });
    if (typeof rotated === 'string') throw new Error(rotated);
    expect(await check(key.secret)).toBe('VALID');
    await there.revokeVersion(account.id, key.key.id, key.version.id);
    await feed.poll();
    expect(await check(key.secret)).toBe('REVOKED');

    const other = await create('disabled');
    expect(await check(other.secret)).toBe('VALID');
    await there.updateKey(account.id, other.key.id, { enabled: false });
    await feed.poll();
    expect(await check(other.secret)).toBe('DISABLED');
  });

  it('sees a change committed late with an older updatedAt (a lagging replica clock) within the margin', async () => {
    const key = await create('late');
    clock.advance(5000);
    await create('newer'); // the feed's newest change is now 5 s after the next one
    await feed.poll();
    expect(await check(key.secret)).toBe('VALID');
    const lagging = await backend().open({ url, clock: () => clock.now - 4000 });
    await lagging.revokeKey(account.id, key.key.id);
    await feed.poll();
    expect(await check(key.secret)).toBe('REVOKED');
  });

  it('stops answering from memory when the change feed has not polled successfully for longer than the bound', async () => {
    const key = await create('feed-down');
    expect(await check(key.secret)).toBe('VALID');
    await there.revokeKey(account.id, key.key.id);
    // No poll: within the bound the cached answer may still be served …
    clock.advance(STALENESS_MS);
    expect(await check(key.secret)).toBe('VALID');
    // … past it, every check reads the database again.
    clock.advance(1);
    expect(await check(key.secret)).toBe('REVOKED');
  });

  it('reports a failing poll and keeps the cache out of use until a poll succeeds again', async () => {
    let down = false;
    let flakyChecker: KeyChecker | undefined;
    const flaky = new KeyChangeFeed({
      store: {
        keyChangesSince: (since, limit) => (down ? Promise.reject(new StoreUnavailableError('the key store is unavailable')) : here.keyChangesSince(since, limit)),
        latestKeyChange: () => here.latestKeyChange(),
      },
      clock: clock.read,
      onChanged: (ids) => flakyChecker?.invalidateKeys(ids),
      onReset: () => flakyChecker?.invalidate(),
      onError: (err) => feedErrors.push(err),
    });
    flakyChecker = await makeChecker(here, flaky);
    await flaky.poll();
    const key = await create('poll-fails');
    await flaky.poll();
    expect(await check(key.secret, flakyChecker)).toBe('VALID');
    down = true;
    const lastGood = flaky.lastSyncStartedAt;
    await there.revokeKey(account.id, key.key.id);
    clock.advance(10);
    await flaky.poll();
    expect(feedErrors).toHaveLength(1);
    expect(flaky.lastSyncStartedAt).toBe(lastGood);
    expect(await check(key.secret, flakyChecker)).toBe('VALID'); // within the bound
    clock.advance(STALENESS_MS);
    expect(await check(key.secret, flakyChecker)).toBe('REVOKED'); // past it: the database answers
    down = false;
    await flaky.poll();
    expect(flaky.lastSyncStartedAt).toBe(clock.now);
  });

  it('does not cache a lookup that was in flight while the key changed (it may predate the change)', async () => {
    const key = await create('in-flight');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowStore: Pick<KeyStore, 'findByDigest'> = {
      findByDigest: async (digest) => {
        const before = await here.findByDigest(digest);
        await gate;
        return before;
      },
    };
    const slow = await makeChecker(slowStore, feed);
    const inFlight = slow.check(key.secret, undefined, [], clock.now);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await there.revokeKey(account.id, key.key.id);
    slow.invalidateKeys([key.key.id]);
    release();
    expect((await inFlight).code).toBe('VALID'); // read before the revocation
    expect(slow.cachedEntries).toBe(0);
    expect((await slow.check(key.secret, undefined, [], clock.now)).code).toBe('REVOKED');
  });

  it('evaluates expiry and the end of an overlap at every check, never from the cached answer', async () => {
    const key = await create('expiring', there, { expiresAt: clock.now + 10_000 });
    const rotated = await there.addVersion(account.id, key.key.id, newSecret().version, { previousOverlapUntil: clock.now + 5000 });
    if (typeof rotated === 'string') throw new Error(rotated);
    await feed.poll();
    expect(await check(key.secret)).toBe('VALID');
    clock.advance(5000);
    await feed.poll();
    expect(await check(key.secret)).toBe('REVOKED');
    clock.advance(5000);
    await feed.poll();
    expect(await check(key.secret)).toBe('REVOKED');
    expect(lookups).toBe(1);
  });

  it('keeps an unknown key only briefly (a key created later is found after the negative TTL)', async () => {
    const { secret } = newSecret();
    expect(await check(secret)).toBe('NOT_FOUND');
    expect(await check(secret)).toBe('NOT_FOUND');
    expect(lookups).toBe(1);
    clock.advance(250);
    await feed.poll();
    expect(await check(secret)).toBe('NOT_FOUND');
    expect(lookups).toBe(2);
  });

  it('forgets everything after a bulk change too large to list key by key', async () => {
    const key = await create('bulk-victim');
    await feed.poll();
    expect(await check(key.secret)).toBe('VALID');
    expect(checker.cachedEntries).toBe(1);
    clock.advance(1);
    if (there.backend.kind === 'sqlite') {
      const db = there.backend.database;
      db.prepare('UPDATE api_keys SET updated_at = ?').run(clock.now);
      const insert = db.prepare(
        `INSERT INTO api_keys (id, account_id, name, environment, mode, scopes, allowed_cidrs, limits, enabled, metadata, revision, created_at, updated_at, current_version_id, display_prefix, usage_count)
         VALUES (?, ?, ?, 'p', 'live', '[]', '[]', '{}', 1, '{}', 1, ?, ?, 'kver_x', 'kw_live_x', 0)`,
      );
      db.transaction(() => {
        for (let i = 0; i <= MAX_CHANGES_PER_POLL; i++) insert.run(`key_bulk${i}`, account.id, `bulk-${i}`, clock.now, clock.now);
      })();
    } else {
      await there.backend.pool.query(
        `INSERT INTO api_keys (id, account_id, name, environment, mode, scopes, allowed_cidrs, limits, enabled, metadata, revision, created_at, updated_at, current_version_id, display_prefix, usage_count)
         SELECT 'key_bulk' || i, $1, 'bulk-' || i, 'p', 'live', '[]', '[]', '{}', 1, '{}', 1, $2, $2, 'kver_x', 'kw_live_x', 0 FROM generate_series(0, $3) AS i`,
        [account.id, clock.now, MAX_CHANGES_PER_POLL],
      );
    }
    await feed.poll();
    expect(checker.cachedEntries).toBe(0);
    expect(await check(key.secret)).toBe('VALID');
    // Once the bulk is older than the margin it is not read again: the cache stays in use.
    clock.advance(10_001);
    await feed.poll();
    expect(await check(key.secret)).toBe('VALID');
    await feed.poll();
    expect(checker.cachedEntries).toBe(1);
    expect(lookups).toBe(2);
  });
});
