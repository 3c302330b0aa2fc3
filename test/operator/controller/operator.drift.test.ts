// Drift in the key service: a key edited by hand (a wildcard written straight into the key
// service's database, an extra scope through its API) or revoked by hand is noticed at the next
// reconcile and reported in conditions and Warning Events; a key the operator created is put
// back to the spec, an adopted key is only reported (Terraform owns it).
import { describe, expect, it } from '@jest/globals';
import { MANAGEMENT_ANNOTATION } from '../../../src/operator/index.js';
import { compliantSpec, useWorld } from './harness.js';

describe('drift detection', () => {
  const t = useWorld();

  const ready = async (name: string): Promise<string> => (await t.world.ready(name)).status!.environments!.production!.keyId!;

  it('reports an adopted key edited by hand to a wildcard scope: KeyDrift, and the policy engine finds KW002 in the key service', async () => {
    const made = await t.world.admin.createKey({ name: 'production-wild-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'], allowedCidrs: ['10.20.0.0/16'] });
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
