// Reconciles one ApiKey: the finalizer and the deletion policy, the spec through the CLI's loader
// and policy engine (with the cluster's KeywardenPolicy), per environment the key in the key
// service (create or adopt, drift), the rotation state machine with its state persisted in
// status, the conditions, Events and metrics. Reads the resource fresh from the API server (not
// the informer cache) so that it always resumes from the rotation state it last wrote.
import { ApiException, PatchStrategy, setHeaderOptions, type CoreV1Api, type CustomObjectsApi } from '@kubernetes/client-node';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import { KeywardenApiError, type ApiKey, type KeywardenClient } from '../../client/index.js';
import type { Finding } from '../../policy/index.js';
import type { ResolvedKey } from '../../spec/index.js';
import { checkApiKey, documentOf } from '../api-key-check.js';
import { beyondReviewLimits, REVIEW_LIMITS } from '../webhook/admission-review.js';
import { apiKeyStatus, setCondition, type EnvironmentSummary } from '../conditions.js';
import { GROUP, ROTATE_NOW_ANNOTATION, VERSION } from '../crds.js';
import type { OperatorMetrics } from '../operator-metrics.js';
import { describeFailure, RotationExecutor, rotationPolicy, type RotationState, type StepOutcome } from '../rotation/index.js';
import type { ApiKeyStatus, Condition, EnvironmentStatus } from '../status-schema.js';
import { OperatorHalted } from './operator-halted.js';
import { FINALIZER, managementOf, OWNER_METADATA, type ApiKeyResource, type DeletionPolicy, type KeyManagement } from './api-key-resource.js';
import { destinationsFor } from './destinations.js';
import type { EventRecorder, EventType, InvolvedObject } from './event-recorder.js';
import { bindKey, type Binding } from './key-binding.js';
import { describeDifferences, keyDifferences, restoringUpdate } from './key-fields.js';
import { runRotation, type StepEvent } from './rotation-runner.js';
import { StatusWriter } from './status-writer.js';
import { verifyAddress } from './verify-address.js';
import type { WorkloadRestarter } from './workload-restarter.js';

export interface ReconcilerOptions {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly client: KeywardenClient;
  readonly secretsManager: (region: string | undefined) => SecretsManagerClient;
  readonly events: EventRecorder;
  /** Restarts opted-in workloads after a promotion. */
  readonly restarter: WorkloadRestarter;
  readonly metrics: OperatorMetrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** The cluster's project file (YAML text). */
  readonly project?: string;
  /** The combined KeywardenPolicy spec now. */
  readonly policy: () => Record<string, unknown> | undefined;
  readonly defaultDeletionPolicy: DeletionPolicy;
  readonly maxKeyLifetimeSeconds?: number;
  /** Throws when the operator may no longer act (not the leader, abandoned). */
  readonly guard: () => void;
  readonly onStep?: (event: StepEvent) => void | Promise<void>;
}

export interface ReconcileResult {
  /** Reconcile again after this many ms (the earliest wake-up of any environment). */
  readonly requeueAfterMs?: number;
}

/** Error findings by rule id of one ApiKey (for the violations gauge). */
export type ViolationCounts = Record<string, number>;

/** Some environment failed (already in status): the reconcile is retried with backoff. */
export class ReconcileIncomplete extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileIncomplete';
  }
}

const isApiStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;
const mergePatchOptions = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface EnvironmentOutcome {
  readonly summary?: EnvironmentSummary;
  readonly wakeAt?: string;
  /** A reason the environment is not ready (binding problem, drift, delivery problem). */
  readonly problem?: { readonly reason: string; readonly message: string };
  readonly findings?: readonly Finding[];
}

export class ApiKeyReconciler {
  private readonly options: ReconcilerOptions;
  /** One executor per ApiKey uid and environment (it holds a pending secret between steps). */
  private readonly executors = new Map<string, { executor: RotationExecutor; fingerprint: string }>();
  /** Start of each rotation in flight (ms), for the duration histogram. */
  private readonly rotationStarts = new Map<string, number>();
  /** Error findings per ApiKey, summed for the violations gauge. */
  private readonly violations = new Map<string, ViolationCounts>();

  constructor(options: ReconcilerOptions) {
    this.options = options;
  }

  /** Reconciles `namespace/name`. Throws on errors worth a retry (the caller backs off). */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    let resource: ApiKeyResource;
    try {
      resource = (await this.options.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'apikeys', name })) as ApiKeyResource;
    } catch (err) {
      if (isApiStatus(err, 404)) {
        this.forget(key);
        return {};
      }
      throw err;
    }
    if (resource.metadata.deletionTimestamp !== undefined) {
      await this.finalize(resource, key);
      return {};
    }
    if (!(resource.metadata.finalizers ?? []).includes(FINALIZER)) {
      this.options.guard();
      resource = (await this.options.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: 'apikeys',
          name,
          body: { metadata: { finalizers: [...(resource.metadata.finalizers ?? []), FINALIZER], resourceVersion: resource.metadata.resourceVersion } },
        },
        mergePatchOptions(),
      )) as ApiKeyResource;
    }
    return this.reconcileLive(resource, key);
  }

  private forget(key: string): void {
    this.violations.delete(key);
    this.publishViolations();
    for (const id of [...this.executors.keys()]) if (id.startsWith(`${key}#`)) this.executors.delete(id);
  }

  private involved(resource: ApiKeyResource): InvolvedObject {
    return {
      apiVersion: resource.apiVersion ?? `${GROUP}/${VERSION}`,
      kind: 'ApiKey',
      namespace: resource.metadata.namespace,
      name: resource.metadata.name,
      uid: resource.metadata.uid,
      ...(resource.metadata.resourceVersion !== undefined ? { resourceVersion: resource.metadata.resourceVersion } : {}),
    };
  }

  private async event(resource: ApiKeyResource, type: EventType, reason: string, message: string): Promise<void> {
    this.options.guard();
    const error = await this.options.events.record(this.involved(resource), type, reason, message);
    if (error !== undefined) this.options.logger.warn({ resource: `${resource.metadata.namespace}/${resource.metadata.name}`, reason, err: error.message }, 'could not record an Event');
  }

  private publishViolations(): void {
    const total: Record<string, number> = {};
    for (const counts of this.violations.values()) for (const [rule, n] of Object.entries(counts)) total[rule] = (total[rule] ?? 0) + n;
    this.options.metrics.setViolations(total);
  }

  /** The deletion policy: revoke every key the ApiKey stands for, or leave them; then let the object go. */
  private async finalize(resource: ApiKeyResource, key: string): Promise<void> {
    if (!(resource.metadata.finalizers ?? []).includes(FINALIZER)) return;
    const { deletionPolicy } = managementOf(resource, this.options.defaultDeletionPolicy);
    const keyIds = new Set(Object.values(resource.status?.environments ?? {}).map((e) => e.keyId).filter((id): id is string => id !== undefined));
    if (deletionPolicy === 'Revoke') {
      // Keys created for this ApiKey whose id never reached status (a crash right after the create).
      const oversized = beyondReviewLimits(documentOf(resource as unknown as Record<string, unknown>)) !== undefined;
      const check = oversized ? { keys: [] } : checkApiKey(resource as unknown as Record<string, unknown>, this.checkOptions());
      for (const resolved of check.keys) {
        const found = await this.options.client.getKeyByName(resolved.name);
        if (found !== undefined && found.metadata[OWNER_METADATA] === resource.metadata.uid) keyIds.add(found.id);
      }
      for (const id of [...keyIds].sort()) await this.revoke(id);
      await this.event(resource, 'Normal', 'KeysRevoked', `deletion policy Revoke: revoked ${keyIds.size} key(s) in the key service${keyIds.size > 0 ? ` (${[...keyIds].sort().join(', ')})` : ''}`);
    } else {
      await this.event(resource, 'Normal', 'KeysRetained', `deletion policy Retain: left ${keyIds.size} key(s) in the key service as they are`);
    }
    this.options.guard();
    try {
      await this.options.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: resource.metadata.namespace,
          plural: 'apikeys',
          name: resource.metadata.name,
          body: { metadata: { finalizers: (resource.metadata.finalizers ?? []).filter((f) => f !== FINALIZER), resourceVersion: resource.metadata.resourceVersion } },
        },
        mergePatchOptions(),
      );
    } catch (err) {
      if (!isApiStatus(err, 404)) throw err;
    }
    this.forget(key);
  }

  private checkOptions(): { project?: string; policy?: Record<string, unknown>; now: Date } {
    const policy = this.options.policy();
    return { ...(this.options.project !== undefined ? { project: this.options.project } : {}), ...(policy !== undefined ? { policy } : {}), now: this.options.clock() };
  }

  private async reconcileLive(resource: ApiKeyResource, key: string): Promise<ReconcileResult> {
    const { metadata } = resource;
    const generation = metadata.generation ?? 0;
    const oversized = beyondReviewLimits(documentOf(resource as unknown as Record<string, unknown>));
    if (oversized !== undefined) return this.refuseOversized(resource, key, oversized);
    const { management, deletionPolicy, problems: annotationProblems } = managementOf(resource, this.options.defaultDeletionPolicy);
    const check = checkApiKey(resource as unknown as Record<string, unknown>, this.checkOptions());
    const writer = new StatusWriter(this.options.custom, { namespace: metadata.namespace, name: metadata.name }, resource.status, this.options.guard);

    const environments: Record<string, EnvironmentSummary> = {};
    const findings: Finding[] = [...check.findings];
    const problems: Array<{ reason: string; message: string }> = annotationProblems.map((p) => ({ reason: 'InvalidAnnotation', message: p.message }));
    let wake: number | undefined;
    const failures: string[] = [];
    for (const resolved of check.keys) {
      let outcome: EnvironmentOutcome;
      try {
        outcome = await this.reconcileEnvironment(resource, key, resolved, management, writer, check.findings);
      } catch (err) {
        // The key service or a destination failed outside a rotation step: say so in Ready and
        // let the caller retry with backoff once the status is written.
        if (err instanceof OperatorHalted) throw err;
        const { reason, message } = describeFailure(err);
        outcome = { problem: { reason, message: `${resolved.environment}: ${message}` } };
        failures.push(`${resolved.environment}: ${reason}: ${message}`);
      }
      if (outcome.summary !== undefined) environments[resolved.environment] = outcome.summary;
      // A creation blocked by policy is explained by PolicyCompliant (and Ready's PolicyViolation).
      if (outcome.problem !== undefined && outcome.problem.reason !== 'CreationBlocked') problems.push(outcome.problem);
      if (outcome.findings !== undefined) findings.push(...outcome.findings);
      if (outcome.wakeAt !== undefined) {
        const at = Date.parse(outcome.wakeAt);
        if (wake === undefined || at < wake) wake = at;
      }
    }

    // Environments gone from the spec: their keys get the deletion policy, as when the ApiKey is
    // deleted. (A document that does not load names no environments: nothing is retired then.)
    const retiring: Record<string, EnvironmentStatus> = {};
    if (!check.loadFailed) {
      const wanted = new Set(check.keys.map((k) => k.environment));
      for (const [env, record] of Object.entries(writer.current.environments ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
        if (wanted.has(env)) continue;
        try {
          await this.retireEnvironment(resource, key, env, record, deletionPolicy);
        } catch (err) {
          if (err instanceof OperatorHalted) throw err;
          const { reason, message } = describeFailure(err);
          // Kept in status, so the retry still knows which key to revoke.
          retiring[env] = record;
          problems.push({ reason, message: `${env}: removed from the spec, but its key could not be revoked: ${message}` });
          failures.push(`${env}: ${reason}: ${message}`);
        }
      }
    }

    // Policy: Events naming each failing rule, the violations gauge.
    const errors = findings.filter((f) => f.severity === 'error');
    const byRule: ViolationCounts = {};
    for (const f of errors) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    this.violations.set(key, byRule);
    this.publishViolations();
    for (const rule of Object.keys(byRule).sort()) {
      const ruleFindings = errors.filter((f) => f.ruleId === rule);
      await this.event(resource, 'Warning', 'PolicyViolation', `${rule}: ${ruleFindings.map((f) => `${f.key ?? metadata.name}: ${f.message}`).join('; ')}`);
    }

    const now = this.options.clock();
    // Environments without a key (binding problems) keep what status had about them.
    const kept: Record<string, EnvironmentSummary> = { ...environments };
    let status: ApiKeyStatus = apiKeyStatus({ generation, environments: kept, findings, ...(writer.current.conditions ? { previous: writer.current } : {}), now });
    if (problems.length > 0) {
      const first = problems[0]!;
      status = {
        ...status,
        conditions: setCondition(status.conditions as Condition[], { type: 'Ready', status: 'False', observedGeneration: generation, reason: first.reason, message: problems.map((p) => p.message).join('; ').slice(0, 32_768) }, now),
      };
    }
    const previousEnvironments = writer.current.environments ?? {};
    // A document that does not load says nothing about its environments: their records (and any
    // rotation in flight) stay as they were until it loads again.
    const merged: Record<string, EnvironmentStatus> = check.loadFailed ? { ...previousEnvironments } : { ...(status.environments ?? {}), ...retiring };
    for (const env of check.keys.map((k) => k.environment)) {
      if (merged[env] === undefined && previousEnvironments[env] !== undefined) merged[env] = previousEnvironments[env]!;
    }
    await writer.write({ ...status, environments: merged });
    if (failures.length > 0) throw new ReconcileIncomplete(failures.join('; '));
    if (wake === undefined) return {};
    return { requeueAfterMs: Math.max(0, wake - now.getTime()) };
  }

  /** Revokes a key in the key service; one already gone or revoked is fine. */
  private async revoke(keyId: string): Promise<void> {
    this.options.guard();
    try {
      await this.options.client.revokeKey(keyId);
    } catch (err) {
      if (!(err instanceof KeywardenApiError && (err.status === 404 || err.status === 409))) throw err;
    }
  }

  /**
   * An environment removed from the spec: its key is revoked (deletion policy Revoke) or left as
   * it is (Retain), any rotation in flight for it is dropped, and a Normal Event says which.
   */
  private async retireEnvironment(resource: ApiKeyResource, key: string, env: string, record: EnvironmentStatus, deletionPolicy: DeletionPolicy): Promise<void> {
    this.executors.delete(`${key}#${resource.metadata.uid}#${env}`);
    this.rotationStarts.delete(`${key}#${env}`);
    const named = record.keyId === undefined ? 'no key' : `key ${record.keyName ?? record.keyId} (${record.keyId})`;
    if (deletionPolicy === 'Revoke' && record.keyId !== undefined) {
      await this.revoke(record.keyId);
      await this.event(resource, 'Normal', 'EnvironmentRemoved', `${env}: removed from the spec; deletion policy Revoke: revoked ${named}`);
    } else {
      await this.event(resource, 'Normal', 'EnvironmentRemoved', `${env}: removed from the spec; deletion policy ${deletionPolicy}: left ${named} as it is`);
    }
  }

  /**
   * A document beyond the webhook's review limits (stored while the webhook was down, or in Warn
   * mode) is not checked — the check would hold the event loop for seconds — and nothing is done
   * for it in the key service: PolicyCompliant and Ready say why, a Warning Event too. The
   * environments' records stay as they were.
   */
  private async refuseOversized(resource: ApiKeyResource, key: string, why: string): Promise<ReconcileResult> {
    const generation = resource.metadata.generation ?? 0;
    const now = this.options.clock();
    const message = `the ApiKey is not checked and its keys are left alone: ${why} (limits: ${REVIEW_LIMITS.maxValues} values, ${REVIEW_LIMITS.maxDepth} levels)`;
    await this.event(resource, 'Warning', 'DocumentTooLarge', message);
    this.violations.delete(key);
    this.publishViolations();
    const writer = new StatusWriter(this.options.custom, { namespace: resource.metadata.namespace, name: resource.metadata.name }, resource.status, this.options.guard);
    let conditions = (writer.current.conditions ?? []) as Condition[];
    for (const type of ['PolicyCompliant', 'Ready']) conditions = setCondition(conditions, { type, status: 'False', observedGeneration: generation, reason: 'DocumentTooLarge', message }, now);
    await writer.write({ ...writer.current, observedGeneration: generation, conditions });
    return {};
  }

  private executorFor(resource: ApiKeyResource, key: string, resolved: ResolvedKey, fingerprint: string, build: () => RotationExecutor): RotationExecutor {
    const id = `${key}#${resource.metadata.uid}#${resolved.environment}`;
    const existing = this.executors.get(id);
    // A changed delivery list gets a new executor, unless the old one still holds a pending secret.
    if (existing !== undefined && (existing.fingerprint === fingerprint || existing.executor.secretsInMemory > 0)) return existing.executor;
    const executor = build();
    this.executors.set(id, { executor, fingerprint });
    return executor;
  }

  private async reconcileEnvironment(
    resource: ApiKeyResource,
    key: string,
    resolved: ResolvedKey,
    management: KeyManagement,
    writer: StatusWriter,
    /** The spec's own findings: an error blocks creating a key. */
    declaredFindings: readonly Finding[],
  ): Promise<EnvironmentOutcome> {
    const env = resolved.environment;
    const compliant = !declaredFindings.some((f) => f.severity === 'error');
    const previous = writer.current.environments?.[env];
    const { destinations, problems: deliveryProblems, fingerprint } = destinationsFor(resolved, resource.metadata.namespace, { kubernetes: this.options.core, secretsManager: this.options.secretsManager });
    if (deliveryProblems.length > 0) {
      const message = `${env}: ${deliveryProblems.join('; ')}`;
      await this.event(resource, 'Warning', 'DeliveryRefused', message);
      return { problem: { reason: 'DeliveryRefused', message } };
    }
    const binding: Binding = await bindKey({
      client: this.options.client,
      management,
      key: resolved,
      owner: { uid: resource.metadata.uid, resource: key },
      ...(previous !== undefined ? { previous } : {}),
      destinations,
      mayCreate: compliant,
      now: this.options.clock(),
      guard: this.options.guard,
    });
    if (!binding.ok) {
      // A blocked creation is already told by the PolicyViolation Event.
      if (binding.reason !== 'CreationBlocked') await this.event(resource, 'Warning', binding.reason, `${env}: ${binding.message}`);
      return { problem: { reason: binding.reason, message: `${env}: ${binding.message}` } };
    }
    let serviceKey: ApiKey = binding.key;
    if (binding.event !== undefined) await this.event(resource, 'Normal', binding.event.reason, `${env}: ${binding.event.message}`);
    const generation = resource.metadata.generation ?? 0;

    // Drift: the key service's key against the spec.
    const extraFindings: Finding[] = [];
    let problem: EnvironmentOutcome['problem'];
    const differences = keyDifferences(resolved, serviceKey);
    if (differences.length > 0) {
      const described = describeDifferences(differences, 'drift');
      if (management === 'Create') {
        this.options.guard();
        serviceKey = await this.options.client.updateKey(serviceKey.id, restoringUpdate(differences));
        const specChanged = previous?.observedGeneration !== undefined && previous.observedGeneration !== generation;
        if (specChanged) await this.event(resource, 'Normal', 'KeyUpdated', `${env}: key ${serviceKey.name} updated to the spec (${describeDifferences(differences, 'update')})`);
        else await this.event(resource, 'Warning', 'KeyDrift', `${env}: key ${serviceKey.name} (${serviceKey.id}) was changed outside Keywarden (${described}); restored to the spec`);
      } else {
        const message = `${env}: key ${serviceKey.name} (${serviceKey.id}) differs from the spec in the key service (${described}); adopted keys are not changed by the operator`;
        await this.event(resource, 'Warning', 'KeyDrift', message);
        problem = { reason: 'KeyDrift', message };
        extraFindings.push(...this.observedFindings(resource, resolved, serviceKey, declaredFindings));
      }
    }

    const owner = `${key}#${env}`;
    const executor = this.executorFor(resource, key, resolved, fingerprint, () => {
      const ip = verifyAddress(resolved.allowedCidrs);
      return new RotationExecutor({ client: this.options.client, destinations, ...(ip !== undefined ? { verifyIp: ip } : {}) });
    });
    const policy = rotationPolicy(resolved.rotation, this.options.maxKeyLifetimeSeconds !== undefined ? { maxLifetimeSeconds: this.options.maxKeyLifetimeSeconds } : {});
    const initial: RotationState = previous?.rotation ?? binding.initial ?? { phase: 'Idle', currentVersion: serviceKey.currentVersionId, lastRotation: serviceKey.createdAt, attempt: 0 };
    let entry: EnvironmentStatus = { ...(previous ?? {}), keyName: serviceKey.name, keyId: serviceKey.id, observedGeneration: generation, rotation: initial };
    if (previous?.rotation === undefined || previous.keyId !== serviceKey.id || previous.observedGeneration !== generation) {
      await this.writeEnvironment(writer, env, entry);
    }
    const forceToken = resource.metadata.annotations?.[ROTATE_NOW_ANNOTATION];
    const { state, wakeAt } = await runRotation(initial, {
      resource: key,
      environment: env,
      keyId: serviceKey.id,
      policy,
      ...(forceToken !== undefined ? { forceToken } : {}),
      executor,
      clock: this.options.clock,
      guard: this.options.guard,
      persist: async (next) => {
        entry = { ...entry, rotation: next };
        await this.writeEnvironment(writer, env, entry);
      },
      onTransition: (before, after, outcome) => this.transition(resource, owner, env, serviceKey, before, after, outcome),
      ...(this.options.onStep !== undefined ? { onStep: this.options.onStep } : {}),
    });
    // While the old version is still valid, every opted-in workload gets the new one (also after
    // a crash between the promotion and the restart: the next reconcile in the overlap does it).
    if (state.phase === 'Overlapping' && state.currentVersion !== undefined) {
      const result = await this.options.restarter.restart(resource.metadata.namespace, resource.metadata.name, env, state.currentVersion);
      if (result.restarted.length > 0) await this.event(resource, 'Normal', 'WorkloadsRestarted', `${env}: restarted ${result.restarted.join(', ')} for version ${state.currentVersion}`);
      if (result.failed.length > 0) await this.event(resource, 'Warning', 'RestartFailed', `${env}: could not restart ${result.failed.join('; ')}`);
    }
    return {
      summary: { keyName: serviceKey.name, keyId: serviceKey.id, policy, rotation: state },
      ...(wakeAt !== undefined ? { wakeAt } : {}),
      ...(problem !== undefined ? { problem } : {}),
      ...(extraFindings.length > 0 ? { findings: extraFindings } : {}),
    };
  }

  private async writeEnvironment(writer: StatusWriter, env: string, entry: EnvironmentStatus): Promise<void> {
    const current = writer.current;
    await writer.write({ ...current, environments: { ...(current.environments ?? {}), [env]: entry } });
  }

  /**
   * Policy findings of the key as the key service holds it (an adopted key edited by hand): the
   * same engine, on the document with this environment's scopes and networks as observed.
   * Only findings that the spec itself does not have are returned.
   */
  private observedFindings(resource: ApiKeyResource, resolved: ResolvedKey, actual: ApiKey, declared: readonly Finding[]): Finding[] {
    const spec = structuredClone(resource.spec) as { environments?: Record<string, Record<string, unknown>> };
    const environments = spec.environments ?? {};
    environments[resolved.environment] = { ...(environments[resolved.environment] ?? {}), scopes: [...actual.scopes], ...(actual.allowedCidrs.length > 0 ? { allowedCidrs: [...actual.allowedCidrs] } : {}) };
    spec.environments = environments;
    const observed = checkApiKey({ ...(resource as unknown as Record<string, unknown>), spec }, this.checkOptions());
    const known = new Set(declared.map((f) => `${f.ruleId}|${f.key ?? ''}|${f.message}`));
    return observed.findings
      .filter((f) => f.key === resolved.name && !known.has(`${f.ruleId}|${f.key ?? ''}|${f.message}`))
      .map((f) => ({ ...f, message: `in the key service: ${f.message}` }));
  }

  /** Events and metrics for one change of an environment's rotation state. */
  private async transition(resource: ApiKeyResource, owner: string, env: string, key: ApiKey, before: RotationState, after: RotationState, outcome: StepOutcome | undefined): Promise<void> {
    const now = this.options.clock().getTime();
    const { metrics } = this.options;
    if (after.phase === 'Creating' && before.rotationId !== after.rotationId) {
      if (!this.rotationStarts.has(owner)) this.rotationStarts.set(owner, now);
      const forced = after.forcedBy !== undefined && after.forcedBy !== before.forcedBy;
      await this.event(resource, 'Normal', 'RotationStarted', `${env}: rotating key ${key.name} (${after.rotationId}), scheduled ${after.scheduledAt}${forced ? `, forced by ${ROTATE_NOW_ANNOTATION}` : ''}`);
    }
    if (before.phase === 'Promoting' && after.phase === 'Overlapping') {
      metrics.rotations.inc({ result: 'promoted' });
      const started = this.rotationStarts.get(owner);
      if (started !== undefined) metrics.rotationDuration.observe(Math.max(0, now - started) / 1000);
      this.rotationStarts.delete(owner);
      await this.event(resource, 'Normal', 'RotationPromoted', `${env}: version ${after.currentVersion} of key ${key.name} is current at every destination; version ${after.previousVersion} stays valid until ${after.overlapUntil}`);
    }
    if (outcome !== undefined && !outcome.ok) {
      const next = after.phase === 'RollingBack' ? `rolling back version ${after.pendingVersion ?? outcome.versionId ?? ''}`.trim() : `retrying after ${after.retryAt ?? 'a backoff'}`;
      await this.event(resource, 'Warning', 'RotationFailed', `${env}: ${outcome.phase} failed: ${outcome.reason}: ${outcome.message}; ${next}`);
    }
    if (before.phase === 'RollingBack' && after.phase === 'Idle') {
      metrics.rotations.inc({ result: 'rolledBack' });
      await this.event(resource, 'Warning', 'RotationRolledBack', `${env}: version ${before.pendingVersion} revoked and removed from every destination; version ${after.currentVersion} stays current; the rotation is retried`);
    }
    if (before.phase === 'RevokingOld' && after.phase === 'Idle') {
      await this.event(resource, 'Normal', 'OldVersionRevoked', `${env}: version ${before.previousVersion} of key ${key.name} revoked after the overlap`);
    }
  }
}
