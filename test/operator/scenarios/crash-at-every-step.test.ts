// Scenario 2: the operator is killed at every step of a rotation — at each request that carries a
// step out (create, stage on each destination, test, promote on each destination and in the key
// service, the overlap's status write, revoke), before the server sees it and after the server
// carried it out with the reply lost; and between steps (actions done but not persisted; state persisted but its actions
// not run). A new operator starts. The rotation completes, no orphan version stays valid, no
// AWSPENDING or pending Secret entry is left, the old version is revoked only after every
// destination serves the new one, and consumers never see a rejected call.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StepEvent } from '../../../src/operator/index.js';
import { awsOperation, jsonBody, secretWriteVersions, type FaultRule, type ProxiedRequest } from './harness/fault-plan.js';
import { drive, rotatedFrom } from './harness/drive.js';
import { startOperator } from './harness/operator-under-test.js';
import { delivered, destinationVersions, keyStatus, scenarioKey, validVersions, type ScenarioKey } from './harness/scenario-keys.js';
import { World } from './harness/world.js';

interface KillContext {
  readonly key: ScenarioKey;
  readonly keyId: string;
  readonly v1: string;
}

interface KillPoint {
  readonly name: string;
  /** A crash rule on the request that carries the step out. */
  readonly rule?: (ctx: KillContext) => Omit<FaultRule, 'name' | 'action'>;
  readonly when?: 'before' | 'after';
  /** Or a crash at a step event of the rotation runner. */
  readonly step?: { readonly phase: StepEvent['phase']; readonly stage: StepEvent['stage'] };
}

const awsInput = (r: ProxiedRequest): Record<string, unknown> => (jsonBody(r) ?? {}) as Record<string, unknown>;
const secretPath = (k: ScenarioKey): string => `/api/v1/namespaces/${k.namespace}/secrets/${k.delivery.kubernetesSecret!.name}`;
const secretVersions = (r: ProxiedRequest, k: ScenarioKey): { current?: string; pending?: string } | undefined =>
  secretWriteVersions(r, k.delivery.kubernetesSecret!.key);

const requestKillPoints: Array<Omit<KillPoint, 'when'>> = [
  { name: 'create (POST rotate)', rule: ({ keyId }) => ({ upstream: 'keyservice', match: (r) => r.method === 'POST' && r.path === `/v1/keys/${keyId}/rotate` }) },
  {
    name: 'stage in Secrets Manager (PutSecretValue AWSPENDING)',
    rule: ({ key }) => ({
      upstream: 'secretsmanager',
      match: (r) => awsOperation(r) === 'PutSecretValue' && awsInput(r).SecretId === key.delivery.awsSecretsManager!.name && JSON.stringify(awsInput(r).VersionStages).includes('AWSPENDING'),
    }),
  },
  {
    name: 'stage in the Kubernetes Secret (pending entry)',
    rule: ({ key, v1 }) => ({ upstream: 'kube', match: (r) => r.method === 'PUT' && r.path === secretPath(key) && secretVersions(r, key)?.pending !== undefined && secretVersions(r, key)?.current === v1 }),
  },
  { name: 'test (POST verify)', rule: () => ({ upstream: 'keyservice', match: (r) => r.method === 'POST' && r.path === '/v1/verify' }) },
  {
    name: 'promote in Secrets Manager (AWSCURRENT moves)',
    rule: ({ key }) => ({
      upstream: 'secretsmanager',
      match: (r) => awsOperation(r) === 'UpdateSecretVersionStage' && awsInput(r).SecretId === key.delivery.awsSecretsManager!.name && awsInput(r).VersionStage === 'AWSCURRENT',
    }),
  },
  {
    name: 'promote in the Kubernetes Secret',
    rule: ({ key, v1 }) => ({ upstream: 'kube', match: (r) => r.method === 'PUT' && r.path === secretPath(key) && (secretVersions(r, key)?.current ?? v1) !== v1 }),
  },
  {
    name: 'promote in the key service (POST promote: the old version gets its overlap)',
    rule: ({ keyId }) => ({ upstream: 'keyservice', match: (r) => r.method === 'POST' && r.path.startsWith(`/v1/keys/${keyId}/versions/`) && r.path.endsWith('/promote') }),
  },
  {
    name: 'overlap (status write of phase Overlapping)',
    rule: ({ key }) => ({
      upstream: 'kube',
      match: (r) => r.method === 'PATCH' && r.path === `/apis/keywarden.dev/v1alpha1/namespaces/${key.namespace}/apikeys/${key.name}/status` && r.body.includes('"Overlapping"'),
    }),
  },
  { name: 'revoke the old version (DELETE version)', rule: ({ keyId, v1 }) => ({ upstream: 'keyservice', match: (r) => r.method === 'DELETE' && r.path === `/v1/keys/${keyId}/versions/${v1}` }) },
];

const killPoints: KillPoint[] = [
  ...requestKillPoints.flatMap((k) => (['before', 'after'] as const).map((when) => ({ ...k, name: `${when} ${k.name}`, when }))),
  ...(['Creating', 'Staging', 'Testing', 'Promoting', 'RevokingOld'] as const).map((phase) => ({
    name: `after the ${phase} actions ran, before the outcome was persisted`,
    step: { phase, stage: 'executed' as const },
  })),
  ...(['Creating', 'Staging', 'Testing', 'Promoting', 'Overlapping', 'RevokingOld'] as const).map((phase) => ({
    name: `after ${phase} was persisted, before its actions ran`,
    step: { phase, stage: 'persisted' as const },
  })),
];

describe('the operator killed at every step of a rotation', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  }, 60_000);
  afterAll(async () => {
    await world.stop();
  });

  it.each(killPoints.map((k, i) => [k.name, k, i] as const))('completes after a kill %s', async (_name, point, i) => {
    // One namespace per case, watched alone, so earlier cases' keys cost nothing here.
    const namespace = `crash-${String(i).padStart(2, '0')}`;
    const key = scenarioKey(namespace, { namespace });
    await world.applyApiKey(key.manifest);
    let armed = false;
    const resource = `${key.namespace}/${key.name}`;
    const first = await startOperator(world, {
      namespaces: [namespace],
      crashOnStep: (e) => armed && point.step !== undefined && e.resource === resource && e.phase === point.step.phase && e.stage === point.step.stage,
    });
    await drive(world, first, [key], (s) => s.rotation?.phase === 'Idle' && s.rotation.currentVersion !== undefined, { endOverlaps: false });
    expect(await delivered(world, key)).toBe(true);
    const initial = await keyStatus(world, key);
    const ctx: KillContext = { key, keyId: initial.keyId!, v1: initial.rotation!.currentVersion! };

    const consumers = world.consumers(key.targets, 2);
    consumers.start();
    await consumers.waitForCalls(4);
    if (point.rule !== undefined) world.plan.arm({ name: point.name, ...point.rule(ctx), action: { kind: 'crash', when: point.when ?? 'before' } });
    armed = true;
    await world.annotate(key.namespace, key.name, { 'keywarden.dev/rotate-now': `kill-${i}` });

    const untilCrash = await drive(world, first, [key], rotatedFrom(ctx.v1));
    expect(untilCrash).toEqual({ reached: false, crashed: true });
    const crash = await first.life.crashed;
    expect(crash.cause).toBe(point.rule !== undefined ? point.name : `step ${point.step!.phase} ${point.step!.stage}`);
    expect(world.plan.armed).toEqual([]);

    const second = await startOperator(world, { namespaces: [namespace] });
    const finished = await drive(world, second, [key], rotatedFrom(ctx.v1));
    expect(finished.reached).toBe(true);
    await consumers.freshReads();
    const report = await consumers.stop();
    await second.kill();

    const { rotation } = await keyStatus(world, key);
    const current = rotation!.currentVersion!;
    expect(rotation).toMatchObject({ phase: 'Idle', previousVersion: ctx.v1 });
    // No orphan: only the new current version is valid in the key service.
    expect(await validVersions(world, ctx.keyId)).toEqual([current]);
    // Every destination serves it, nothing is left pending.
    const served = await destinationVersions(world, key);
    for (const destination of key.destinations) expect({ destination, ...served[destination] }).toEqual({ destination, current });
    // The old version was revoked only after every destination served the new one.
    const revokedOld = world.timeline.revocations().filter((r) => r.versionId === ctx.v1);
    expect(revokedOld.length).toBeGreaterThanOrEqual(1);
    const servedEverywhere = world.timeline.servedEverywhereAt(current, key.destinations);
    expect(servedEverywhere).toBeDefined();
    expect(revokedOld[0]!.seq).toBeGreaterThan(servedEverywhere!);
    expect(world.timeline.revokedWhileServed().filter((r) => key.destinations.includes(r.destination))).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.rejected).toEqual([]);
    expect(report.calls).toBeGreaterThan(4);
  }, 120_000);
});
