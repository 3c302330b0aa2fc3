import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import { InvalidCursorError, type Account, type AuditEvent, type KeyStore, type NewAuditEvent } from '../../../src/keyservice/store/index.js';
import { eachBackend, ManualClock, newSecret } from './backends.js';

eachBackend('key store: audit log and usage', (backend) => {
  let clock: ManualClock;
  let store: KeyStore;
  let account: Account;
  let other: Account;

  beforeAll(async () => {
    clock = new ManualClock();
    store = await backend().openShared({ clock: clock.read });
  });

  beforeEach(async () => {
    clock.now = new ManualClock().now;
    account = await store.createAccount('acme');
    other = await store.createAccount('globex');
  });

  const event = (overrides: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
    accountId: account.id,
    action: 'key.create',
    actorKeyId: 'key_admin',
    keyId: 'key_target',
    ip: '203.0.113.7',
    requestId: 'req-1',
    outcome: 'success',
    details: { displayPrefix: 'kw_live_Ab12' },
    ...overrides,
  });

  it('appends events and reads them back newest first with every field', async () => {
    const first = await store.appendAudit(event());
    clock.advance(10);
    const second = await store.appendAudit(event({ action: 'key.rotate', outcome: 'failure', details: { code: 'REVOKED' }, keyId: null }));
    expect(first).toMatchObject({ accountId: account.id, action: 'key.create', actorKeyId: 'key_admin', keyId: 'key_target', ip: '203.0.113.7', requestId: 'req-1', outcome: 'success', details: { displayPrefix: 'kw_live_Ab12' }, at: clock.now - 10 });
    expect(Number(second.id)).toBeGreaterThan(Number(first.id));
    const page = await store.listAudit(account.id);
    expect(page.items).toEqual([second, first]);
    expect(page.nextCursor).toBeNull();
  });

  it("keeps each account's events to itself; null lists every account, including events without one", async () => {
    const mine = await store.appendAudit(event());
    const theirs = await store.appendAudit(event({ accountId: other.id }));
    const anonymous = await store.appendAudit(event({ accountId: null, action: 'auth.failure', actorKeyId: null, outcome: 'failure' }));
    expect((await store.listAudit(account.id)).items).toEqual([mine]);
    expect((await store.listAudit(other.id)).items).toEqual([theirs]);
    const all = (await store.listAudit(null, {}, { limit: 1000 })).items.map((e) => e.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id, anonymous.id]));
  });

  it('filters by action, key, actor, outcome and time window', async () => {
    const at = (ms: number) => clock.now + ms;
    const created = await store.appendAudit(event({ at: at(0) }));
    const rotated = await store.appendAudit(event({ action: 'key.rotate', at: at(100) }));
    const failed = await store.appendAudit(event({ action: 'auth.failure', outcome: 'failure', actorKeyId: null, keyId: 'key_other', at: at(200) }));
    const ids = async (filter: Parameters<KeyStore['listAudit']>[1]) => (await store.listAudit(account.id, filter)).items.map((e: AuditEvent) => e.id);
    expect(await ids({ action: 'key.rotate' })).toEqual([rotated.id]);
    expect(await ids({ keyId: 'key_other' })).toEqual([failed.id]);
    expect(await ids({ actorKeyId: 'key_admin' })).toEqual([rotated.id, created.id]);
    expect(await ids({ outcome: 'failure' })).toEqual([failed.id]);
    expect(await ids({ since: at(100) })).toEqual([failed.id, rotated.id]);
    expect(await ids({ until: at(100) })).toEqual([created.id]);
    expect(await ids({ since: at(50), until: at(200) })).toEqual([rotated.id]);
    expect(await ids({ action: 'key.revoke' })).toEqual([]);
  });

  it('pages through the audit log without gaps or repeats while events keep arriving', async () => {
    const written: string[] = [];
    for (let i = 0; i < 7; i += 1) written.push((await store.appendAudit(event({ requestId: `req-${i}` }))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listAudit(account.id, {}, { limit: 3, cursor });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      await store.appendAudit(event({ requestId: 'late' })); // newer than the cursor: not in this walk
    } while (cursor !== null);
    expect(seen).toEqual([...written].reverse());
    await expect(store.listAudit(other.id, {}, { cursor: (await store.listAudit(account.id, {}, { limit: 1 })).nextCursor })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('adds usage batches to versions and keys, keeping the latest use time', async () => {
    const created = await store.createKey({ accountId: account.id, name: 'used', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof created === 'string') throw new Error(created);
    const rotated = await store.addVersion(account.id, created.key.id, newSecret().version, { previousOverlapUntil: clock.now + 60_000 });
    if (typeof rotated === 'string') throw new Error(rotated);
    await store.recordUsage([
      { versionId: created.version.id, count: 3, lastUsedAt: clock.now + 5 },
      { versionId: rotated.version.id, count: 2, lastUsedAt: clock.now + 9 },
      { versionId: created.version.id, count: 1, lastUsedAt: clock.now + 7 },
      { versionId: 'kver_gone', count: 100, lastUsedAt: clock.now + 100 },
    ]);
    // An older flush arriving late adds its count but never moves lastUsedAt back.
    await store.recordUsage([{ versionId: rotated.version.id, count: 4, lastUsedAt: clock.now + 1 }]);
    await store.recordUsage([]);
    const key = await store.getKey(account.id, created.key.id);
    expect(key).toMatchObject({ usageCount: 10, lastUsedAt: clock.now + 9, revision: rotated.key.revision });
    const versions = await store.listVersions(account.id, created.key.id);
    if (versions === 'not_found') throw new Error(versions);
    expect(versions.map((v) => [v.usageCount, v.lastUsedAt])).toEqual([
      [6, clock.now + 9],
      [4, clock.now + 7],
    ]);
  });

  it('counts usage flushed by two stores on one database without losing any', async () => {
    const url = await backend().freshUrl();
    const one = await backend().open({ url });
    const two = await backend().open({ url });
    const acct = await one.createAccount('shared');
    const created = await one.createKey({ accountId: acct.id, name: 'used', environment: 'production', mode: 'live' }, newSecret().version);
    if (typeof created === 'string') throw new Error(created);
    // Sequential flushes through alternating stores (two SQLite connections in one process must not write concurrently).
    for (let i = 0; i < 10; i += 1) await (i % 2 === 0 ? one : two).recordUsage([{ versionId: created.version.id, count: i + 1, lastUsedAt: i }]);
    expect((await two.getKey(acct.id, created.key.id))?.usageCount).toBe(55);
  });

  it('takes concurrent flushes and rotations touching the same keys without deadlock or lost counts', async () => {
    const url = await backend().freshUrl();
    const one = await backend().open({ url });
    // Two SQLite connections in one process block each other's event loop: there, one store plays both sides.
    const two = backend().name === 'postgres' ? await backend().open({ url }) : one;
    const acct = await one.createAccount('busy');
    const versionIds: string[] = [];
    const keyIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const created = await one.createKey({ accountId: acct.id, name: `k${i}`, environment: 'production', mode: 'live' }, newSecret().version);
      if (typeof created === 'string') throw new Error(created);
      versionIds.push(created.version.id);
      keyIds.push(created.key.id);
    }
    const forward = versionIds.map((versionId) => ({ versionId, count: 1, lastUsedAt: 1 }));
    const backward = [...forward].reverse();
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 10; round += 1) {
      work.push(one.recordUsage(forward), two.recordUsage(backward));
      work.push((round % 2 === 0 ? one : two).addVersion(acct.id, keyIds[round % 4]!, newSecret().version, { previousOverlapUntil: Date.now() + 60_000 }));
    }
    await Promise.all(work);
    for (const keyId of keyIds) expect((await one.getKey(acct.id, keyId))?.usageCount).toBe(20);
  });
});
