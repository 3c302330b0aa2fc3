// Drift in the key service: a key edited by hand (a wildcard written straight into the key
// service's database, an extra scope through its API) or revoked by hand is noticed at the next
// reconcile and reported in conditions and Warning Events; a key the operator created is put
// back to the spec, an adopted key is only reported (Terraform owns it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MANAGEMENT_ANNOTATION, type Operator } from '../../../src/operator/index.js';
import { compliantSpec, eventually, World } from './harness.js';

describe('drift detection', () => {
  let world: World;
  let operator: Operator;

  beforeAll(async () => {
    world = await new World().start();
    operator = world.operator();
    await operator.start();
  });
  afterAll(async () => {
    await world.stop();
  });

  async function ready(name: string): Promise<string> {
    const object = await eventually(async () => {
      const o = await world.getApiKey(name);
      return o?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? o : undefined;
    }, `${name} Ready`);
    return object.status!.environments!.production!.keyId!;
  }

  it('reports an adopted key edited by hand to a wildcard scope: KeyDrift, and the policy engine finds KW002 in the key service', async () => {
    const made = await world.admin.createKey({ name: 'production-wild-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'], allowedCidrs: ['10.20.0.0/16'] });
    await world.createApiKey('wild', compliantSpec('wild-bot'), { [MANAGEMENT_ANNOTATION]: 'Adopt' });
    const keyId = await ready('wild');
    expect(keyId).toBe(made.key.id);
    // The service's API refuses wildcards; the edit goes straight to its database.
    expect(await world.service.service.store.updateKey(world.service.accountId, keyId, { scopes: ['invoices:*'] })).toMatchObject({ scopes: ['invoices:*'] });
    operator.resyncNow();
    await operator.idle();
    expect(await world.condition('wild', 'Ready')).toMatchObject({ status: 'False', reason: 'KeyDrift' });
    const policy = await world.condition('wild', 'PolicyCompliant');
    expect(policy).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    expect(policy!.message).toContain('KW002');
    expect(policy!.message).toContain('in the key service');
    const drift = (await world.events('wild')).find((e) => e.reason === 'KeyDrift');
    expect(drift).toMatchObject({ type: 'Warning' });
    expect(drift!.message).toContain('scopes +invoices:* -invoices:read');
    expect((await world.events('wild')).some((e) => e.reason === 'PolicyViolation' && e.message!.startsWith('KW002:'))).toBe(true);
    // Adopted: the operator does not change the key.
    expect((await world.admin.getKey(keyId)).scopes).toEqual(['invoices:*']);
  });

  it('puts a key it created back to the spec when a scope is added by hand', async () => {
    await world.createApiKey('restored', compliantSpec('restored-bot'));
    const keyId = await ready('restored');
    await world.admin.updateKey(keyId, { scopes: ['invoices:read', 'invoices:write'] });
    operator.resyncNow();
    await operator.idle();
    expect((await world.admin.getKey(keyId)).scopes).toEqual(['invoices:read']);
    const drift = (await world.events('restored')).find((e) => e.reason === 'KeyDrift');
    expect(drift!.message).toContain('+invoices:write');
    expect(drift!.message).toContain('restored to the spec');
    expect(await world.condition('restored', 'Ready')).toMatchObject({ status: 'True' });
  });

  it('reports a key revoked by hand and stops rotating it', async () => {
    await world.createApiKey('revoked', compliantSpec('revoked-bot'));
    const keyId = await ready('revoked');
    await world.admin.revokeKey(keyId);
    operator.resyncNow();
    await operator.idle();
    const ready2 = await world.condition('revoked', 'Ready');
    expect(ready2).toMatchObject({ status: 'False', reason: 'KeyRevoked' });
    expect(ready2!.message).toContain(keyId);
    expect((await world.events('revoked')).find((e) => e.reason === 'KeyRevoked')).toMatchObject({ type: 'Warning' });
    // The environment's record is kept, and no new key was created in its place.
    expect((await world.getApiKey('revoked'))!.status!.environments!.production!.keyId).toBe(keyId);
    expect(await world.admin.getKeyByName('production-revoked-bot')).toBeUndefined();
  });
});
