// Deletion: the finalizer carries out the deletion policy — Revoke revokes every key of the
// ApiKey in the key service, Retain (the default) leaves them — and then lets the object go.
// An environment removed from the spec gets the same policy for its key.
import { describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { DELETION_POLICY_ANNOTATION, FINALIZER, GROUP, VERSION } from '../../../src/operator/index.js';
import { compliantSpec, eventually, NAMESPACE, useWorld } from './harness.js';

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

  describe('removing an environment from the spec', () => {
    /** production as compliantSpec has it, and a staging environment with a Kubernetes Secret. */
    const twoEnvironments = (integration: string): Record<string, unknown> => {
      const spec = compliantSpec(integration) as { environments: Record<string, unknown> };
      return {
        ...spec,
        environments: {
          ...spec.environments,
          staging: { allowedCidrs: ['10.30.0.0/16'], delivery: [{ kubernetesSecret: { namespace: NAMESPACE, name: `${integration}-staging-key`, key: 'API_KEY' } }] },
        },
      };
    };

    async function removeStaging(name: string): Promise<void> {
      await t.world.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'apikeys', name, body: { spec: { environments: { staging: null } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      t.operator.resyncNow();
      await t.operator.idle();
    }

    async function bothReady(name: string): Promise<{ production: string; staging: string }> {
      const object = await eventually(async () => {
        const o = await t.world.getApiKey(name);
        const envs = o?.status?.environments;
        return envs?.production?.keyId !== undefined && envs.staging?.keyId !== undefined && o!.status!.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? o : undefined;
      }, `${name} to be Ready in both environments`);
      return { production: object.status!.environments!.production!.keyId!, staging: object.status!.environments!.staging!.keyId! };
    }

    it('revokes that environment\'s key, and only it, when the deletion policy is Revoke', async () => {
      await t.world.createApiKey('shrinking', twoEnvironments('shrinking-bot'), { [DELETION_POLICY_ANNOTATION]: 'Revoke' });
      const keys = await bothReady('shrinking');
      await removeStaging('shrinking');
      expect((await t.world.admin.getKey(keys.staging)).status).toBe('revoked');
      expect((await t.world.admin.getKey(keys.production)).status).toBe('active');
      const object = await t.world.getApiKey('shrinking');
      expect(Object.keys(object!.status!.environments!)).toEqual(['production']);
      expect(await t.world.condition('shrinking', 'Ready')).toMatchObject({ status: 'True' });
      const event = (await t.world.events('shrinking')).find((e) => e.reason === 'EnvironmentRemoved');
      expect(event).toMatchObject({ type: 'Normal' });
      expect(event!.message).toContain(`staging: removed from the spec; deletion policy Revoke: revoked key`);
      expect(event!.message).toContain(keys.staging);
    });

    it('leaves that environment\'s key as it is by default (Retain), and forgets it', async () => {
      await t.world.createApiKey('narrowing', twoEnvironments('narrowing-bot'));
      const keys = await bothReady('narrowing');
      await removeStaging('narrowing');
      expect((await t.world.admin.getKey(keys.staging)).status).toBe('active');
      expect(Object.keys((await t.world.getApiKey('narrowing'))!.status!.environments!)).toEqual(['production']);
      const event = (await t.world.events('narrowing')).find((e) => e.reason === 'EnvironmentRemoved');
      expect(event!.message).toContain('deletion policy Retain: left key');
      // Nothing more happens on the next reconcile: the record is gone, so is the Event's cause.
      t.operator.resyncNow();
      await t.operator.idle();
      expect((await t.world.events('narrowing')).filter((e) => e.reason === 'EnvironmentRemoved')).toHaveLength(1);
      expect((await t.world.events('narrowing')).find((e) => e.reason === 'EnvironmentRemoved')!.count ?? 1).toBe(1);
    });

    it('keeps the environment in status and retries while the key service refuses the revocation', async () => {
      await t.world.createApiKey('stubborn', twoEnvironments('stubborn-bot'), { [DELETION_POLICY_ANNOTATION]: 'Revoke' });
      const keys = await bothReady('stubborn');
      // The key service's database fails every revocation for a while.
      const store = t.world.service.service.store;
      const revokeKey = store.revokeKey.bind(store);
      store.revokeKey = () => Promise.reject(new Error('the database is unavailable'));
      try {
        await removeStaging('stubborn');
        expect((await t.world.getApiKey('stubborn'))!.status!.environments!.staging!.keyId).toBe(keys.staging);
        const ready = await t.world.condition('stubborn', 'Ready');
        expect(ready).toMatchObject({ status: 'False' });
        expect(ready!.message).toContain('staging: removed from the spec, but its key could not be revoked');
        expect((await t.world.admin.getKey(keys.staging)).status).toBe('active');
      } finally {
        store.revokeKey = revokeKey;
      }
      // Once the service takes revocations again, the retry finishes the job.
      await eventually(async () => (await t.world.admin.getKey(keys.staging)).status === 'revoked', 'the retried revocation');
      await eventually(async () => Object.keys((await t.world.getApiKey('stubborn'))!.status!.environments!).join() === 'production', 'staging to leave status');
      expect(await t.world.condition('stubborn', 'Ready')).toMatchObject({ status: 'True' });
    });
  });
});
