// metav1.Condition bookkeeping and the ApiKey status summary, pure. A condition's
// lastTransitionTime changes only when its status changes (the Kubernetes convention), so
// writing the same status again does not churn the object.
import type { Finding } from '../policy/index.js';
import type { RotationPolicy, RotationState } from './rotation/index.js';
import { nextRotation } from './rotation/index.js';
import type { ApiKeyStatus, Condition, EnvironmentStatus } from './status-schema.js';

export type ConditionStatus = Condition['status'];

/** A condition without its transition time (set by setCondition). */
export interface ConditionUpdate {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly observedGeneration?: number;
  readonly reason: string;
  readonly message: string;
}

/** The conditions with `update` applied: replaced in place, or appended; the transition time kept when the status did not change. */
export function setCondition(conditions: readonly Condition[], update: ConditionUpdate, now: Date): Condition[] {
  const existing = conditions.find((c) => c.type === update.type);
  const lastTransitionTime = existing !== undefined && existing.status === update.status ? existing.lastTransitionTime : now.toISOString();
  const next: Condition = { ...update, lastTransitionTime };
  return existing === undefined ? [...conditions, next] : conditions.map((c) => (c.type === update.type ? next : c));
}

/** PolicyCompliant from the policy findings of one ApiKey (every environment). */
export function policyCondition(findings: readonly Finding[], generation: number): ConditionUpdate {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return { type: 'PolicyCompliant', status: 'True', observedGeneration: generation, reason: 'Compliant', message: 'Every policy rule passes.' };
  const rules = [...new Set(errors.map((f) => f.ruleId))].sort();
  return {
    type: 'PolicyCompliant',
    status: 'False',
    observedGeneration: generation,
    reason: 'PolicyViolation',
    message: `${errors.length} finding(s) from ${rules.join(', ')}: ${errors.map((f) => `${f.ruleId} ${f.message}`).join('; ')}`.slice(0, 32_768),
  };
}

/** RotationHealthy from the rotation states of every environment: False while any records a failure. */
export function rotationCondition(states: Readonly<Record<string, RotationState>>, generation: number): ConditionUpdate {
  const failing = Object.entries(states).filter(([, s]) => s.lastError !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  if (failing.length === 0) return { type: 'RotationHealthy', status: 'True', observedGeneration: generation, reason: 'RotationsSucceeding', message: 'No rotation is failing.' };
  const [, state] = failing[0]!;
  return {
    type: 'RotationHealthy',
    status: 'False',
    observedGeneration: generation,
    reason: state.lastError!.reason,
    message: failing.map(([env, s]) => `${env}: ${s.phase}, attempt ${s.attempt}: ${s.lastError!.message}`).join('; '),
  };
}

/** Ready: policy compliant and every rotation healthy. */
export function readyCondition(policy: ConditionUpdate, rotation: ConditionUpdate, generation: number): ConditionUpdate {
  if (policy.status === 'True' && rotation.status === 'True') return { type: 'Ready', status: 'True', observedGeneration: generation, reason: 'Reconciled', message: 'Keys are compliant and rotating on schedule.' };
  const blocking = policy.status !== 'True' ? policy : rotation;
  return { type: 'Ready', status: 'False', observedGeneration: generation, reason: blocking.reason, message: blocking.message };
}

export interface EnvironmentSummary {
  readonly keyName: string;
  readonly keyId: string;
  readonly policy: RotationPolicy;
  readonly rotation: RotationState;
}

/**
 * The whole status of an ApiKey: per-environment entries, the printer-column fields and the
 * three conditions (transition times kept from `previous`).
 */
export function apiKeyStatus(options: {
  readonly generation: number;
  readonly environments: Readonly<Record<string, EnvironmentSummary>>;
  readonly findings: readonly Finding[];
  readonly previous?: ApiKeyStatus;
  readonly now: Date;
}): ApiKeyStatus {
  const { generation, now } = options;
  const names = Object.keys(options.environments).sort();
  const environments: Record<string, EnvironmentStatus> = {};
  let earliest: Date | undefined;
  for (const name of names) {
    const env = options.environments[name]!;
    const last = env.rotation.lastRotation !== undefined ? new Date(env.rotation.lastRotation) : now;
    const next = nextRotation(env.policy, last, now);
    if (next !== undefined && (earliest === undefined || next < earliest)) earliest = next;
    environments[name] = {
      keyName: env.keyName,
      keyId: env.keyId,
      observedGeneration: generation,
      ...(next !== undefined ? { nextRotation: next.toISOString() } : {}),
      rotation: env.rotation,
    };
  }
  const policy = policyCondition(options.findings, generation);
  const rotation = rotationCondition(Object.fromEntries(names.map((n) => [n, options.environments[n]!.rotation])), generation);
  let conditions = (options.previous?.conditions ?? []) as Condition[];
  for (const update of [readyCondition(policy, rotation, generation), policy, rotation]) conditions = setCondition(conditions, update, now);
  return {
    observedGeneration: generation,
    environmentNames: names.join(','),
    ...(earliest !== undefined ? { nextRotation: earliest.toISOString() } : {}),
    conditions,
    environments,
  };
}
