// Failures: before promotion the machine rolls back and retries with backoff; after promotion
// it only moves forward.
import { describe, expect, it } from '@jest/globals';
import { backoffSeconds, initialRotationState, step, type Observation, type RotationPolicy, type RotationState, type StepOutcome } from '../../../src/operator/rotation/index.js';

const policy: RotationPolicy = { everySeconds: 86_400, overlapSeconds: 3600 };
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const observe = (outcome?: StepOutcome): Observation => ({ keyId: 'key_1', policy, ...(outcome ? { outcome } : {}) });

function reach(phase: RotationState['phase']): RotationState {
  let r = step(initialRotationState('ver_1', T0), observe(), at(86_400));
  const id = r.state.rotationId;
  const order = ['Creating', 'Staging', 'Testing', 'Promoting', 'Overlapping'] as const;
  for (const current of order) {
    if (r.state.phase === phase) return r.state;
    r = step(r.state, observe({ phase: current, rotationId: id, ok: true, ...(current === 'Creating' ? { versionId: 'ver_2' } : {}) }), at(86_401));
  }
  if (r.state.phase !== phase) r = step(r.state, observe(), at(86_401 + 3600));
  return r.state;
}
const fail = (state: RotationState, reason = 'Boom', versionId?: string): StepOutcome => ({ phase: state.phase, rotationId: state.rotationId, ok: false, reason, message: 'it failed', ...(versionId ? { versionId } : {}) });

describe('a failure before promotion', () => {
  it.each(['Staging', 'Testing'] as const)('in %s rolls back: discard on every destination, then revoke the pending version', (phase) => {
    const state = reach(phase);
    const r = step(state, observe(fail(state, 'VerifyRefused')), at(90_000));
    expect(r.state).toMatchObject({ phase: 'RollingBack', pendingVersion: 'ver_2', currentVersion: 'ver_1', attempt: 1, lastError: { reason: 'VerifyRefused', message: 'it failed' } });
    expect(r.actions.map((a) => [a.type, 'versionId' in a ? a.versionId : undefined])).toEqual([
      ['discard', 'ver_2'],
      ['revokeVersion', 'ver_2'],
    ]);
  });

  it('after the rollback, waits out the backoff and retries under a new rotation id', () => {
    const state = reach('Testing');
    const rolling = step(state, observe(fail(state)), at(90_000)).state;
    const idle = step(rolling, observe({ phase: 'RollingBack', rotationId: rolling.rotationId, ok: true }), at(90_001));
    expect(idle.state).toMatchObject({ phase: 'Idle', currentVersion: 'ver_1', attempt: 1, scheduledAt: state.scheduledAt });
    expect(idle.state.pendingVersion).toBeUndefined();
    expect(idle.wakeAt).toBe(at(90_001 + backoffSeconds(1)).toISOString());
    expect(step(idle.state, observe(), at(90_001 + backoffSeconds(1) - 1)).state.phase).toBe('Idle');
    const retry = step(idle.state, observe(), at(90_001 + backoffSeconds(1)));
    expect(retry.state.phase).toBe('Creating');
    expect(retry.state.rotationId).not.toBe(state.rotationId);
  });

  it('in Creating retries the same create (same idempotency key) after a backoff', () => {
    const state = reach('Creating');
    const r = step(state, observe(fail(state, 'KeyServiceUnavailable')), at(86_401));
    expect(r.state).toMatchObject({ phase: 'Creating', rotationId: state.rotationId, attempt: 1, retryAt: at(86_401 + 30).toISOString() });
    expect(r.actions).toEqual([]);
    expect(r.wakeAt).toBe(at(86_401 + 30).toISOString());
    expect(step(r.state, observe(), at(86_431)).actions).toEqual([{ type: 'createVersion', keyId: 'key_1', rotationId: state.rotationId }]);
  });

  it('rolls back a version whose create was replayed without its secret (a crash between create and stage)', () => {
    const state = reach('Creating');
    const r = step(state, observe(fail(state, 'SecretUnavailable', 'ver_2')), at(86_401));
    expect(r.state).toMatchObject({ phase: 'RollingBack', pendingVersion: 'ver_2' });
    expect(r.actions.map((a) => a.type)).toEqual(['discard', 'revokeVersion']);
  });

  it('keeps retrying a failed rollback with growing backoff', () => {
    const state = reach('Staging');
    let rolling = step(state, observe(fail(state)), at(90_000)).state;
    rolling = step(rolling, observe(fail(rolling)), at(90_001)).state;
    expect(rolling).toMatchObject({ phase: 'RollingBack', attempt: 2, retryAt: at(90_001 + backoffSeconds(2)).toISOString() });
  });
});

describe('a failure after promotion', () => {
  it('in Promoting never rolls back: it repeats the promotion after a backoff', () => {
    const state = reach('Promoting');
    const r = step(state, observe(fail(state, 'Throttled')), at(90_000));
    expect(r.state).toMatchObject({ phase: 'Promoting', pendingVersion: 'ver_2', attempt: 1 });
    expect(step(r.state, observe(), at(90_000 + 30)).actions).toEqual([{ type: 'promote', keyId: 'key_1', rotationId: state.rotationId, versionId: 'ver_2', overlapSeconds: 3600 }]);
  });

  it('in RevokingOld repeats the revocation of the old version after a backoff', () => {
    const state = reach('RevokingOld');
    expect(state.phase).toBe('RevokingOld');
    const r = step(state, observe(fail(state)), at(200_000));
    expect(r.state).toMatchObject({ phase: 'RevokingOld', currentVersion: 'ver_2', previousVersion: 'ver_1', attempt: 1 });
    expect(step(r.state, observe(), at(200_030)).actions).toEqual([{ type: 'revokeVersion', keyId: 'key_1', rotationId: state.rotationId, versionId: 'ver_1' }]);
  });
});

describe('backoff', () => {
  it('doubles from 30 s and stops at one hour', () => {
    expect([0, 1, 2, 3, 4, 7, 8, 100].map(backoffSeconds)).toEqual([0, 30, 60, 120, 240, 1920, 3600, 3600]);
  });
});
