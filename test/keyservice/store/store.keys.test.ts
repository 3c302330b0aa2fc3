import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import { InvalidCursorError, keyStatus, type Account, type KeyStore, type NewKey } from '../../../src/keyservice/store/index.js';
import { eachBackend, ManualClock, newSecret } from './backends.js';

eachBackend('key store: keys', (backend) => {
  let clock: ManualClock;
  let store: KeyStore;
  let account: Account;
  let other: Account;

  // One database per backend for the block; every test works in accounts of its own.
  beforeAll(async () => {
    clock = new ManualClock();
    store = await backend().openShared({ clock: clock.read });
  });

  beforeEach(async () => {
    clock.now = new ManualClock().now;
    account = await store.createAccount('acme');
    other = await store.createAccount('globex');
  });

  const keyInput = (overrides: Partial<NewKey> = {}): NewKey => ({
    accountId: account.id,
    name: 'production-order-bot',
    environment: 'production',
    integration: 'order-bot',
    service: 'billing',
    mode: 'live',
    scopes: ['invoices:read', 'payouts:write'],
    allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'],
    limits: { max_payout: '55.00' },
    rateLimit: { requests: 100, windowSeconds: 3600 },
    expiresAt: clock.now + 86_400_000,
    metadata: { team: 'payments', nested: { a: [1, 2] } },
    ...overrides,
  });

  async function create(overrides: Partial<NewKey> = {}) {
    const created = await store.createKey(keyInput(overrides), newSecret().version);
    if (typeof created === 'string') throw new Error(`createKey answered ${created}`);
    return created;
  }

  it('creates a key with its first version and reads every field back', async () => {
    const { secret, version } = newSecret();
    const created = await store.createKey(keyInput(), version);
    if (typeof created === 'string') throw new Error(created);
    expect(created.key).toMatchObject({
      accountId: account.id,
      name: 'production-order-bot',
      environment: 'production',
      integration: 'order-bot',
      service: 'billing',
      mode: 'live',
      scopes: ['invoices:read', 'payouts:write'],
      allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'],
      limits: { max_payout: '55.00' },
      rateLimit: { requests: 100, windowSeconds: 3600 },
      enabled: true,
      expiresAt: clock.now + 86_400_000,
      metadata: { team: 'payments', nested: { a: [1, 2] } },
      revision: 1,
      createdAt: clock.now,
      revokedAt: null,
      currentVersionId: created.version.id,
      displayPrefix: version.displayPrefix,
      usageCount: 0,
      lastUsedAt: null,
    });
    expect(created.version).toMatchObject({ keyId: created.key.id, number: 1, digest: version.digest, overlapUntil: null, revokedAt: null });
    expect(await store.getKey(account.id, created.key.id)).toEqual(created.key);
    expect(await store.getKeyByName(account.id, 'production-order-bot')).toEqual(created.key);
    // The secret itself is stored nowhere: only its digest and display prefix.
    expect(JSON.stringify(await store.listKeys(account.id))).not.toContain(secret.slice(12));
  });

  it('applies defaults for optional fields', async () => {
    const created = await store.createKey({ accountId: account.id, name: 'minimal', environment: 'staging', mode: 'test' }, newSecret('test').version);
    if (typeof created === 'string') throw new Error(created);
    expect(created.key).toMatchObject({ integration: null, service: null, scopes: [], allowedCidrs: [], limits: {}, rateLimit: null, enabled: true, expiresAt: null, metadata: {} });
  });

  it('answers account_not_found for an unknown account and name_taken for a live duplicate name', async () => {
    expect(await store.createKey(keyInput({ accountId: 'acct_missing' }), newSecret().version)).toBe('account_not_found');
    await create();
    expect(await store.createKey(keyInput(), newSecret().version)).toBe('name_taken');
    // Names are per account.
    expect(typeof (await store.createKey(keyInput({ accountId: other.id }), newSecret().version))).toBe('object');
  });

  it('frees the name of a revoked key for a new key', async () => {
    const first = await create();
    await store.revokeKey(account.id, first.key.id);
    const second = await create();
    expect(second.key.id).not.toBe(first.key.id);
    expect((await store.getKeyByName(account.id, 'production-order-bot'))?.id).toBe(second.key.id);
    expect((await store.getKey(account.id, first.key.id))?.revokedAt).toBe(clock.now);
  });

  it("returns nothing for another account's key ids, exactly as for unknown ids", async () => {
    const mine = await create();
    const theirs = (await store.createKey(keyInput({ accountId: other.id }), newSecret().version)) as Exclude<
      Awaited<ReturnType<KeyStore['createKey']>>,
      string
    >;
    expect(await store.getKey(account.id, theirs.key.id)).toBeUndefined();
    expect(await store.getKey(account.id, 'key_doesnotexist')).toBeUndefined();
    expect(await store.updateKey(account.id, theirs.key.id, { enabled: false })).toBe('not_found');
    expect(await store.revokeKey(account.id, theirs.key.id)).toBe('not_found');
    expect(await store.listVersions(account.id, theirs.key.id)).toBe('not_found');
    expect(await store.revokeVersion(account.id, theirs.key.id, theirs.version.id)).toBe('not_found');
    expect(await store.revokeVersion(account.id, mine.key.id, theirs.version.id)).toBe('not_found');
    expect(await store.addVersion(account.id, theirs.key.id, newSecret().version, { previousOverlapUntil: null })).toBe('not_found');
    expect((await store.listKeys(account.id)).items.map((k) => k.id)).toEqual([mine.key.id]);
    // Nothing of theirs changed.
    expect(await store.getKey(other.id, theirs.key.id)).toEqual(theirs.key);
  });

  it('pages through keys in creation order with a stable cursor, also when keys share a timestamp', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      if (i % 3 === 0) clock.advance(1000);
      ids.push((await create({ name: `key-${i}` })).key.id);
    }
    const expected = [...ids].sort((a, b) => {
      const ka = ids.indexOf(a);
      const kb = ids.indexOf(b);
      const ta = Math.floor(ka / 3);
      const tb = Math.floor(kb / 3);
      return ta !== tb ? ta - tb : a < b ? -1 : a > b ? 1 : 0;
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await store.listKeys(account.id, {}, { limit: 3, cursor });
      seen.push(...page.items.map((k) => k.id));
      cursor = page.nextCursor;
      pages += 1;
      // A key created mid-listing lands after the cursor, and is not skipped or repeated.
      if (pages === 1) {
        clock.advance(1000);
        const late = await create({ name: 'late' });
        expected.push(late.key.id);
      }
    } while (cursor !== null);
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
  });

  it('refuses a cursor it did not issue, or one of another account', async () => {
    await create({ name: 'a' });
    await create({ name: 'b' });
    const page = await store.listKeys(account.id, {}, { limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    await expect(store.listKeys(other.id, {}, { cursor: page.nextCursor })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listKeys(account.id, {}, { cursor: 'garbage!' })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listKeys(account.id, {}, { cursor: Buffer.from('[1,2]').toString('base64url') })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('filters keys by environment, integration, service and derived status', async () => {
    const active = await create({ name: 'active' });
    const disabled = await create({ name: 'disabled', enabled: false, environment: 'staging' });
    const expiring = await create({ name: 'expiring', expiresAt: clock.now + 1000, integration: 'crm' });
    const revoked = await create({ name: 'revoked', service: 'ledger' });
    const forever = await create({ name: 'forever', expiresAt: null });
    await store.revokeKey(account.id, revoked.key.id);
    clock.advance(1000);
    const names = async (filter: Parameters<KeyStore['listKeys']>[1]) =>
      (await store.listKeys(account.id, filter)).items.map((k) => k.name).sort();
    expect(await names({ status: 'active' })).toEqual(['active', 'forever']);
    expect(await names({ status: 'disabled' })).toEqual(['disabled']);
    expect(await names({ status: 'expired' })).toEqual(['expiring']);
    expect(await names({ status: 'revoked' })).toEqual(['revoked']);
    expect(await names({ environment: 'staging' })).toEqual(['disabled']);
    expect(await names({ integration: 'crm' })).toEqual(['expiring']);
    expect(await names({ service: 'ledger' })).toEqual(['revoked']);
    expect(await names({ environment: 'production', status: 'active' })).toEqual(['active', 'forever']);
    // The SQL filter and the derived status agree.
    for (const key of [active, disabled, expiring, revoked, forever]) {
      const stored = await store.getKey(account.id, key.key.id);
      expect(await names({ status: keyStatus(stored!, clock.now) })).toContain(stored!.name);
    }
  });

  it('updates with optimistic revisions: a stale revision is a conflict and changes nothing', async () => {
    const { key } = await create();
    clock.advance(5);
    const updated = await store.updateKey(account.id, key.id, { scopes: ['invoices:read'], enabled: false, metadata: {} }, 1);
    expect(updated).toMatchObject({ scopes: ['invoices:read'], enabled: false, metadata: {}, revision: 2, updatedAt: clock.now, name: key.name });
    expect(await store.updateKey(account.id, key.id, { scopes: ['*'] }, 1)).toBe('conflict');
    expect((await store.getKey(account.id, key.id))?.scopes).toEqual(['invoices:read']);
    // Without an expected revision the last writer wins.
    expect(await store.updateKey(account.id, key.id, { rateLimit: null, expiresAt: null, integration: null })).toMatchObject({
      rateLimit: null,
      expiresAt: null,
      integration: null,
      revision: 3,
    });
    // An empty patch changes nothing but still checks the revision.
    expect(await store.updateKey(account.id, key.id, {}, 3)).toMatchObject({ revision: 3 });
    expect(await store.updateKey(account.id, key.id, {}, 2)).toBe('conflict');
    expect(await store.updateKey(account.id, 'key_unknown', {}, 1)).toBe('not_found');
  });

  it('answers name_taken when a rename collides and revoked when the key is revoked', async () => {
    const a = await create({ name: 'a' });
    await create({ name: 'b' });
    expect(await store.updateKey(account.id, a.key.id, { name: 'b' })).toBe('name_taken');
    await store.revokeKey(account.id, a.key.id);
    expect(await store.updateKey(account.id, a.key.id, { name: 'c' })).toBe('revoked');
    expect(await store.updateKey(account.id, a.key.id, {})).toBe('revoked');
  });

  it('revokes a key and all its versions, keeps the record, and is idempotent', async () => {
    const { key } = await create();
    const rotated = await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: clock.now + 60_000 });
    if (typeof rotated === 'string') throw new Error(rotated);
    expect(await store.revokeKey(account.id, key.id, 1)).toBe('conflict');
    clock.advance(10);
    const revoked = await store.revokeKey(account.id, key.id, rotated.key.revision);
    expect(revoked).toMatchObject({ revokedAt: clock.now, revision: rotated.key.revision + 1 });
    const versions = await store.listVersions(account.id, key.id);
    expect(Array.isArray(versions) && versions.every((v) => v.revokedAt === clock.now)).toBe(true);
    clock.advance(10);
    expect(await store.revokeKey(account.id, key.id)).toEqual(revoked);
    expect(await store.addVersion(account.id, key.id, newSecret().version, { previousOverlapUntil: null })).toBe('revoked');
  });

  it('lists accounts with pagination', async () => {
    const store = await backend().open({ clock: clock.read });
    const account = await store.createAccount('acme');
    await store.createAccount('globex');
    clock.advance(1);
    await store.createAccount('initech');
    const first = await store.listAccounts({ limit: 2 });
    // acme and globex share a timestamp: their order is by id, so compare as a set.
    expect(first.items.map((a) => a.name).sort()).toEqual(['acme', 'globex']);
    const second = await store.listAccounts({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((a) => a.name)).toEqual(['initech']);
    expect(second.nextCursor).toBeNull();
    expect(await store.getAccount(account.id)).toEqual(account);
    expect(await store.getAccount('acct_missing')).toBeUndefined();
  });
});
