// The machine and its executor against a real key service (SQLite, in process), a Kubernetes
// Secret on the in-test API server and a Secrets Manager secret on the in-test endpoint, driven
// through the real client libraries. Consumers check after every step that what AWSCURRENT and
// the Kubernetes Secret hold at that moment verifies.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CoreV1Api } from '@kubernetes/client-node';
import { KeywardenClient } from '../../../src/client/index.js';
import { AwsSecretsManagerDestination, deliver, KubernetesSecretDestination, type SecretDestination } from '../../../src/delivery/index.js';
import { initialRotationState, step, type RotationPolicy, type RotationState, type StepOutcome } from '../../../src/operator/rotation/index.js';
import { RotationExecutor } from '../../../src/operator/rotation/executor.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager.js';

const policy: RotationPolicy = { everySeconds: 86_400, overlapSeconds: 3600 };
const T0 = new Date('2026-01-01T00:00:00Z');

describe('rotation through the executor with real clients', () => {
  let service: InProcessService;
  let kube: FakeKubeApiServer;
  let sm: FakeSecretsManager;
  let smClient: SecretsManagerClient;
  let core: CoreV1Api;
  let admin: KeywardenClient;
  let n = 0;

  beforeAll(async () => {
    [service, kube, sm] = await Promise.all([startInProcessService(), startFakeKubeApiServer(), startFakeSecretsManager()]);
    smClient = new SecretsManagerClient(sm.clientConfig());
    core = kube.kubeConfig().makeApiClient(CoreV1Api);
    admin = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey, retry: { retries: 0 } });
  });
  afterAll(async () => {
    smClient.destroy();
    await admin.close();
    await Promise.all([service.stop(), kube.stop(), sm.stop()]);
  });

  /** A key with its first version delivered to a Kubernetes Secret and a Secrets Manager secret. */
  async function setUp(): Promise<{ keyId: string; v1: string; destinations: SecretDestination[]; secretName: string; smName: string }> {
    const i = ++n;
    const created = await admin.createKey({ name: `rot-${i}`, environment: 'production', scopes: ['invoices:read'] });
    const secretName = `billing-${i}`;
    const smName = `prod/billing-${i}`;
    const destinations: SecretDestination[] = [
      new KubernetesSecretDestination({ namespace: 'orders', name: secretName, key: 'API_KEY', api: core }),
      new AwsSecretsManagerDestination({ secretId: smName, client: smClient, region: sm.region }),
    ];
    for (const d of destinations) await deliver(d, { keyId: created.key.id, versionId: created.version.id, secret: created.secret });
    return { keyId: created.key.id, v1: created.version.id, destinations, secretName, smName };
  }

  /** What consumers read now: the Kubernetes Secret's key and AWSCURRENT. */
  async function consumerSecrets(secretName: string, smName: string): Promise<string[]> {
    const secret = await core.readNamespacedSecret({ namespace: 'orders', name: secretName });
    const aws = await smClient.send(new GetSecretValueCommand({ SecretId: smName }));
    return [Buffer.from(secret.data!.API_KEY!, 'base64').toString('utf8'), aws.SecretString!];
  }

  /** Runs steps until the rotation is over; a new executor after `crashAfter` steps simulates a restart. */
  async function run(setup: Awaited<ReturnType<typeof setUp>>, options: { crashAfterStep?: number; executor?: RotationExecutor } = {}) {
    let executor = options.executor ?? new RotationExecutor({ client: admin, destinations: setup.destinations });
    let state: RotationState = initialRotationState(setup.v1, T0);
    let outcome: StepOutcome | undefined;
    let now = new Date(T0.getTime() + 86_400_000);
    const rejected: string[] = [];
    const states: RotationState[] = [];
    for (let i = 0; i < 60; i++) {
      const result = step(state, { keyId: setup.keyId, policy, ...(outcome ? { outcome } : {}) }, now);
      state = result.state;
      states.push(state);
      if (state.phase === 'Idle' && state.previousRevokedAt !== undefined) break;
      outcome = result.actions.length > 0 ? await executor.execute(state.phase, state.rotationId, result.actions) : undefined;
      if (i === options.crashAfterStep) {
        executor = new RotationExecutor({ client: admin, destinations: setup.destinations });
        outcome = undefined;
      }
      for (const secret of await consumerSecrets(setup.secretName, setup.smName)) {
        const answer = await admin.verify({ key: secret });
        if (!answer.valid) rejected.push(`${state.phase}: ${answer.code}`);
      }
      now = result.wakeAt !== undefined ? new Date(Math.max(Date.parse(result.wakeAt), now.getTime() + 1000)) : new Date(now.getTime() + 1000);
    }
    return { state, states, rejected, executor };
  }

  it('rotates with zero rejected consumer calls, revokes the old version after the overlap and keeps no secret in the state', async () => {
    const setup = await setUp();
    const [oldSecret] = await consumerSecrets(setup.secretName, setup.smName);
    const { state, states, rejected, executor } = await run(setup);
    expect(rejected).toEqual([]);
    expect(state).toMatchObject({ phase: 'Idle', previousVersion: setup.v1 });
    expect(state.currentVersion).not.toBe(setup.v1);
    for (const d of setup.destinations) expect((await d.state()).current).toBe(state.currentVersion);
    const [k8sSecret, awsSecret] = await consumerSecrets(setup.secretName, setup.smName);
    expect(k8sSecret).toBe(awsSecret);
    expect((await admin.verify({ key: k8sSecret! })).valid).toBe(true);
    expect(await admin.verify({ key: oldSecret! })).toMatchObject({ valid: false, code: 'REVOKED' });
    for (const s of states) {
      expect(JSON.stringify(s)).not.toContain(k8sSecret);
      expect(JSON.stringify(s)).not.toContain(oldSecret);
    }
    expect(executor.secretsInMemory).toBe(0);
    const versions = await admin.listVersions(setup.keyId);
    expect(versions.filter((v) => v.revokedAt === null).map((v) => v.id)).toEqual([state.currentVersion]);
  });

  it('rolls back when Secrets Manager throttles the staging write, then retries and completes', async () => {
    const setup = await setUp();
    sm.injectFault({ operation: 'PutSecretValue', times: 5, errorType: 'ThrottlingException' });
    const { state, states, rejected } = await run(setup);
    expect(rejected).toEqual([]);
    expect(states.some((s) => s.phase === 'RollingBack' && s.lastError?.reason === 'DeliveryFailed')).toBe(true);
    expect(state).toMatchObject({ phase: 'Idle', previousVersion: setup.v1 });
    const versions = await admin.listVersions(setup.keyId);
    // The rolled-back version is revoked: only the new current version stays valid.
    expect(versions.length).toBeGreaterThanOrEqual(3);
    expect(versions.filter((v) => v.revokedAt === null).map((v) => v.id)).toEqual([state.currentVersion]);
  });

  it('after a rollback leaves the old version current and valid with no expiry (deferred promotion)', async () => {
    const setup = await setUp();
    const [oldSecret] = await consumerSecrets(setup.secretName, setup.smName);
    const executor = new RotationExecutor({ client: admin, destinations: setup.destinations });
    const now = new Date(T0.getTime() + 86_400_000);
    let result = step(initialRotationState(setup.v1, T0), { keyId: setup.keyId, policy }, now);
    let outcome = await executor.execute(result.state.phase, result.state.rotationId, result.actions);
    sm.injectFault({ operation: 'PutSecretValue', times: 1, errorType: 'ThrottlingException' });
    result = step(result.state, { keyId: setup.keyId, policy, outcome }, now);
    expect(result.state.phase).toBe('Staging');
    const pending = result.state.pendingVersion!;
    // Before promotion the old version has no expiry: a slow rotation never cuts consumers off.
    expect((await admin.listVersions(setup.keyId)).find((v) => v.id === setup.v1)).toMatchObject({ overlapUntil: null, revokedAt: null });
    outcome = await executor.execute(result.state.phase, result.state.rotationId, result.actions);
    result = step(result.state, { keyId: setup.keyId, policy, outcome }, now);
    expect(result.state.phase).toBe('RollingBack');
    outcome = await executor.execute(result.state.phase, result.state.rotationId, result.actions);
    result = step(result.state, { keyId: setup.keyId, policy, outcome }, now);
    expect(result.state).toMatchObject({ phase: 'Idle', currentVersion: setup.v1 });
    const versions = await admin.listVersions(setup.keyId);
    expect(versions.find((v) => v.id === setup.v1)).toMatchObject({ overlapUntil: null, revokedAt: null });
    expect(versions.find((v) => v.id === pending)?.revokedAt).not.toBeNull();
    expect((await admin.getKey(setup.keyId)).currentVersionId).toBe(setup.v1);
    expect(await admin.verify({ key: oldSecret! })).toMatchObject({ valid: true });
  });

  it('starts the old version\'s overlap at promotion, in the key service too', async () => {
    const setup = await setUp();
    const { state } = await run(setup);
    expect(state.phase).toBe('Idle');
    const audit = await admin.listAudit({ keyId: setup.keyId, action: 'key.version.promoted' });
    expect(audit.items).toHaveLength(1);
  });

  it('after a restart between create and stage, revokes the version whose secret was lost and rotates under a new id', async () => {
    const setup = await setUp();
    const { state, states, rejected } = await run(setup, { crashAfterStep: 0 });
    expect(rejected).toEqual([]);
    expect(states.some((s) => s.phase === 'RollingBack' && s.lastError?.reason === 'SecretUnavailable')).toBe(true);
    const rotationIds = new Set(states.map((s) => s.rotationId).filter((id) => id !== undefined));
    expect(rotationIds.size).toBe(2);
    const versions = await admin.listVersions(setup.keyId);
    expect(versions.filter((v) => v.revokedAt === null).map((v) => v.id)).toEqual([state.currentVersion]);
  });

  it('completes with one valid version and zero rejected calls when the operator restarts after any step', async () => {
    for (let crashAfterStep = 0; crashAfterStep < 8; crashAfterStep++) {
      const setup = await setUp();
      const { state, rejected } = await run(setup, { crashAfterStep });
      expect({ crashAfterStep, rejected }).toEqual({ crashAfterStep, rejected: [] });
      expect({ crashAfterStep, phase: state.phase, revoked: state.previousRevokedAt !== undefined }).toEqual({ crashAfterStep, phase: 'Idle', revoked: true });
      const versions = await admin.listVersions(setup.keyId);
      expect(versions.filter((v) => v.revokedAt === null).map((v) => v.id)).toEqual([state.currentVersion]);
      for (const d of setup.destinations) expect((await d.state()).current).toBe(state.currentVersion);
    }
  });

  it('reports a key service outage as KeyServiceUnreachable without a secret in the message', async () => {
    const setup = await setUp();
    const down = new KeywardenClient({ endpoint: 'http://127.0.0.1:1', apiKey: service.adminKey, retry: { retries: 0 } });
    const executor = new RotationExecutor({ client: down, destinations: setup.destinations });
    const outcome = await executor.execute('Creating', 'rot-x', [{ type: 'createVersion', keyId: setup.keyId, rotationId: 'rot-x' }]);
    expect(outcome).toMatchObject({ ok: false, reason: 'KeyServiceUnreachable', phase: 'Creating', rotationId: 'rot-x' });
    expect(JSON.stringify(outcome)).not.toContain(service.adminKey);
    await down.close();
  });
});
