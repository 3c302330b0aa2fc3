// Deletion: the finalizer carries out the deletion policy — Revoke revokes every key of the
// ApiKey in the key service, Retain (the default) leaves them — and then lets the object go.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DELETION_POLICY_ANNOTATION, FINALIZER, type Operator } from '../../../src/operator/index.js';
import { compliantSpec, eventually, World } from './harness.js';

describe('deleting an ApiKey', () => {
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
    expect(object.metadata.finalizers).toContain(FINALIZER);
    return object.status!.environments!.production!.keyId!;
  }

  it('revokes the keys when the deletion policy is Revoke', async () => {
    await world.createApiKey('doomed', compliantSpec('doomed-bot'), { [DELETION_POLICY_ANNOTATION]: 'Revoke' });
    const keyId = await ready('doomed');
    const [secret] = await world.consumerSecrets('doomed-bot');
    await world.deleteApiKey('doomed');
    await eventually(async () => (await world.getApiKey('doomed')) === undefined, 'the object to go');
    expect((await world.admin.getKey(keyId)).status).toBe('revoked');
    expect(await world.admin.verify({ key: secret!, ip: '10.20.1.1' })).toMatchObject({ valid: false });
    const event = (await world.events('doomed')).find((e) => e.reason === 'KeysRevoked');
    expect(event!.message).toContain(keyId);
  });

  it('leaves the keys by default (Retain)', async () => {
    await world.createApiKey('kept', compliantSpec('kept-bot'));
    const keyId = await ready('kept');
    const [secret] = await world.consumerSecrets('kept-bot');
    await world.deleteApiKey('kept');
    await eventually(async () => (await world.getApiKey('kept')) === undefined, 'the object to go');
    expect((await world.admin.getKey(keyId)).status).toBe('active');
    expect(await world.admin.verify({ key: secret!, ip: '10.20.1.1' })).toMatchObject({ valid: true });
    expect((await world.events('kept')).some((e) => e.reason === 'KeysRetained')).toBe(true);
  });
});
