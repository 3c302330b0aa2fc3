import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import { versionStatus, type Account, type KeyRecord, type KeyStore, type KeyVersion, type PromoteResult, type RotateOptions, type RotateResult } from '../../../src/keyservice/store/index.js';
import { eachBackend, ManualClock, newSecret } from './backends.js';

const HOUR = 3_600_000;

eachBackend('key store: deferred rotation and promotion', (backend) => {
  let clock: ManualClock;
  let store: KeyStore;
  let account: Account;
  let key: KeyRecord;
  let first: KeyVersion;

  const versionsOf = async (): Promise<KeyVersion[]> => (await store.listVersions(account.id, key.id)) as KeyVersion[];
  const rotate = async (options: RotateOptions): Promise<RotateResult> => {
    const result = await store.addVersion(account.id, key.id, newSecret().version, options);
    if (typeof result === 'string') throw new Error(result);
    return result;
  };
  const promote = async (versionId: string, until: number | null): Promise<PromoteResult> => {
    const result = await store.promoteVersion(account.id, key.id, versionId, until);
    if (typeof result === 'string') throw new Error(result);
    return result;
  };

  beforeAll(async () => {
    clock = new ManualClock();
    store = await backend().openShared({ clock: clock.read });
  });

  beforeEach(async () => {
    clock.now = new ManualClock().now;
    account = await store.createAccount('acme');
    const created = await store.createKey({ accountId: account.id, name: 'k', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof created === 'string') throw new Error(created);
    ({ key, version: first } = created);
  });

  it('deferred rotation: the new version is valid at once, the current one stays current and no version gets an end', async () => {
    clock.advance(10);
    const rotated = await rotate({ previousOverlapUntil: clock.now + HOUR, promotion: 'deferred' });
    expect(rotated.version).toMatchObject({ number: 2, overlapUntil: null, revokedAt: null });
    expect(rotated.key).toMatchObject({ currentVersionId: first.id, displayPrefix: first.displayPrefix, revision: 2 });
    const versions = await versionsOf();
    expect(versions.map((v) => [v.number, v.overlapUntil, v.revokedAt])).toEqual([[2, null, null], [1, null, null]]);
    expect((await store.findByDigest(rotated.version.digest))?.version.revokedAt).toBeNull();
  });

  it('promotion makes the version current and gives every older version its end', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    clock.advance(1000);
    const promoted = await promote(pending.version.id, clock.now + HOUR);
    expect(promoted.changed).toBe(true);
    expect(promoted.key).toMatchObject({ currentVersionId: pending.version.id, displayPrefix: pending.version.displayPrefix, revision: 3, updatedAt: clock.now });
    expect(promoted.version).toEqual(pending.version);
    expect(promoted.previous.map((v) => [v.id, v.overlapUntil])).toEqual([[first.id, clock.now + HOUR]]);
    const old = (await versionsOf())[1]!;
    expect(versionStatus(old, clock.now + HOUR - 1)).toBe('active');
    expect(versionStatus(old, clock.now + HOUR)).toBe('rotated_out');
  });

  it('a replayed promotion changes nothing: same key revision, same ends, changed false', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    const promoted = await promote(pending.version.id, clock.now + HOUR);
    clock.advance(60_000);
    const again = await promote(pending.version.id, clock.now + HOUR);
    expect(again.changed).toBe(false);
    expect(again.key).toEqual(promoted.key);
    expect(again.previous).toEqual(promoted.previous);
    expect(await versionsOf()).toEqual([pending.version, ...promoted.previous]);
  });

  it('a promotion never extends an earlier, shorter end of an older version', async () => {
    // v1 ends in 5 s after an immediate rotation to v2; then v3 is made deferred and promoted for an hour.
    const second = await rotate({ previousOverlapUntil: clock.now + 5000 });
    const shortEnd = clock.now + 5000;
    const third = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    clock.advance(1000);
    const promoted = await promote(third.version.id, clock.now + HOUR);
    expect(promoted.previous.map((v) => [v.id, v.overlapUntil])).toEqual([
      [second.version.id, clock.now + HOUR],
      [first.id, shortEnd],
    ]);
  });

  it('a promotion with no overlap revokes every older version at once', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    const promoted = await promote(pending.version.id, null);
    expect(promoted.previous).toEqual([]);
    expect((await store.findByDigest(first.digest))?.version.revokedAt).toBe(clock.now);
  });

  it('refuses to promote a revoked version, a version past its overlap, or a version of a revoked key', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    await store.revokeVersion(account.id, key.id, pending.version.id);
    expect(await store.promoteVersion(account.id, key.id, pending.version.id, clock.now + HOUR)).toBe('revoked');
    // Nothing changed for the old version: no end was given to it.
    expect((await versionsOf())[1]).toMatchObject({ id: first.id, overlapUntil: null, revokedAt: null });

    const next = await rotate({ previousOverlapUntil: clock.now + 1000 });
    clock.advance(1000);
    // v1 is past its overlap (not swept yet): it is as good as revoked.
    expect(await store.promoteVersion(account.id, key.id, first.id, clock.now + HOUR)).toBe('revoked');

    await store.revokeKey(account.id, key.id);
    expect(await store.promoteVersion(account.id, key.id, next.version.id, clock.now + HOUR)).toBe('revoked');
  });

  it('answers not_found for another account, another key, or an unknown version, and changes nothing', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    const intruder = await store.createAccount('intruder');
    const theirs = await store.createKey({ accountId: intruder.id, name: 'k', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof theirs === 'string') throw new Error(theirs);
    expect(await store.promoteVersion(intruder.id, key.id, pending.version.id, clock.now + HOUR)).toBe('not_found');
    expect(await store.promoteVersion(intruder.id, theirs.key.id, pending.version.id, clock.now + HOUR)).toBe('not_found');
    expect(await store.promoteVersion(account.id, key.id, 'kver_unknown', clock.now + HOUR)).toBe('not_found');
    expect(await store.promoteVersion(account.id, key.id, theirs.version.id, clock.now + HOUR)).toBe('not_found');
    expect((await store.getKey(account.id, key.id))?.currentVersionId).toBe(first.id);
    expect((await versionsOf()).every((v) => v.overlapUntil === null && v.revokedAt === null)).toBe(true);
  });

  it('refuses to promote a version older than the current one (a promotion never goes backwards)', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    const newer = await rotate({ previousOverlapUntil: clock.now + HOUR });
    expect(await store.promoteVersion(account.id, key.id, pending.version.id, clock.now + HOUR)).toBe('superseded');
    expect((await store.getKey(account.id, key.id))?.currentVersionId).toBe(newer.version.id);
  });

  it('rollback: revoking the pending version leaves the old one current and valid with no end', async () => {
    const pending = await rotate({ previousOverlapUntil: clock.now + HOUR, promotion: 'deferred' });
    await store.revokeVersion(account.id, key.id, pending.version.id);
    clock.advance(40 * 24 * HOUR);
    await store.revokeRotatedOut();
    const old = await store.findByDigest(first.digest);
    expect(old?.version).toMatchObject({ overlapUntil: null, revokedAt: null });
    expect(old?.key.currentVersionId).toBe(first.id);
    expect(versionStatus(old!.version, clock.now)).toBe('active');
  });

  it('an immediate rotation after a pending one gives every older version an end (none is left valid forever)', async () => {
    const pending = await rotate({ previousOverlapUntil: null, promotion: 'deferred' });
    const latest = await rotate({ previousOverlapUntil: clock.now + HOUR });
    const versions = await versionsOf();
    expect(versions.map((v) => [v.id, v.overlapUntil])).toEqual([
      [latest.version.id, null],
      [pending.version.id, clock.now + HOUR],
      [first.id, clock.now + HOUR],
    ]);
  });

  it('refuses a retried rotation whose parameters differ from the first one, and changes nothing', async () => {
    const firstTry = await rotate({ previousOverlapUntil: clock.now + HOUR, idempotencyKey: 'r2', fingerprint: 'immediate/3600000' });
    const before = await versionsOf();
    const other = await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: null, promotion: 'deferred', idempotencyKey: 'r2', fingerprint: 'deferred' });
    expect(other).toBe('idempotency_key_reused');
    expect(await versionsOf()).toEqual(before);
    // The same parameters replay; no fingerprint (an older caller) is not compared.
    const same = await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: clock.now + HOUR, idempotencyKey: 'r2', fingerprint: 'immediate/3600000' });
    expect(typeof same !== 'string' && same.version).toEqual(firstTry.version);
    const unspecified = await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: null, idempotencyKey: 'r2' });
    expect(typeof unspecified !== 'string' && unspecified.created).toBe(false);
  });

  it('a replayed deferred rotation (same idempotency key) returns the pending version', async () => {
    const firstTry = await rotate({ previousOverlapUntil: null, promotion: 'deferred', idempotencyKey: 'r1' });
    const retry = await rotate({ previousOverlapUntil: null, promotion: 'deferred', idempotencyKey: 'r1' });
    expect(retry.created).toBe(false);
    expect(retry.version).toEqual(firstTry.version);
    expect(await versionsOf()).toHaveLength(2);
  });
});
