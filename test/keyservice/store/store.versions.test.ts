import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import { openStore, versionStatus, type Account, type KeyRecord, type KeyStore, type KeyVersion } from '../../../src/keyservice/store/index.js';
import { eachBackend, ManualClock, newSecret } from './backends.js';
import { raceProcesses, type RaceLine } from './race.js';

eachBackend('key store: versions and the digest lookup', (backend) => {
  let clock: ManualClock;
  let store: KeyStore;
  let account: Account;
  let key: KeyRecord;
  let first: KeyVersion;

  // One database per backend for the block; every test works in accounts of its own.
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

  it('rotates: the new version becomes current and the previous one stays valid until its overlap ends', async () => {
    clock.advance(100);
    const { version } = newSecret();
    const rotated = await store.addVersion(account.id, key.id, version, { previousOverlapUntil: clock.now + 3_600_000 });
    if (typeof rotated === 'string') throw new Error(rotated);
    expect(rotated.created).toBe(true);
    expect(rotated.version).toMatchObject({ number: 2, digest: version.digest, overlapUntil: null, revokedAt: null, createdAt: clock.now });
    expect(rotated.key).toMatchObject({ currentVersionId: rotated.version.id, displayPrefix: version.displayPrefix, revision: 2 });
    const versions = (await store.listVersions(account.id, key.id)) as KeyVersion[];
    expect(versions.map((v) => v.number)).toEqual([2, 1]);
    expect(versions[1]).toMatchObject({ id: first.id, overlapUntil: clock.now + 3_600_000, revokedAt: null });
    expect(versionStatus(versions[1]!, clock.now)).toBe('active');
    expect(versionStatus(versions[1]!, clock.now + 3_600_000)).toBe('rotated_out');
  });

  it('revokes the previous version at once when there is no overlap', async () => {
    const rotated = await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: null });
    if (typeof rotated === 'string') throw new Error(rotated);
    const old = await store.findByDigest(first.digest);
    expect(old?.version.revokedAt).toBe(clock.now);
    expect(versionStatus(old!.version, clock.now)).toBe('revoked');
  });

  it('never lets an older version outlive the newest overlap', async () => {
    await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: clock.now + 10_000 });
    await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: clock.now + 5_000 });
    const versions = (await store.listVersions(account.id, key.id)) as KeyVersion[];
    expect(versions.map((v) => v.overlapUntil)).toEqual([null, clock.now + 5_000, clock.now + 5_000]);
  });

  it('returns the same version for a retried rotation with the same idempotency key', async () => {
    const firstTry = await store.addVersion(account.id, key.id, newSecret().version, { idempotencyKey: 'rotate-1', previousOverlapUntil: clock.now + 1000 });
    const retry = await store.addVersion(account.id, key.id, newSecret().version, { idempotencyKey: 'rotate-1', previousOverlapUntil: clock.now + 1000 });
    if (typeof firstTry === 'string' || typeof retry === 'string') throw new Error('rotation failed');
    expect(firstTry.created).toBe(true);
    expect(retry.created).toBe(false);
    expect(retry.version).toEqual(firstTry.version);
    expect(retry.key.revision).toBe(firstTry.key.revision);
    expect(((await store.listVersions(account.id, key.id)) as KeyVersion[]).length).toBe(2);
    // Another idempotency key is another rotation.
    const next = await store.addVersion(account.id, key.id, newSecret().version, { idempotencyKey: 'rotate-2', previousOverlapUntil: null });
    expect(typeof next !== 'string' && next.version.number).toBe(3);
  });

  it('creates exactly one version per idempotency key when two processes rotate one key at once', async () => {
    const url = await backend().freshUrl();
    const setup = await backend().open({ url });
    const acct = await setup.createAccount('race');
    const created = await setup.createKey({ accountId: acct.id, name: 'raced', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof created === 'string') throw new Error(created);
    const rounds = 5;
    const outputs = await raceProcesses(2, [url, acct.id, created.key.id, String(rounds)]);
    const perRound = new Map<number, RaceLine[]>();
    for (const line of outputs.flat()) perRound.set(line.round, [...(perRound.get(line.round) ?? []), line]);
    expect(perRound.size).toBe(rounds);
    for (const lines of perRound.values()) {
      const idempotent = lines.flatMap((l) => l.idempotent);
      expect(idempotent.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(idempotent.map((r) => r.versionId)).size).toBe(1);
      expect(lines.every((l) => l.plain.created)).toBe(true);
    }
    const versions = (await setup.listVersions(acct.id, created.key.id)) as KeyVersion[];
    const total = 1 + rounds * (1 + 2);
    expect(versions.map((v) => v.number)).toEqual(Array.from({ length: total }, (_, i) => total - i));
    const current = await setup.getKey(acct.id, created.key.id);
    expect(current?.currentVersionId).toBe(versions[0]!.id);
    expect(current?.revision).toBe(total);
    // Only the current version is without an end.
    expect(versions.filter((v) => v.overlapUntil === null && v.revokedAt === null).map((v) => v.number)).toEqual([total]);
  }, 60_000);

  it('finds a version, its key and its account by digest, and nothing for an unknown digest', async () => {
    const match = await store.findByDigest(first.digest);
    expect(match).toEqual({ key, version: first, account });
    expect(await store.findByDigest(newSecret().version.digest)).toBeUndefined();
    expect(await store.findByDigest('')).toBeUndefined();
  });

  it('still finds revoked versions and keys by digest so the caller can answer REVOKED', async () => {
    await store.revokeKey(account.id, key.id);
    const match = await store.findByDigest(first.digest);
    expect(match?.key.revokedAt).toBe(clock.now);
    expect(match?.version.revokedAt).toBe(clock.now);
  });

  it('revokes one version, bumping the key revision, idempotently', async () => {
    const rotated = await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: clock.now + 60_000 });
    if (typeof rotated === 'string') throw new Error(rotated);
    clock.advance(5);
    const revoked = await store.revokeVersion(account.id, key.id, first.id);
    expect(revoked).toMatchObject({ id: first.id, revokedAt: clock.now });
    expect((await store.getKey(account.id, key.id))?.revision).toBe(rotated.key.revision + 1);
    clock.advance(5);
    expect(await store.revokeVersion(account.id, key.id, first.id)).toEqual(revoked);
    expect((await store.getKey(account.id, key.id))?.revision).toBe(rotated.key.revision + 1);
    expect(await store.revokeVersion(account.id, key.id, 'kver_unknown')).toBe('not_found');
    expect((await store.findByDigest(rotated.version.digest))?.version.revokedAt).toBeNull();
  });

  it('sweeps versions whose overlap has ended into revoked, at their overlap end', async () => {
    // The sweep spans every account: a database of its own.
    const store = await backend().open({ clock: clock.read });
    const account = await store.createAccount('sweep');
    const created = await store.createKey({ accountId: account.id, name: 'k', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof created === 'string') throw new Error(created);
    const { key, version: first } = created;
    const end = clock.now + 1000;
    await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: end });
    expect(await store.revokeRotatedOut(end - 1)).toBe(0);
    clock.now = end + 500;
    expect(await store.revokeRotatedOut()).toBe(1);
    expect((await store.findByDigest(first.digest))?.version.revokedAt).toBe(end);
    expect(await store.revokeRotatedOut()).toBe(0);
  });

  it('sees a revocation made through another store on the same database at once', async () => {
    const url = await backend().freshUrl();
    const one = await openStore({ url });
    const two = await openStore({ url });
    try {
      const acct = await one.createAccount('shared');
      const { version } = newSecret();
      const created = await one.createKey({ accountId: acct.id, name: 'shared', environment: 'production', mode: 'live' }, version);
      if (typeof created === 'string') throw new Error(created);
      expect((await two.findByDigest(version.digest))?.key.revokedAt).toBeNull();
      await one.revokeKey(acct.id, created.key.id);
      expect((await two.findByDigest(version.digest))?.key.revokedAt).not.toBeNull();
    } finally {
      await one.close();
      await two.close();
    }
  });
});
