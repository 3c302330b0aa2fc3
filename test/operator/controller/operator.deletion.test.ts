// Deletion: the finalizer carries out the deletion policy — Revoke revokes every key of the
// ApiKey in the key service, Retain (the default) leaves them — and then lets the object go.
import { describe, expect, it } from '@jest/globals';
import { DELETION_POLICY_ANNOTATION, FINALIZER } from '../../../src/operator/index.js';
import { compliantSpec, eventually, useWorld } from './harness.js';

describe('deleting an ApiKey', () => {
  const t = useWorld();

  async function ready(name: string): Promise<string> {
    const object = await t.world.ready(name);
    expect(object.metadata.finalizers).toContain(FINALIZER);
    return object.status!.environments!.production!.keyId!;
  }

  it('revokes the keys when the deletion policy is Revoke', async () => {
    await t.world.createApiKey('doomed', compliantSpec('doomed-bot'), { [DELETION_POLICY_ANNOTATION]: 'Revoke' });
    const keyId = await ready('doomed');
    const [secret] = await t.world.consumerSecrets('doomed-bot');
    await t.world.deleteApiKey('doomed');
    await eventually(async () => (await t.world.getApiKey('doomed')) === undefined, 'the object to go');
    expect((await t.world.admin.getKey(keyId)).status).toBe('revoked');
    expect(await t.world.admin.verify({ key: secret!, ip: '10.20.1.1' })).toMatchObject({ valid: false });
    const event = (await t.world.events('doomed')).find((e) => e.reason === 'KeysRevoked');
    expect(event!.message).toContain(keyId);
  });

  it('leaves the keys by default (Retain)', async () => {
    await t.world.createApiKey('kept', compliantSpec('kept-bot'));
    const keyId = await ready('kept');
    const [secret] = await t.world.consumerSecrets('kept-bot');
    await t.world.deleteApiKey('kept');
    await eventually(async () => (await t.world.getApiKey('kept')) === undefined, 'the object to go');
    expect((await t.world.admin.getKey(keyId)).status).toBe('active');
    expect(await t.world.admin.verify({ key: secret!, ip: '10.20.1.1' })).toMatchObject({ valid: true });
    expect((await t.world.events('kept')).some((e) => e.reason === 'KeysRetained')).toBe(true);
  });
});
