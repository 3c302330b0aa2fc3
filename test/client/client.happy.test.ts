import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KeywardenClient } from '../../src/client/index.js';
import { startInProcessService, type InProcessService } from './in-process-service.js';

describe('KeywardenClient against a real key service', () => {
  let svc: InProcessService;
  let client: KeywardenClient;

  beforeAll(async () => {
    svc = await startInProcessService();
    client = new KeywardenClient({ endpoint: svc.url, apiKey: svc.adminKey, retry: { retries: 0 } });
  });
  afterAll(async () => {
    await svc.stop();
  });

  it('reports health and readiness without a key', async () => {
    const anonymous = new KeywardenClient({ endpoint: svc.url });
    expect(await anonymous.health('live')).toEqual({ status: 'ok' });
    expect((await anonymous.health()).status).toBe('ready');
  });

  it('tells who the calling key is', async () => {
    const me = await client.whoami();
    expect(me.keyId).toBe(svc.adminKeyId);
    expect(me.account.id).toBe(svc.accountId);
    expect(me.scopes).toEqual(expect.arrayContaining(['keys:read', 'keys:write', 'keys:rotate', 'audit:read']));
    expect(me.ratelimit.remaining).toBeGreaterThan(0);
  });

  it('creates a key, returns its secret once, and reads it back by id and by name', async () => {
    const created = await client.createKey({
      name: 'billing-order-bot',
      environment: 'production',
      integration: 'order-bot',
      service: 'billing',
      mode: 'live',
      scopes: ['invoices:read'],
      limits: { max_payout: '55.00' },
    });
    expect(created.secret).toMatch(/^kw_live_[0-9A-Za-z]{32}$/);
    expect(created.key.secret).toBe('********');
    expect(created.etag).toBe(`"${created.key.revision}"`);

    const byId = await client.getKey(created.key.id);
    expect(byId).toMatchObject({ id: created.key.id, name: 'billing-order-bot', scopes: ['invoices:read'], secret: '********' });
    expect(byId.etag).toBe(created.etag);
    expect(JSON.stringify(byId)).not.toContain(created.secret);

    const byName = await client.getKeyByName('billing-order-bot');
    expect(byName?.id).toBe(created.key.id);
    expect(await client.getKeyByName('no-such-key')).toBeUndefined();
  });

  it('lists keys page by page and iterates over every page', async () => {
    for (let i = 0; i < 5; i++) {
      await client.createKey({ name: `paged-${i}`, environment: 'staging', integration: 'pager', mode: 'test' });
    }
    const first = await client.listKeys({ integration: 'pager', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const all: string[] = [];
    for await (const key of client.iterateKeys({ integration: 'pager', limit: 2 })) all.push(key.name);
    expect(all.sort()).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);
  });

  it('updates a key with If-Match and refuses a stale ETag with 412', async () => {
    const { key } = await client.createKey({ name: 'etag-check', environment: 'staging', mode: 'test' });
    const read = await client.getKey(key.id);
    const updated = await client.updateKey(key.id, { scopes: ['reports:read'] }, { ifMatch: read.etag });
    expect(updated.scopes).toEqual(['reports:read']);
    expect(updated.etag).not.toBe(read.etag);
    await expect(client.updateKey(key.id, { enabled: false }, { ifMatch: read.etag })).rejects.toMatchObject({
      status: 412,
      code: 'precondition_failed',
    });
    const byRevision = await client.updateKey(key.id, { enabled: false }, { ifMatch: updated.revision });
    expect(byRevision.enabled).toBe(false);
  });

  it('rotates with an Idempotency-Key: a retry returns the same version without a new secret', async () => {
    const created = await client.createKey({ name: 'rotating', environment: 'production', mode: 'live' });
    const first = await client.rotateKey(created.key.id, { overlap: '1h', idempotencyKey: 'rotate-once-1' });
    expect(first.replayed).toBe(false);
    expect(first.secret).toMatch(/^kw_live_/);
    const again = await client.rotateKey(created.key.id, { overlap: '1h', idempotencyKey: 'rotate-once-1' });
    expect(again.replayed).toBe(true);
    expect(again.secret).toBeUndefined();
    expect(again.version.id).toBe(first.version.id);

    const versions = await client.listVersions(created.key.id);
    expect(versions.map((v) => v.number)).toEqual([2, 1]);
    expect(versions[1]!.overlapUntil).not.toBeNull();

    // The old secret still verifies during the overlap; after revoking its version it does not.
    expect((await client.verify({ key: created.secret })).valid).toBe(true);
    const revoked = await client.revokeVersion(created.key.id, versions[1]!.id);
    expect(revoked.status).toBe('revoked');
    expect(await client.verify({ key: created.secret })).toMatchObject({ valid: false, code: 'REVOKED' });
    expect((await client.verify({ key: first.secret! })).valid).toBe(true);
  });

  it('verifies keys: valid with scopes and limits, and the codes of invalid ones', async () => {
    const created = await client.createKey({
      name: 'verify-me',
      environment: 'production',
      mode: 'live',
      scopes: ['invoices:read'],
      allowedCidrs: ['203.0.113.0/24'],
      limits: { max_payout: '55.00' },
    });
    const ok = await client.verify({ key: created.secret, requiredScopes: ['invoices:read'], ip: '203.0.113.9' });
    expect(ok).toMatchObject({ valid: true, keyId: created.key.id, mode: 'live', limits: { max_payout: '55.00' } });
    expect(ok.ratelimit?.limit).toBeGreaterThan(0);
    expect(await client.verify({ key: created.secret, ip: '198.51.100.1' })).toMatchObject({ valid: false, code: 'IP_NOT_ALLOWED' });
    expect(await client.verify({ key: created.secret, requiredScopes: ['payouts:write'], ip: '203.0.113.9' })).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
    });
    expect(await client.verify({ key: 'kw_live_notakey' })).toMatchObject({ valid: false, code: 'MALFORMED' });
  });

  it('revokes a key: the record stays and its secret no longer verifies', async () => {
    const created = await client.createKey({ name: 'to-revoke', environment: 'staging', mode: 'test' });
    const revoked = await client.revokeKey(created.key.id);
    expect(revoked.status).toBe('revoked');
    expect((await client.getKey(created.key.id)).status).toBe('revoked');
    expect(await client.verify({ key: created.secret })).toMatchObject({ valid: false, code: 'REVOKED' });
    // Repeating the revocation is harmless.
    expect((await client.revokeKey(created.key.id)).status).toBe('revoked');
    // The name is free again; lookups by name find the new key, never the revoked one.
    expect(await client.getKeyByName('to-revoke')).toBeUndefined();
    const successor = await client.createKey({ name: 'to-revoke', environment: 'staging', mode: 'test' });
    expect((await client.getKeyByName('to-revoke'))?.id).toBe(successor.key.id);
  });

  it('reads the audit log with filters, page after page', async () => {
    const created = await client.createKey({ name: 'audited', environment: 'staging', mode: 'test' });
    await client.updateKey(created.key.id, { enabled: false });
    const page = await client.listAudit({ keyId: created.key.id });
    expect(page.items.map((e) => e.action)).toEqual(expect.arrayContaining(['key.create', 'key.update']));
    const actions: string[] = [];
    for await (const e of client.iterateAudit({ keyId: created.key.id, limit: 1 })) actions.push(e.action);
    expect(actions).toHaveLength(page.items.length);
    expect(JSON.stringify(page)).not.toContain(created.secret);
  });

  it('rotates deferred and promotes: the old secret keeps no end until promotion, then ends after the overlap', async () => {
    const created = await client.createKey({ name: 'deferred-rotation', environment: 'production', mode: 'live' });
    const rotated = await client.rotateKey(created.key.id, { idempotencyKey: 'deferred-1', overlap: '1h', promotion: 'deferred' });
    expect(rotated.secret).toMatch(/^kw_live_/);
    expect(rotated.key.currentVersionId).toBe(created.version.id);
    expect((await client.verify({ key: created.secret })).valid).toBe(true);
    expect((await client.verify({ key: rotated.secret! })).valid).toBe(true);
    expect((await client.listVersions(created.key.id)).map((v) => v.overlapUntil)).toEqual([null, null]);

    const promoted = await client.promoteVersion(created.key.id, rotated.version.id, { overlap: '2h' });
    expect(promoted.key.currentVersionId).toBe(rotated.version.id);
    expect(promoted.etag).toBe(`"${promoted.key.revision}"`);
    expect(promoted.previous.map((v) => v.id)).toEqual([created.version.id]);
    expect(promoted.previous[0]!.overlapUntil).not.toBeNull();
    const again = await client.promoteVersion(created.key.id, rotated.version.id, { overlap: '2h' });
    expect({ ...again }).toEqual({ ...promoted });
  });

  it('rolls a deferred rotation back by revoking the pending version', async () => {
    const created = await client.createKey({ name: 'deferred-rollback', environment: 'production', mode: 'live' });
    const rotated = await client.rotateKey(created.key.id, { promotion: 'deferred' });
    await client.revokeVersion(created.key.id, rotated.version.id);
    expect((await client.verify({ key: rotated.secret! })).code).toBe('REVOKED');
    expect((await client.verify({ key: created.secret })).code).toBe('VALID');
    const [, old] = await client.listVersions(created.key.id);
    expect(old).toMatchObject({ id: created.version.id, overlapUntil: null, revokedAt: null });
  });

  it('reads the scope catalog', async () => {
    const scopes = await client.scopes();
    expect(scopes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'keys:write', management: true })]));
  });
});
