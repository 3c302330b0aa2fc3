// Rotation end to end through the operator: the state machine's state persisted in status at
// every step, consumers reading the Kubernetes Secret and AWSCURRENT never rejected, the old
// version revoked only after the overlap; schedules and the rotate-now annotation; a restarted
// operator resuming a rotation from status.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { RESTART_ANNOTATION, ROTATE_NOW_ANNOTATION, TEMPLATE_ANNOTATION, type Operator, type StepEvent } from '../../../src/operator/index.js';
import { compliantSpec, eventually, World } from './harness.js';

const IP = '10.20.1.1';

describe('rotation through the operator', () => {
  let world: World;

  beforeAll(async () => {
    world = await new World().start();
  });
  afterEach(async () => {
    await world.stopOperators();
  });
  afterAll(async () => {
    await world.stop();
  });

  /** Verifies what consumers read now; returns the rejections. */
  async function rejectedNow(integration: string, when: string): Promise<string[]> {
    const rejected: string[] = [];
    for (const secret of await world.consumerSecrets(integration)) {
      const answer = await world.admin.verify({ key: secret, ip: IP });
      if (!answer.valid) rejected.push(`${when}: ${answer.code}`);
    }
    return rejected;
  }

  async function readyKey(operator: Operator, name: string): Promise<{ keyId: string; v1: string }> {
    const object = await world.ready(name);
    await operator.idle();
    const env = object.status!.environments!.production!;
    return { keyId: env.keyId!, v1: env.rotation!.currentVersion! };
  }

  it('rotates on rotate-now with every state persisted, zero rejected consumer calls, and revokes the old version after the overlap', async () => {
    const persisted: string[] = [];
    const checks: Array<Promise<string[]>> = [];
    const operator = world.operator({
      onStep: async (event: StepEvent) => {
        if (event.resource !== 'orders/rotating') return;
        if (event.stage === 'persisted') {
          const stored = await world.getApiKey('rotating');
          persisted.push(`${event.phase}:${stored?.status?.environments?.production?.rotation?.phase}`);
        } else checks.push(rejectedNow('rotating-bot', event.phase));
      },
    });
    await operator.start();
    await world.createApiKey('rotating', compliantSpec('rotating-bot'));
    const { keyId, v1 } = await readyKey(operator, 'rotating');
    const [oldSecret] = await world.consumerSecrets('rotating-bot');

    await world.annotate('rotating', { [ROTATE_NOW_ANNOTATION]: 'first' });
    const overlapping = await eventually(async () => {
      const o = await world.getApiKey('rotating');
      return o?.status?.environments?.production?.rotation?.phase === 'Overlapping' ? o : undefined;
    }, 'Overlapping');
    await operator.idle();
    // Each state was in status (read back) when the hook ran: persisted before its actions.
    expect(persisted).toEqual(['Creating:Creating', 'Staging:Staging', 'Testing:Testing', 'Promoting:Promoting', 'Overlapping:Overlapping']);
    const rotation = overlapping.status!.environments!.production!.rotation!;
    expect(rotation).toMatchObject({ previousVersion: v1, forcedBy: 'first', attempt: 0 });
    expect(rotation.currentVersion).not.toBe(v1);
    expect((await Promise.all(checks)).flat()).toEqual([]);
    expect(await rejectedNow('rotating-bot', 'overlap')).toEqual([]);
    expect(await world.admin.verify({ key: oldSecret!, ip: IP })).toMatchObject({ valid: true });
    const [k8s, aws] = await world.consumerSecrets('rotating-bot');
    expect(k8s).toBe(aws);
    expect(k8s).not.toBe(oldSecret);
    expect((await world.admin.getKey(keyId)).currentVersionId).toBe(rotation.currentVersion);

    await world.advance(operator, 3601);
    const done = (await world.getApiKey('rotating'))!.status!.environments!.production!.rotation!;
    expect(done).toMatchObject({ phase: 'Idle', currentVersion: rotation.currentVersion, previousVersion: v1, previousRevokedAt: expect.any(String) });
    expect(await world.admin.verify({ key: oldSecret!, ip: IP })).toMatchObject({ valid: false, code: 'REVOKED' });
    expect(await rejectedNow('rotating-bot', 'after')).toEqual([]);
    const valid = (await world.admin.listVersions(keyId)).filter((v) => v.revokedAt === null).map((v) => v.id);
    expect(valid).toEqual([rotation.currentVersion]);

    const reasons = (await world.events('rotating')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['KeyCreated', 'RotationStarted', 'RotationPromoted', 'OldVersionRevoked']));
    const metrics = await operator.metrics.registry.getSingleMetricAsString('keywarden_operator_rotations_total');
    expect(metrics).toContain('keywarden_operator_rotations_total{result="promoted"} 1');
    const status = JSON.stringify(await world.getApiKey('rotating'));
    expect(status).not.toContain(k8s);
    expect(status).not.toContain(oldSecret);
    await operator.stop();
  });

  it('rotates when the schedule is due, counted from the last rotation', async () => {
    const operator = world.operator();
    await operator.start();
    await world.createApiKey('scheduled', compliantSpec('scheduled-bot', { rotation: { every: '7d', overlap: '1h' } }));
    const { v1 } = await readyKey(operator, 'scheduled');
    await world.advance(operator, 6 * 86_400);
    expect((await world.getApiKey('scheduled'))!.status!.environments!.production!.rotation).toMatchObject({ phase: 'Idle', currentVersion: v1 });
    await world.advance(operator, 86_400 + 1);
    const rotation = (await world.getApiKey('scheduled'))!.status!.environments!.production!.rotation!;
    expect(rotation).toMatchObject({ phase: 'Overlapping', previousVersion: v1 });
    expect(await rejectedNow('scheduled-bot', 'scheduled')).toEqual([]);
    await operator.stop();
  });

  it('caps a version\'s life at the operator\'s maximum key lifetime, whatever the schedule', async () => {
    const operator = world.operator({ maxKeyLifetimeSeconds: 2 * 86_400 });
    await operator.start();
    await world.createApiKey('capped', compliantSpec('capped-bot', { rotation: { every: '30d', overlap: '1h' } }));
    const { v1 } = await readyKey(operator, 'capped');
    expect((await world.getApiKey('capped'))!.status!.nextRotation).toBe(new Date(world.now.getTime() + 2 * 86_400_000).toISOString());
    await world.advance(operator, 2 * 86_400 + 1);
    expect((await world.getApiKey('capped'))!.status!.environments!.production!.rotation).toMatchObject({ phase: 'Overlapping', previousVersion: v1 });
  });

  it('resumes a rotation from status after a crash: the version whose secret died with the operator is revoked and the rotation completes', async () => {
    let first: Operator | undefined;
    first = world.operator({
      onStep: (event) => {
        // Crash right after the new version was created, before it was persisted as Staging.
        if (event.resource === 'orders/resumed' && event.stage === 'executed' && event.phase === 'Creating') void first!.abandon();
      },
    });
    await first.start();
    await world.createApiKey('resumed', compliantSpec('resumed-bot'));
    const { keyId, v1 } = await readyKey(first, 'resumed');
    await world.annotate('resumed', { [ROTATE_NOW_ANNOTATION]: 'crash' });
    await eventually(() => !first!.healthy, 'the crash');
    await first.stop();
    const stored = (await world.getApiKey('resumed'))!.status!.environments!.production!.rotation!;
    expect(stored).toMatchObject({ phase: 'Creating', forcedBy: 'crash' });
    expect((await world.admin.listVersions(keyId)).length).toBe(2);

    const second = world.operator();
    await second.start();
    await eventually(async () => (await world.getApiKey('resumed'))?.status?.environments?.production?.rotation?.phase === 'Idle', 'the rollback');
    await second.idle();
    const rolledBack = (await world.getApiKey('resumed'))!.status!.environments!.production!.rotation!;
    expect(rolledBack).toMatchObject({ phase: 'Idle', currentVersion: v1, attempt: 1, lastError: { reason: 'SecretUnavailable' } });
    expect((await world.condition('resumed', 'RotationHealthy'))).toMatchObject({ status: 'False', reason: 'SecretUnavailable' });
    expect(await rejectedNow('resumed-bot', 'rolled back')).toEqual([]);
    // The old version stays current and valid with no expiry.
    expect((await world.admin.listVersions(keyId)).find((v) => v.id === v1)).toMatchObject({ overlapUntil: null, revokedAt: null });

    await world.advance(second, 31);
    const rotation = (await world.getApiKey('resumed'))!.status!.environments!.production!.rotation!;
    expect(rotation).toMatchObject({ phase: 'Overlapping', previousVersion: v1, attempt: 0 });
    expect(rotation.lastError).toBeUndefined();
    expect(await world.condition('resumed', 'RotationHealthy')).toMatchObject({ status: 'True' });
    const versions = await world.admin.listVersions(keyId);
    expect(versions).toHaveLength(3);
    expect(versions.filter((v) => v.revokedAt === null).map((v) => v.id).sort()).toEqual([rotation.currentVersion, v1].sort());
    expect(await rejectedNow('resumed-bot', 'resumed')).toEqual([]);
    const reasons = (await world.events('resumed')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['RotationFailed', 'RotationRolledBack', 'RotationPromoted']));
    await second.stop();
  });

  it('resumes forward after a crash in Promoting: promotion is repeated, never rolled back', async () => {
    let first: Operator | undefined;
    first = world.operator({
      onStep: (event) => {
        if (event.resource === 'orders/forward' && event.stage === 'persisted' && event.phase === 'Promoting') void first!.abandon();
      },
    });
    await first.start();
    await world.createApiKey('forward', compliantSpec('forward-bot'));
    const { keyId, v1 } = await readyKey(first, 'forward');
    await world.annotate('forward', { [ROTATE_NOW_ANNOTATION]: 'go' });
    await eventually(() => !first!.healthy, 'the crash');
    await first.stop();
    const pending = (await world.getApiKey('forward'))!.status!.environments!.production!.rotation!.pendingVersion;
    const second = world.operator();
    await second.start();
    const rotation = await eventually(async () => {
      const r = (await world.getApiKey('forward'))?.status?.environments?.production?.rotation;
      return r?.phase === 'Overlapping' ? r : undefined;
    }, 'Overlapping');
    expect(rotation).toMatchObject({ currentVersion: pending, previousVersion: v1 });
    expect((await world.admin.getKey(keyId)).currentVersionId).toBe(pending);
    expect(await rejectedNow('forward-bot', 'forward')).toEqual([]);
    await second.stop();
  });

  it('rolls back when Secrets Manager throttles staging: RotationHealthy False, Warning Events, and no secret in status, Events or logs', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString('utf8')); done(); } }));
    const operator = world.operator({ logger });
    await operator.start();
    await world.createApiKey('throttled', compliantSpec('throttled-bot'));
    const { keyId, v1 } = await readyKey(operator, 'throttled');
    world.sm.injectFault({ operation: 'PutSecretValue', times: 1, errorType: 'ThrottlingException' });
    await world.annotate('throttled', { [ROTATE_NOW_ANNOTATION]: 'now' });
    const healthy = await eventually(async () => {
      const c = await world.condition('throttled', 'RotationHealthy');
      return c?.status === 'False' ? c : undefined;
    }, 'RotationHealthy False');
    await operator.idle();
    expect(healthy.reason).toBe('DeliveryFailed');
    expect(await world.condition('throttled', 'Ready')).toMatchObject({ status: 'False', reason: 'DeliveryFailed' });
    const rotation = (await world.getApiKey('throttled'))!.status!.environments!.production!.rotation!;
    expect(rotation).toMatchObject({ phase: 'Idle', currentVersion: v1, attempt: 1 });
    const events = await world.events('throttled');
    const failed = events.find((e) => e.reason === 'RotationFailed');
    expect(failed).toMatchObject({ type: 'Warning' });
    expect(failed!.message).toContain('Staging failed: DeliveryFailed');
    expect(events.find((e) => e.reason === 'RotationRolledBack')).toMatchObject({ type: 'Warning' });
    expect(await operator.metrics.registry.getSingleMetricAsString('keywarden_operator_rotations_total')).toContain('result="rolledBack"} 1');
    expect(await rejectedNow('throttled-bot', 'rolled back')).toEqual([]);

    // Every secret this key ever had: the current one (consumers) and the rolled-back one is gone
    // for good, so look for any key-service secret shape in what the operator wrote.
    const [current] = await world.consumerSecrets('throttled-bot');
    const written = JSON.stringify({ status: await world.getApiKey('throttled'), events, lines });
    expect(written).not.toContain(current);
    expect(written).not.toMatch(/kw_(live|test)_[A-Za-z0-9]{20,}/);
    expect(lines.length).toBeGreaterThan(0);
    const versions = await world.admin.listVersions(keyId);
    expect(versions.filter((v) => v.revokedAt === null).map((v) => v.id)).toEqual([v1]);
  });

  it('restarts the workloads that opted in, once per promotion, through a hash on their pod template', async () => {
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const deployment = (name: string, annotations: Record<string, string>): V1Deployment => ({
      metadata: { name, namespace: 'orders', annotations },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example/app:1' }] } } },
    });
    await apps.createNamespacedDeployment({ namespace: 'orders', body: deployment('web', { [RESTART_ANNOTATION]: 'other, restarting-app' }) });
    await apps.createNamespacedDeployment({ namespace: 'orders', body: deployment('batch', {}) });
    const operator = world.operator();
    await operator.start();
    await world.createApiKey('restarting-app', compliantSpec('restarting-app-bot'));
    await readyKey(operator, 'restarting-app');
    const batchBefore = await apps.readNamespacedDeployment({ namespace: 'orders', name: 'batch' });
    await world.annotate('restarting-app', { [ROTATE_NOW_ANNOTATION]: 'go' });
    const web = await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: 'orders', name: 'web' });
      return d.spec?.template.metadata?.annotations?.[TEMPLATE_ANNOTATION] !== undefined ? d : undefined;
    }, 'the restart');
    await operator.idle();
    expect(Object.keys(JSON.parse(web.spec!.template.metadata!.annotations![TEMPLATE_ANNOTATION]!) as object)).toEqual(['restarting-app.production']);
    expect(web.metadata!.generation).toBe(2);
    // Not opted in: untouched. Reconciled again in the overlap: not restarted twice.
    expect((await apps.readNamespacedDeployment({ namespace: 'orders', name: 'batch' })).metadata!.resourceVersion).toBe(batchBefore.metadata!.resourceVersion);
    operator.resyncNow();
    await operator.idle();
    expect((await apps.readNamespacedDeployment({ namespace: 'orders', name: 'web' })).metadata!.generation).toBe(2);
    const restarted = (await world.events('restarting-app')).find((e) => e.reason === 'WorkloadsRestarted');
    expect(restarted!.message).toContain('deployment/web');
  });
});
