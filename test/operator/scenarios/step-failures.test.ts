// Scenario 3: each step of a rotation failing — the key service answering 500, Secrets Manager
// throttling, the Kubernetes API refusing a Secret write, verify refusing the new secret. Before
// promotion the operator rolls back (pending version revoked in the key service, AWSPENDING and
// the Secret's pending entry cleared, the old version untouched) and retries after the backoff
// with a new rotation id; from promotion on it only moves forward. Conditions and Events are the
// ones docs/operator.md lists; no secret appears in any of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StepEvent } from '../../../src/operator/index.js';
import { awsError, awsOperation, jsonBody, keyServiceError, kubeError, secretWriteVersions, type FaultAction, type FaultRule, type ProxiedRequest } from './harness/fault-plan.js';
import { drive, rotatedFrom } from './harness/drive.js';
import { startOperator, type OperatorUnderTest } from './harness/operator-under-test.js';
import { condition, destinationVersions, keyStatus, scenarioKey, validVersions, type ScenarioKey } from './harness/scenario-keys.js';
import { World } from './harness/world.js';

interface FailureContext {
  readonly key: ScenarioKey;
  readonly keyId: string;
  readonly v1: string;
}

interface StepFailure {
  readonly name: string;
  readonly rule: (ctx: FailureContext) => Omit<FaultRule, 'name'>;
  /** The phase that fails. */
  readonly phase: 'Creating' | 'Staging' | 'Testing' | 'Promoting' | 'RevokingOld';
  /** The reason in lastError, the RotationHealthy condition and the Warning Event. */
  readonly reason: string;
}

const input = (r: ProxiedRequest): Record<string, unknown> => (jsonBody(r) ?? {}) as Record<string, unknown>;
const smName = (k: ScenarioKey): string => k.delivery.awsSecretsManager!.name;
const isSecretWrite = (r: ProxiedRequest, k: ScenarioKey): boolean =>
  r.method === 'PUT' && r.path === `/api/v1/namespaces/${k.namespace}/secrets/${k.delivery.kubernetesSecret!.name}`;
const secretCurrent = (r: ProxiedRequest, k: ScenarioKey): string | undefined => secretWriteVersions(r, k.delivery.kubernetesSecret!.key)?.current;
const throttled: FaultAction = awsError('ThrottlingException', 400, 'Rate exceeded');
const unavailable: FaultAction = keyServiceError(500, 'internal_error', 'The key service failed unexpectedly.');

const beforePromotion: StepFailure[] = [
  {
    name: 'the key service answers 500 to the create',
    phase: 'Creating',
    reason: 'KeyServiceUnavailable',
    rule: ({ keyId }) => ({ upstream: 'keyservice', match: (r) => r.method === 'POST' && r.path === `/v1/keys/${keyId}/rotate`, action: unavailable }),
  },
  {
    name: 'Secrets Manager throttles the staging write',
    phase: 'Staging',
    reason: 'DeliveryFailed',
    rule: ({ key }) => ({
      upstream: 'secretsmanager',
      match: (r) => awsOperation(r) === 'PutSecretValue' && input(r).SecretId === smName(key),
      action: throttled,
    }),
  },
  {
    name: 'the Kubernetes API refuses the staging write of the Secret',
    phase: 'Staging',
    reason: 'DeliveryFailed',
    rule: ({ key }) => ({ upstream: 'kube', match: (r) => isSecretWrite(r, key), action: kubeError(500, 'InternalError', 'etcdserver: request timed out') }),
  },
  {
    name: 'verify refuses the new secret',
    phase: 'Testing',
    reason: 'VerifyRefused',
    rule: () => ({ upstream: 'keyservice', match: (r) => r.method === 'POST' && r.path === '/v1/verify', action: { kind: 'respond', status: 200, body: { valid: false, code: 'NOT_FOUND' } } }),
  },
  {
    name: 'the key service answers 500 to the verify',
    phase: 'Testing',
    reason: 'KeyServiceUnavailable',
    rule: () => ({ upstream: 'keyservice', match: (r) => r.method === 'POST' && r.path === '/v1/verify', action: unavailable }),
  },
];

const afterPromotion: StepFailure[] = [
  {
    name: 'Secrets Manager throttles the move of AWSCURRENT',
    phase: 'Promoting',
    reason: 'DeliveryFailed',
    rule: ({ key }) => ({
      upstream: 'secretsmanager',
      match: (r) => awsOperation(r) === 'UpdateSecretVersionStage' && input(r).SecretId === smName(key) && input(r).VersionStage === 'AWSCURRENT',
      action: throttled,
    }),
  },
  {
    name: 'the Kubernetes API refuses the promotion write after Secrets Manager moved',
    phase: 'Promoting',
    reason: 'DeliveryFailed',
    rule: ({ key, v1 }) => ({
      upstream: 'kube',
      match: (r) => isSecretWrite(r, key) && (secretCurrent(r, key) ?? v1) !== v1,
      action: kubeError(500, 'InternalError', 'etcdserver: request timed out'),
    }),
  },
  {
    name: 'the key service answers 500 to the promotion after every destination moved',
    phase: 'Promoting',
    reason: 'KeyServiceUnavailable',
    rule: ({ keyId }) => ({
      upstream: 'keyservice',
      match: (r) => r.method === 'POST' && r.path.startsWith(`/v1/keys/${keyId}/versions/`) && r.path.endsWith('/promote'),
      action: unavailable,
    }),
  },
  {
    name: 'the key service answers 500 to the revocation of the old version',
    phase: 'RevokingOld',
    reason: 'KeyServiceUnavailable',
    rule: ({ keyId, v1 }) => ({ upstream: 'keyservice', match: (r) => r.method === 'DELETE' && r.path === `/v1/keys/${keyId}/versions/${v1}`, action: unavailable }),
  },
];

describe('a rotation step failing', () => {
  let world: World;
  let op: OperatorUnderTest;
  const steps: StepEvent[] = [];
  let n = 0;

  beforeAll(async () => {
    world = await World.start();
    op = await startOperator(world, { steps });
  }, 60_000);
  afterAll(async () => {
    await world.stop();
  });

  /** A delivered key with a forced rotation armed to fail as `failure` says (`times` requests). */
  async function failingRotation(failure: StepFailure, times: number): Promise<FailureContext> {
    const key = scenarioKey(`fail-${String(++n).padStart(2, '0')}`);
    await world.applyApiKey(key.manifest);
    await drive(world, op, [key], (s) => s.rotation?.phase === 'Idle' && s.rotation.currentVersion !== undefined, { endOverlaps: false });
    const status = await keyStatus(world, key);
    const ctx: FailureContext = { key, keyId: status.keyId!, v1: status.rotation!.currentVersion! };
    world.plan.arm({ name: failure.name, times, ...failure.rule(ctx) });
    await world.annotate(key.namespace, key.name, { 'keywarden.dev/rotate-now': `fail-${n}` });
    return ctx;
  }

  function eventsOf(key: ScenarioKey): Array<{ type: string; reason: string; message: string; count: number }> {
    return world
      .events(key.namespace)
      .filter((e) => (e.involvedObject as { name?: string } | undefined)?.name === key.name)
      .map((e) => ({ type: String(e.type), reason: String(e.reason), message: String(e.message), count: Number(e.count ?? 1) }));
  }

  /** The secrets a consumer would read now, to check none appears in status, Events or step states. */
  async function noSecretIn(key: ScenarioKey, texts: string[]): Promise<void> {
    const consumers = world.consumers(key.targets, 1);
    const secrets: string[] = [];
    const k8s = world.kube.store.list('', 'secrets', key.namespace).find((s) => s.metadata.name === key.delivery.kubernetesSecret!.name);
    for (const value of Object.values((k8s?.data ?? {}) as Record<string, string>)) secrets.push(Buffer.from(value, 'base64').toString('utf8'));
    for (const token of Object.keys(world.sm.versionStages(smName(key)))) {
      const s = world.sm.secretString(smName(key), token);
      if (s !== undefined) secrets.push(s);
    }
    await consumers.stop();
    expect(secrets.length).toBeGreaterThan(0);
    for (const text of texts) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  }

  it.each(beforePromotion.map((f) => [f.name, f] as const))('recovers before promotion when %s: nothing left pending, the old version alone valid, retried after backoff', async (_name, failure) => {
    const ctx = await failingRotation(failure, 1);
    const before = await validVersions(world, ctx.keyId);
    expect(before).toEqual([ctx.v1]);
    // The failing attempt: let the operator do what it can without moving the clock.
    await drive(world, op, [ctx.key], (s) => s.rotation?.lastError !== undefined && s.rotation.pendingVersion === undefined && s.rotation.phase !== 'RollingBack', {
      endOverlaps: false,
    });
    const failed = await keyStatus(world, ctx.key);
    expect(world.plan.armed).toEqual([]);
    expect(failed.rotation).toMatchObject({ lastError: { reason: failure.reason } });
    expect(failed.rotation!.retryAt).toBeDefined();
    expect(Date.parse(failed.rotation!.retryAt!)).toBeGreaterThan(world.clock.ms());
    expect(failed.rotation!.currentVersion).toBe(ctx.v1);
    expect(condition(failed.resource, 'RotationHealthy')).toMatchObject({ status: 'False', reason: failure.reason });
    expect(condition(failed.resource, 'Ready')).toMatchObject({ status: 'False' });
    const warnings = eventsOf(ctx.key).filter((e) => e.type === 'Warning');
    expect(warnings.map((e) => e.reason)).toContain(failure.phase === 'Creating' ? 'RotationFailed' : 'RotationRolledBack');
    // Rolled back: nothing pending anywhere, the old version alone is valid and keeps no expiry.
    const served = await destinationVersions(world, ctx.key);
    for (const destination of ctx.key.destinations) expect({ destination, ...served[destination] }).toEqual({ destination, current: ctx.v1 });
    expect(await validVersions(world, ctx.keyId)).toEqual([ctx.v1]);
    const old = (await world.admin.listVersions(ctx.keyId)).find((v) => v.id === ctx.v1)!;
    expect(old.overlapUntil).toBeNull();
    const rolledBack = steps.filter((e) => e.resource === `${ctx.key.namespace}/${ctx.key.name}` && e.phase === 'RollingBack');
    if (failure.phase === 'Creating') expect(rolledBack).toEqual([]);
    else expect(rolledBack.length).toBeGreaterThan(0);

    // After the backoff the rotation is retried (a new rotation id after a rollback) and completes.
    const firstId = failed.rotation!.rotationId;
    const done = await drive(world, op, [ctx.key], rotatedFrom(ctx.v1));
    expect(done.reached).toBe(true);
    const { rotation, resource } = await keyStatus(world, ctx.key);
    expect(await validVersions(world, ctx.keyId)).toEqual([rotation!.currentVersion]);
    expect(condition(resource, 'RotationHealthy')).toMatchObject({ status: 'True' });
    expect(rotation!.lastError).toBeUndefined();
    const ids = new Set(steps.filter((e) => e.resource === `${ctx.key.namespace}/${ctx.key.name}`).map((e) => e.state.rotationId).filter((id) => id !== undefined));
    if (failure.phase === 'Creating') expect(ids.size).toBe(1);
    else expect(ids.size).toBe(2);
    expect(firstId === undefined || ids.has(firstId)).toBe(true);
    expect(eventsOf(ctx.key).map((e) => e.reason)).toEqual(expect.arrayContaining(['RotationPromoted', 'OldVersionRevoked']));
    await noSecretIn(ctx.key, [JSON.stringify(resource.status), JSON.stringify(eventsOf(ctx.key)), JSON.stringify(steps.map((s) => s.state))]);
  }, 120_000);

  it.each(afterPromotion.map((f) => [f.name, f] as const))('only moves forward when %s', async (_name, failure) => {
    const ctx = await failingRotation(failure, 2);
    const resource = `${ctx.key.namespace}/${ctx.key.name}`;
    // Up to the failure (for the revocation: through the overlap).
    await drive(world, op, [ctx.key], (s) => s.rotation?.lastError !== undefined);
    const failed = await keyStatus(world, ctx.key);
    expect(failed.rotation).toMatchObject({ phase: failure.phase, lastError: { reason: failure.reason } });
    expect(condition(failed.resource, 'RotationHealthy')).toMatchObject({ status: 'False', reason: failure.reason });
    expect(eventsOf(ctx.key).filter((e) => e.type === 'Warning').map((e) => e.reason)).toContain('RotationFailed');
    const newVersion = failure.phase === 'Promoting' ? failed.rotation!.pendingVersion! : failed.rotation!.currentVersion!;
    expect(newVersion).not.toBe(ctx.v1);
    // Stuck in promotion, both versions stay valid: consumers holding either are served. Stuck in
    // the revocation, the overlap is over (the key service expired the old version on its own).
    expect(await validVersions(world, ctx.keyId)).toEqual(failure.phase === 'Promoting' ? [ctx.v1, newVersion].sort() : [newVersion]);

    const done = await drive(world, op, [ctx.key], rotatedFrom(ctx.v1));
    expect(done.reached).toBe(true);
    const final = await keyStatus(world, ctx.key);
    expect(final.rotation!.currentVersion).toBe(newVersion);
    expect(await validVersions(world, ctx.keyId)).toEqual([newVersion]);
    expect(world.plan.armed).toEqual([]);
    const ownSteps = steps.filter((e) => e.resource === resource);
    expect(ownSteps.filter((e) => e.phase === 'RollingBack')).toEqual([]);
    expect(new Set(ownSteps.map((e) => e.state.rotationId).filter((id) => id !== undefined)).size).toBe(1);
    const served = await destinationVersions(world, ctx.key);
    for (const destination of ctx.key.destinations) expect({ destination, ...served[destination] }).toEqual({ destination, current: newVersion });
    expect(world.timeline.revokedWhileServed().filter((r) => ctx.key.destinations.includes(r.destination))).toEqual([]);
    expect(condition(final.resource, 'RotationHealthy')).toMatchObject({ status: 'True' });
  }, 120_000);
});
