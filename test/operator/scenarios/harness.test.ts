// The scenario harness itself: the proxies of an operator incarnation pass the real clients'
// requests through (watches included), answer injected faults in the servers' place, and crash
// before or after the server carried a request out; the consumers catch a revoked secret; the
// timeline sees a version revoked while it is still served.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { KeywardenApiError, KeywardenClient } from '../../../src/client/index.js';
import { AwsSecretsManagerDestination, deliver, KubernetesSecretDestination, type SecretDestination } from '../../../src/delivery/index.js';
import { GROUP, VERSION } from '../../../src/operator/crds.js';
import { initialRotationState, RotationExecutor, step, type RotationPolicy, type RotationState, type StepOutcome } from '../../../src/operator/rotation/index.js';
import { awsError, awsOperation, keyServiceError } from './harness/fault-plan.js';
import type { Incarnation } from './harness/incarnation.js';
import { apiKeyManifest, destinationsOf, targetsOf, World, type ScenarioDelivery } from './harness/world.js';

describe('the operator scenario harness', () => {
  let world: World;
  let n = 0;

  beforeAll(async () => {
    world = await World.start();
  }, 60_000);
  afterAll(async () => {
    await world.stop();
  });

  function clientsOf(life: Incarnation): { core: CoreV1Api; custom: CustomObjectsApi; sm: SecretsManagerClient; keys: KeywardenClient } {
    const kc = world.kubeConfigFor(life);
    return {
      core: kc.makeApiClient(CoreV1Api),
      custom: kc.makeApiClient(CustomObjectsApi),
      sm: new SecretsManagerClient({ ...world.sm.clientConfig(), endpoint: life.urls.secretsmanager }),
      keys: new KeywardenClient({ endpoint: life.urls.keyservice, apiKey: world.operatorApiKey, retry: { retries: 0 } }),
    };
  }

  /** A key in the key service, its first version delivered (directly, not through a proxy). */
  async function deliveredKey(): Promise<{ keyId: string; v1: string; delivery: ScenarioDelivery }> {
    const i = ++n;
    const created = await world.admin.createKey({ name: `harness-${i}`, environment: 'production', scopes: ['invoices:read'] });
    const delivery: ScenarioDelivery = {
      kubernetesSecret: { namespace: 'shop', name: `harness-${i}`, key: 'API_KEY' },
      awsSecretsManager: { name: `prod/harness-${i}` },
    };
    for (const d of destinationsFor(delivery, world.core, world.secretsManager)) {
      await deliver(d, { keyId: created.key.id, versionId: created.version.id, secret: created.secret });
    }
    return { keyId: created.key.id, v1: created.version.id, delivery };
  }

  function destinationsFor(delivery: ScenarioDelivery, core: CoreV1Api, sm: SecretsManagerClient): SecretDestination[] {
    return [
      new KubernetesSecretDestination({ ...delivery.kubernetesSecret!, api: core }),
      new AwsSecretsManagerDestination({ secretId: delivery.awsSecretsManager!.name, client: sm, region: world.sm.region }),
    ];
  }

  it('passes requests of the real clients through to all three servers, watches included', async () => {
    const life = await world.incarnation();
    const c = clientsOf(life);
    await world.applyApiKey(apiKeyManifest({ name: 'through-proxy', namespace: 'shop', delivery: { kubernetesSecret: { namespace: 'shop', name: 'x', key: 'K' } } }));
    const seen: string[] = [];
    const watch = new Watch(world.kubeConfigFor(life));
    const request = await watch.watch(
      `/apis/${GROUP}/${VERSION}/namespaces/shop/apikeys`,
      { resourceVersion: '0' },
      (type, object: { metadata: { name: string } }) => seen.push(`${type} ${object.metadata.name}`),
      () => undefined,
    );
    await world.until(() => seen.includes('ADDED through-proxy'), () => `watch saw ${seen.join(', ')}`);
    expect(world.kube.openWatches).toBe(1);
    const listed = (await c.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'shop', plural: 'apikeys' })) as { items: unknown[] };
    expect(listed.items.length).toBeGreaterThanOrEqual(1);
    await c.sm.send(new PutSecretValueCommand({ SecretId: 'absent', SecretString: 'x' })).catch((err: Error) => expect(err.name).toBe('ResourceNotFoundException'));
    expect((await c.keys.whoami()).keyId).toBe(world.service.adminKeyId);
    request.abort();
    await world.until(() => world.kube.openWatches === 0, () => `${world.kube.openWatches} watches open`);
    c.sm.destroy();
    await c.keys.close();
    life.crash();
  });

  it('answers an armed fault in the server’s place, once, and records it', async () => {
    const life = await world.incarnation();
    const c = clientsOf(life);
    world.plan.arm({ name: 'key service 500', upstream: 'keyservice', match: (r) => r.path === '/v1/whoami', action: keyServiceError(500, 'internal_error') });
    world.plan.arm({ name: 'throttle', upstream: 'secretsmanager', match: (r) => awsOperation(r) === 'ListSecretVersionIds', action: awsError('ThrottlingException') });
    const err = await c.keys.whoami().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeywardenApiError);
    expect(err).toMatchObject({ status: 500, code: 'internal_error' });
    expect((await c.keys.whoami()).keyId).toBe(world.service.adminKeyId);
    const thrown = await c.sm.send(new ListSecretVersionIdsCommand({ SecretId: 'any' })).catch((e: Error) => e);
    expect((thrown as Error).name).toBe('ThrottlingException');
    expect(world.plan.armed).toEqual([]);
    expect(world.plan.fired.map((f) => f.rule)).toEqual(['key service 500', 'throttle']);
    c.sm.destroy();
    await c.keys.close();
    life.crash();
  });

  it('crashes before the server sees a request: nothing happens there, watches end, later requests are refused', async () => {
    const { delivery } = await deliveredKey();
    const life = await world.incarnation();
    const c = clientsOf(life);
    const watch = new Watch(world.kubeConfigFor(life));
    let watchEnded = false;
    await watch.watch('/api/v1/namespaces/shop/secrets', {}, () => undefined, () => (watchEnded = true));
    await world.until(() => world.kube.openWatches === 1, () => `${world.kube.openWatches} watches open`);
    world.plan.arm({ name: 'crash before put', upstream: 'secretsmanager', match: (r) => awsOperation(r) === 'PutSecretValue', action: { kind: 'crash', when: 'before' } });
    const smName = delivery.awsSecretsManager!.name;
    const before = Object.keys(world.sm.versionStages(smName)).length;
    const failed = await c.sm.send(new PutSecretValueCommand({ SecretId: smName, SecretString: 'new', VersionStages: ['AWSPENDING'] })).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(await life.crashed).toMatchObject({ incarnation: life.number, cause: 'crash before put', request: { upstream: 'secretsmanager' } });
    expect(Object.keys(world.sm.versionStages(smName)).length).toBe(before);
    await world.until(() => watchEnded && world.kube.openWatches === 0, () => `watch ended ${watchEnded}, ${world.kube.openWatches} open`);
    expect(await c.keys.whoami().catch((e: unknown) => e)).toMatchObject({ status: 0 });
    c.sm.destroy();
    await c.keys.close();
  });

  it('crashes after the server carried a request out: the effect is there, the reply is lost', async () => {
    const { delivery } = await deliveredKey();
    const life = await world.incarnation();
    const c = clientsOf(life);
    world.plan.arm({ name: 'crash after put', upstream: 'secretsmanager', match: (r) => awsOperation(r) === 'PutSecretValue', action: { kind: 'crash', when: 'after' } });
    const smName = delivery.awsSecretsManager!.name;
    const failed = await c.sm.send(new PutSecretValueCommand({ SecretId: smName, SecretString: 'new-value', VersionStages: ['AWSPENDING'] })).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    await life.crashed;
    const pending = await world.secretsManager.send(new GetSecretValueCommand({ SecretId: smName, VersionStage: 'AWSPENDING' }));
    expect(pending.SecretString).toBe('new-value');
    c.sm.destroy();
    await c.keys.close();
  });

  /** Runs the rotation machine with an executor whose clients go through `life`. */
  async function rotate(life: Incarnation, key: { keyId: string; v1: string; delivery: ScenarioDelivery }, policy: RotationPolicy): Promise<RotationState> {
    const c = clientsOf(life);
    const executor = new RotationExecutor({ client: c.keys, destinations: destinationsFor(key.delivery, c.core, c.sm) });
    let state = initialRotationState(key.v1, world.clock.now());
    let outcome: StepOutcome | undefined;
    world.clock.advance(policy.everySeconds! * 1000);
    for (let i = 0; i < 20; i++) {
      const result = step(state, { keyId: key.keyId, policy, ...(outcome !== undefined ? { outcome } : {}) }, world.clock.now());
      state = result.state;
      if (state.phase === 'Idle' && state.previousRevokedAt !== undefined) break;
      outcome = result.actions.length > 0 ? await executor.execute(state.phase, state.rotationId, result.actions) : undefined;
      if (result.wakeAt !== undefined) world.clock.advanceTo(result.wakeAt);
    }
    c.sm.destroy();
    await c.keys.close();
    return state;
  }

  it('consumers make calls during a rotation and see none rejected; the timeline finds no version revoked while served', async () => {
    const key = await deliveredKey();
    const consumers = world.consumers(targetsOf(key.delivery), 4);
    consumers.start();
    await consumers.waitForCalls(20);
    const life = await world.incarnation();
    const state = await rotate(life, key, { everySeconds: 3600, overlapSeconds: 600 });
    await consumers.waitForCalls(20);
    const report = await consumers.stop();
    expect(state).toMatchObject({ phase: 'Idle', previousVersion: key.v1 });
    expect(report.rejected).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.calls).toBeGreaterThanOrEqual(40);
    expect(world.timeline.revokedWhileServed()).toEqual([]);
    const destinations = destinationsOf(key.delivery);
    const promotedAt = world.timeline.servedEverywhereAt(state.currentVersion!, destinations);
    const revokedAt = world.timeline.revocations().find((r) => r.versionId === key.v1)?.seq;
    expect(promotedAt).toBeDefined();
    expect(revokedAt).toBeGreaterThan(promotedAt!);
    life.crash();
  });

  it('consumers report the calls rejected once the served version is revoked, and the timeline flags that revocation', async () => {
    const key = await deliveredKey();
    const life = await world.incarnation();
    const c = clientsOf(life);
    await c.keys.revokeVersion(key.keyId, key.v1);
    const consumers = world.consumers(targetsOf(key.delivery), 1);
    expect(await consumers.sweep()).toBe(2);
    const report = await consumers.stop();
    expect(report.rejected.map((r) => r.code)).toEqual(['REVOKED', 'REVOKED']);
    for (const r of report.rejected) expect(r.prefix.length).toBeLessThanOrEqual(12);
    expect(world.timeline.revokedWhileServed().map((r) => [r.versionId, r.destination]).sort()).toEqual(
      destinationsOf(key.delivery).map((d) => [key.v1, d]).sort(),
    );
    await c.keys.close();
    c.sm.destroy();
    life.crash();
  });
});
