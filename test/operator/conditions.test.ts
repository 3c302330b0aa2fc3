// Conditions (metav1.Condition conventions) and the ApiKey status summary.
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/policy/index.js';
import { apiKeyStatus, policyCondition, rotationCondition, setCondition } from '../../src/operator/conditions.js';
import { initialRotationState } from '../../src/operator/rotation/index.js';
import { apiKeyStatusSchema } from '../../src/operator/status-schema.js';
import type { SchemaNode } from '../../src/operator/structural-schema.js';
import { compileCrdSchema } from './crd-ajv.js';

const T1 = new Date('2026-01-01T00:00:00Z');
const T2 = new Date('2026-01-02T00:00:00Z');
const finding = (ruleId: string, severity: Finding['severity'] = 'error'): Finding => ({ ruleId, severity, message: `${ruleId} broken`, file: 'a.yaml', line: 1, column: 1, path: 'spec', key: 'production-a' });

describe('setCondition', () => {
  it('appends a new condition with the transition time now', () => {
    expect(setCondition([], { type: 'Ready', status: 'True', reason: 'Reconciled', message: '' }, T1)).toEqual([
      { type: 'Ready', status: 'True', reason: 'Reconciled', message: '', lastTransitionTime: T1.toISOString() },
    ]);
  });

  it('keeps the transition time when the status is unchanged and moves it when the status changes', () => {
    const first = setCondition([], { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'a' }, T1);
    const same = setCondition(first, { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'b' }, T2);
    expect(same).toEqual([{ type: 'Ready', status: 'True', reason: 'Reconciled', message: 'b', lastTransitionTime: T1.toISOString() }]);
    const changed = setCondition(same, { type: 'Ready', status: 'False', reason: 'PolicyViolation', message: 'c' }, T2);
    expect(changed[0]!.lastTransitionTime).toBe(T2.toISOString());
  });
});

describe('policyCondition', () => {
  it('is True without error findings (warnings do not count) and False naming every failing rule', () => {
    expect(policyCondition([finding('KW003', 'warning')], 4)).toMatchObject({ status: 'True', reason: 'Compliant', observedGeneration: 4 });
    const c = policyCondition([finding('KW005'), finding('KW002'), finding('KW005')], 4);
    expect(c).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    expect(c.message).toMatch(/^3 finding\(s\) from KW002, KW005: /);
  });
});

describe('rotationCondition', () => {
  it('is False with the failing environment\'s reason while a rotation records an error', () => {
    const ok = initialRotationState('ver_1', T1);
    const failing = { ...ok, phase: 'Creating' as const, attempt: 2, lastError: { reason: 'KeyServiceUnavailable', message: 'key service POST /v1/keys/k/rotate: internal (500)' } };
    expect(rotationCondition({ production: ok }, 1)).toMatchObject({ status: 'True' });
    expect(rotationCondition({ production: ok, staging: failing }, 1)).toMatchObject({
      status: 'False',
      reason: 'KeyServiceUnavailable',
      message: 'staging: Creating, attempt 2: key service POST /v1/keys/k/rotate: internal (500)',
    });
  });
});

describe('apiKeyStatus', () => {
  const validate = compileCrdSchema(apiKeyStatusSchema as unknown as SchemaNode);

  it('summarises environments, the earliest next rotation and the three conditions, in the CRD status shape', () => {
    const status = apiKeyStatus({
      generation: 3,
      now: T2,
      findings: [],
      environments: {
        staging: { keyName: 'staging-a', keyId: 'key_s', policy: { everySeconds: 14 * 86_400, overlapSeconds: 3600 }, rotation: initialRotationState('ver_s', T1) },
        production: { keyName: 'production-a', keyId: 'key_p', policy: { everySeconds: 30 * 86_400, overlapSeconds: 3600 }, rotation: initialRotationState('ver_p', T1) },
      },
    });
    expect(validate(status) ? [] : validate.errors).toEqual([]);
    expect(status.environmentNames).toBe('production,staging');
    expect(status.nextRotation).toBe('2026-01-15T00:00:00.000Z');
    expect(status.conditions!.map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['PolicyCompliant', 'True'],
      ['RotationHealthy', 'True'],
    ]);
  });

  it('is not Ready while the policy fails, and keeps transition times from the previous status', () => {
    const environments = { production: { keyName: 'production-a', keyId: 'key_p', policy: { overlapSeconds: 3600 }, rotation: initialRotationState('ver_p', T1) } };
    const first = apiKeyStatus({ generation: 1, now: T1, findings: [finding('KW002')], environments });
    const second = apiKeyStatus({ generation: 2, now: T2, findings: [finding('KW002')], environments, previous: first });
    const ready = second.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'PolicyViolation', observedGeneration: 2, lastTransitionTime: T1.toISOString() });
    expect(second.nextRotation).toBeUndefined();
  });
});
