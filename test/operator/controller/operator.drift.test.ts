// Drift in the key service: a key edited by hand (a wildcard written straight into the key
// service's database, an extra scope, a raised limit or rate limit, a removed expiry through its
// API) or revoked by hand is noticed at the next
// reconcile and reported in conditions and Warning Events; a key the operator created is put
// back to the spec, an adopted key is only reported (Terraform owns it).
import { describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, MANAGEMENT_ANNOTATION, VERSION } from '../../../src/operator/index.js';
import { compliantSpec, eventually, NAMESPACE, useWorld } from './harness.js';

describe('drift detection', () => {
  const t = useWorld();

  const ready = async (name: string): Promise<string> => (await t.world.ready(name)).status!.environments!.production!.keyId!;

  it('reports an adopted key edited by hand to a wildcard scope: KeyDrift, and the policy engine finds KW002 in the key service', async () => {
    const made = await t.world.admin.createKey({ name: 'production-wild-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'], allowedCidrs: ['10.20.0.0/16'], rateLimit: { requests: 100, windowSeconds: 60 }, expiresAt: '2027-01-01T00:00:00.000Z' });
    await t.world.createApiKey('wild', compliantSpec('wild-bot'), { [MANAGEMENT_ANNOTATION]: 'Adopt' });
    const keyId = await ready('wild');
    expect(keyId).toBe(made.key.id);
    // The service's API refuses wildcards; the edit goes straight to its database.
    expect(await t.world.service.service.store.updateKey(t.world.service.accountId, keyId, { scopes: ['invoices:*'] })).toMatchObject({ scopes: ['invoices:*'] });
    t.operator.resyncNow();
    await t.operator.idle();
    expect(await t.world.condition('wild', 'Ready')).toMatchObject({ status: 'False', reason: 'KeyDrift' });
    const policy = await t.world.condition('wild', 'PolicyCompliant');
    expect(policy).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    expect(policy!.message).toContain('KW002');
    expect(policy!.message).toContain('in the key service');
    const drift = (await t.world.events('wild')).find((e) => e.reason === 'KeyDrift');
    expect(drift).toMatchObject({ type: 'Warning' });
    expect(drift!.message).toContain('scopes +invoices:* -invoices:read');
    expect((await t.world.events('wild')).some((e) => e.reason === 'PolicyViolation' && e.message!.startsWith('KW002:'))).toBe(true);
    // Adopted: the operator does not change the key.
    expect((await t.world.admin.getKey(keyId)).scopes).toEqual(['invoices:*']);
  });

  it('puts a key it created back to the spec when a scope is added by hand', async () => {
    await t.world.createApiKey('restored', compliantSpec('restored-bot'));
    const keyId = await ready('restored');
    await t.world.admin.updateKey(keyId, { scopes: ['invoices:read', 'invoices:write'] });
    t.operator.resyncNow();
    await t.operator.idle();
    expect((await t.world.admin.getKey(keyId)).scopes).toEqual(['invoices:read']);
    const drift = (await t.world.events('restored')).find((e) => e.reason === 'KeyDrift');
    expect(drift!.message).toContain('+invoices:write');
    expect(drift!.message).toContain('restored to the spec');
    expect(await t.world.condition('restored', 'Ready')).toMatchObject({ status: 'True' });
  });

  it('puts a key it created back to the spec when its limits, rate limit or expiry are loosened by hand', async () => {
    await t.world.createApiKey('loosened', compliantSpec('loosened-bot', { limits: { max_payout: '55.00' } }));
    const keyId = await ready('loosened');
    const before = await t.world.admin.getKey(keyId);
    expect(before).toMatchObject({ limits: { max_payout: '55.00' }, rateLimit: { requests: 100, windowSeconds: 60 } });
    // Someone raises the payout limit, lifts the rate limit and removes the expiry through the API.
    await t.world.admin.updateKey(keyId, { limits: { max_payout: '5000.00', max_refund: 10 }, rateLimit: { requests: 1_000_000, windowSeconds: 60 }, expiresAt: null });
    t.operator.resyncNow();
    await t.operator.idle();
    const after = await t.world.admin.getKey(keyId);
    expect(after.limits).toEqual({ max_payout: '55.00' });
    expect(after.rateLimit).toEqual({ requests: 100, windowSeconds: 60 });
    // Back at creation + expiresAfter (365d), by the service's own creation time.
    expect(after.expiresAt).toBe(new Date(Date.parse(after.createdAt) + 365 * 86_400_000).toISOString());
    const drift = (await t.world.events('loosened')).find((e) => e.reason === 'KeyDrift');
    expect(drift).toMatchObject({ type: 'Warning' });
    expect(drift!.message).toContain('limits max_payout 55.00→5000.00 +max_refund=10');
    expect(drift!.message).toContain('rateLimit 100/60s→1000000/60s');
    expect(drift!.message).toContain('expiresAt none (spec: 365d from creation)');
    expect(await t.world.condition('loosened', 'Ready')).toMatchObject({ status: 'True' });
  });

  it('applies a changed limit in the spec to the key it created (KeyUpdated, not drift)', async () => {
    await t.world.createApiKey('raised', compliantSpec('raised-bot', { limits: { max_payout: '55.00' } }));
    const keyId = await ready('raised');
    await t.world.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'apikeys', name: 'raised', body: { spec: { limits: { max_payout: '75.00' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(async () => (await t.world.admin.getKey(keyId)).limits.max_payout === '75.00', 'the new limit in the key service');
    const events = await t.world.events('raised');
    expect(events.find((e) => e.reason === 'KeyUpdated')!.message).toContain('limits max_payout 55.00→75.00');
    expect(events.some((e) => e.reason === 'KeyDrift')).toBe(false);
  });

  it('reports an adopted key whose limits were raised by hand, and leaves it', async () => {
    const made = await t.world.admin.createKey({ name: 'production-adopted-limits-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'], allowedCidrs: ['10.20.0.0/16'], limits: { max_payout: '999999' }, rateLimit: { requests: 100, windowSeconds: 60 }, expiresAt: '2027-01-01T00:00:00.000Z' });
    await t.world.createApiKey('adopted-limits', compliantSpec('adopted-limits-bot', { limits: { max_payout: '55.00' } }), { [MANAGEMENT_ANNOTATION]: 'Adopt' });
    await eventually(async () => (await t.world.condition('adopted-limits', 'Ready'))?.reason === 'KeyDrift', 'Ready=False KeyDrift');
    expect((await t.world.condition('adopted-limits', 'Ready'))!.message).toContain('limits max_payout 55.00→999999');
    expect((await t.world.admin.getKey(made.key.id)).limits).toEqual({ max_payout: '999999' });
  });

  it('reports a key revoked by hand and stops rotating it', async () => {
    await t.world.createApiKey('revoked', compliantSpec('revoked-bot'));
    const keyId = await ready('revoked');
    await t.world.admin.revokeKey(keyId);
    t.operator.resyncNow();
    await t.operator.idle();
    const ready2 = await t.world.condition('revoked', 'Ready');
    expect(ready2).toMatchObject({ status: 'False', reason: 'KeyRevoked' });
    expect(ready2!.message).toContain(keyId);
    expect((await t.world.events('revoked')).find((e) => e.reason === 'KeyRevoked')).toMatchObject({ type: 'Warning' });
    // The environment's record is kept, and no new key was created in its place.
    expect((await t.world.getApiKey('revoked'))!.status!.environments!.production!.keyId).toBe(keyId);
    expect(await t.world.admin.getKeyByName('production-revoked-bot')).toBeUndefined();
  });
});
