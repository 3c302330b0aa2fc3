// Create and adopt: an ApiKey whose key does not exist yet gets one, with its first version
// delivered; an ApiKey marked Adopt takes over the key Terraform made (matched by name) and
// never creates one; a Create never takes over somebody else's key of the same name.
import { describe, expect, it } from '@jest/globals';
import { deliverAll, KubernetesSecretDestination, AwsSecretsManagerDestination } from '../../../src/delivery/index.js';
import { FINALIZER, MANAGEMENT_ANNOTATION } from '../../../src/operator/index.js';
import { compliantSpec, eventually, NAMESPACE, useWorld } from './harness.js';

describe('the operator creates or adopts keys', () => {
  const t = useWorld();

  it('creates the key, delivers its first version to every destination and reports Ready', async () => {
    await t.world.createApiKey('created', compliantSpec('created-bot'));
    const ready = await eventually(async () => ((await t.world.condition('created', 'Ready'))?.status === 'True' ? t.world.getApiKey('created') : undefined), 'Ready');
    const env = ready.status!.environments!.production!;
    expect(env.keyName).toBe('production-created-bot');
    expect(env.rotation).toMatchObject({ phase: 'Idle', currentVersion: expect.any(String), attempt: 0 });
    expect(ready.metadata.finalizers).toContain(FINALIZER);
    expect(ready.status!.environmentNames).toBe('production');
    expect(ready.status!.nextRotation).toBe(new Date(t.world.now.getTime() + 30 * 86_400_000).toISOString());
    const key = await t.world.admin.getKey(env.keyId!);
    expect(key).toMatchObject({ name: 'production-created-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'], allowedCidrs: ['10.20.0.0/16'], currentVersionId: env.rotation!.currentVersion });
    const [k8s, aws] = await t.world.consumerSecrets('created-bot');
    expect(k8s).toBe(aws);
    expect(await t.world.admin.verify({ key: k8s!, ip: '10.20.1.1' })).toMatchObject({ valid: true });
    const events = await t.world.events('created');
    expect(events.map((e) => e.reason)).toContain('KeyCreated');
    expect(JSON.stringify(ready.status)).not.toContain(k8s);
    expect(JSON.stringify(events)).not.toContain(k8s);
  });

  it('adopts the key Terraform created, by name, without touching its secret', async () => {
    // As `keywarden apply` makes it from the same spec: its scopes, networks, rate limit and an expiry.
    const made = await t.world.admin.createKey({ name: 'production-adopted-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'], allowedCidrs: ['10.20.0.0/16'], rateLimit: { requests: 100, windowSeconds: 60 }, expiresAt: '2027-06-01T00:00:00.000Z' });
    await deliverAll(
      [
        new KubernetesSecretDestination({ namespace: NAMESPACE, name: 'adopted-bot-key', key: 'API_KEY', api: t.world.core }),
        new AwsSecretsManagerDestination({ secretId: 'prod/adopted-bot', client: t.world.smClient, region: t.world.sm.region }),
      ],
      { keyId: made.key.id, versionId: made.version.id, secret: made.secret },
    );
    await t.world.createApiKey('adopted', compliantSpec('adopted-bot'), { [MANAGEMENT_ANNOTATION]: 'Adopt' });
    const ready = await eventually(async () => ((await t.world.condition('adopted', 'Ready'))?.status === 'True' ? t.world.getApiKey('adopted') : undefined), 'Ready');
    expect(ready.status!.environments!.production).toMatchObject({ keyId: made.key.id, rotation: { phase: 'Idle', currentVersion: made.version.id } });
    expect((await t.world.events('adopted')).map((e) => e.reason)).toContain('KeyAdopted');
    expect(await t.world.consumerSecrets('adopted-bot')).toEqual([made.secret, made.secret]);
    expect((await t.world.admin.listVersions(made.key.id)).length).toBe(1);
  });

  it('does not create a key it was told to adopt: Ready is False with KeyNotFound until the key exists', async () => {
    await t.world.createApiKey('missing', compliantSpec('missing-bot'), { [MANAGEMENT_ANNOTATION]: 'Adopt' });
    const ready = await eventually(async () => {
      const c = await t.world.condition('missing', 'Ready');
      return c?.status === 'False' ? c : undefined;
    }, 'Ready False');
    expect(ready.reason).toBe('KeyNotFound');
    expect(ready.message).toContain('production-missing-bot');
    expect(await t.world.admin.getKeyByName('production-missing-bot')).toBeUndefined();
    const warning = (await t.world.events('missing')).find((e) => e.reason === 'KeyNotFound');
    expect(warning?.type).toBe('Warning');
  });

  it('refuses to take over a key of the same name that was not created for the ApiKey', async () => {
    await t.world.admin.createKey({ name: 'production-taken-bot', environment: 'production', mode: 'live', scopes: ['invoices:read'] });
    await t.world.createApiKey('taken', compliantSpec('taken-bot'));
    const ready = await eventually(async () => {
      const c = await t.world.condition('taken', 'Ready');
      return c?.status === 'False' ? c : undefined;
    }, 'Ready False');
    expect(ready.reason).toBe('KeyNameTaken');
  });

  it('delivers a new first version when the first delivery failed after the key was created, and ends the lost one', async () => {
    t.world.sm.injectFault({ operation: 'PutSecretValue', times: 1, errorType: 'ThrottlingException' });
    await t.world.createApiKey('redelivered', compliantSpec('redelivered-bot'));
    const ready = await eventually(async () => ((await t.world.condition('redelivered', 'Ready'))?.status === 'True' ? t.world.getApiKey('redelivered') : undefined), 'Ready');
    const env = ready.status!.environments!.production!;
    const versions = await t.world.admin.listVersions(env.keyId!);
    expect(versions).toHaveLength(2);
    const [current, lost] = versions;
    expect(current!.id).toBe(env.rotation!.currentVersion);
    // The version whose secret was lost in the failed delivery no longer verifies.
    expect(lost!.overlapUntil === null ? lost!.revokedAt : lost!.overlapUntil).not.toBeNull();
    const [k8s, aws] = await t.world.consumerSecrets('redelivered-bot');
    expect(k8s).toBe(aws);
    expect(await t.world.admin.verify({ key: k8s!, ip: '10.20.1.1' })).toMatchObject({ valid: true });
    expect(await t.operator.metrics.registry.getSingleMetricAsString('keywarden_operator_reconcile_errors_total')).toContain('controller="apikey"} 1');
  });

  it('creates one key per environment and lists them in status', async () => {
    const spec = compliantSpec('multi-bot');
    const environments = spec.environments as Record<string, Record<string, unknown>>;
    environments.staging = { allowedCidrs: ['2001:DB8:0::/48'], delivery: [{ kubernetesSecret: { namespace: NAMESPACE, name: 'multi-bot-staging', key: 'API_KEY' } }] };
    await t.world.createApiKey('multi', spec);
    const ready = await eventually(async () => ((await t.world.condition('multi', 'Ready'))?.status === 'True' ? t.world.getApiKey('multi') : undefined), 'Ready');
    expect(ready.status!.environmentNames).toBe('production,staging');
    const staging = ready.status!.environments!.staging!;
    expect(staging.keyName).toBe('staging-multi-bot');
    expect(staging.keyId).not.toBe(ready.status!.environments!.production!.keyId);
    expect((await t.world.admin.getKey(staging.keyId!)).environment).toBe('staging');
    // The same network spelt differently is no drift.
    t.operator.resyncNow();
    await t.operator.idle();
    expect((await t.world.events('multi')).some((e) => e.reason === 'KeyDrift' || e.reason === 'KeyUpdated')).toBe(false);
  });

  it('says in Ready when the key service cannot be reached, and retries', async () => {
    const unreachable = t.world.operator({ keyService: { endpoint: 'http://127.0.0.1:1', apiKey: t.world.service.adminKey, retry: { retries: 0 } }, namespaces: ['isolated'] });
    await unreachable.start();
    const spec = compliantSpec('isolated-bot');
    (spec.environments as { production: { delivery: unknown[] } }).production.delivery = [{ kubernetesSecret: { namespace: 'isolated', name: 'isolated-bot-key', key: 'API_KEY' } }];
    await t.world.custom.createNamespacedCustomObject({
      group: 'keywarden.dev',
      version: 'v1alpha1',
      namespace: 'isolated',
      plural: 'apikeys',
      body: { apiVersion: 'keywarden.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'isolated', namespace: 'isolated' }, spec },
    });
    const ready = await eventually(async () => {
      const o = (await t.world.custom.getNamespacedCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', namespace: 'isolated', plural: 'apikeys', name: 'isolated' })) as { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
      return o.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
    }, 'Ready False');
    expect(ready.reason).toBe('KeyServiceUnreachable');
    expect(ready.message).toContain('production: key service GET');
    await eventually(async () => {
      const text = await unreachable.metrics.registry.getSingleMetricAsString('keywarden_operator_reconcile_errors_total');
      return Number(/controller="apikey"} (\d+)/.exec(text)?.[1] ?? 0) >= 2;
    }, 'a retry');
    await unreachable.stop();
  });
});
