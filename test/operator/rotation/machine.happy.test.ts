// The rotation state machine along the successful path, step by step.
import { describe, expect, it } from '@jest/globals';
import { initialRotationState, rotationId, step, type Observation, type RotationPolicy, type RotationState } from '../../../src/operator/rotation/index.js';

const policy: RotationPolicy = { everySeconds: 30 * 86_400, overlapSeconds: 86_400 };
const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const DUE = 30 * 86_400;
const observe = (extra: Partial<Observation> = {}): Observation => ({ keyId: 'key_1', policy, ...extra });

describe('a scheduled rotation', () => {
  it('waits while the rotation is not due and says when to wake up', () => {
    const result = step(initialRotationState('ver_1', T0), observe(), at(DUE - 1));
    expect(result.state.phase).toBe('Idle');
    expect(result.actions).toEqual([]);
    expect(result.wakeAt).toBe(at(DUE).toISOString());
  });

  it('goes Creating → Staging → Testing → Promoting → Overlapping → RevokingOld → Idle, asking for each effect once per step', () => {
    const id = rotationId('key_1', at(DUE).toISOString(), 0);
    let r = step(initialRotationState('ver_1', T0), observe(), at(DUE + 5));
    expect(r.state).toMatchObject({ phase: 'Creating', rotationId: id, scheduledAt: at(DUE).toISOString() });
    expect(r.actions).toEqual([{ type: 'createVersion', keyId: 'key_1', rotationId: id }]);

    r = step(r.state, observe({ outcome: { phase: 'Creating', rotationId: id, ok: true, versionId: 'ver_2' } }), at(DUE + 6));
    expect(r.state).toMatchObject({ phase: 'Staging', pendingVersion: 'ver_2', currentVersion: 'ver_1' });
    expect(r.actions).toEqual([{ type: 'stage', keyId: 'key_1', rotationId: id, versionId: 'ver_2' }]);

    r = step(r.state, observe({ outcome: { phase: 'Staging', rotationId: id, ok: true } }), at(DUE + 7));
    expect(r.actions).toEqual([{ type: 'verify', keyId: 'key_1', rotationId: id, versionId: 'ver_2' }]);

    r = step(r.state, observe({ outcome: { phase: 'Testing', rotationId: id, ok: true } }), at(DUE + 8));
    expect(r.actions).toEqual([{ type: 'promote', keyId: 'key_1', rotationId: id, versionId: 'ver_2', overlapSeconds: 86_400 }]);

    r = step(r.state, observe({ outcome: { phase: 'Promoting', rotationId: id, ok: true } }), at(DUE + 9));
    expect(r.state).toMatchObject({ phase: 'Overlapping', currentVersion: 'ver_2', previousVersion: 'ver_1', lastRotation: at(DUE + 9).toISOString(), overlapUntil: at(DUE + 9 + 86_400).toISOString() });
    expect(r.state.pendingVersion).toBeUndefined();
    expect(r.actions).toEqual([]);
    expect(r.wakeAt).toBe(at(DUE + 9 + 86_400).toISOString());

    r = step(r.state, observe(), at(DUE + 9 + 86_399));
    expect(r.state.phase).toBe('Overlapping');

    r = step(r.state, observe(), at(DUE + 9 + 86_400));
    expect(r.state.phase).toBe('RevokingOld');
    expect(r.actions).toEqual([{ type: 'revokeVersion', keyId: 'key_1', rotationId: id, versionId: 'ver_1' }]);

    r = step(r.state, observe({ outcome: { phase: 'RevokingOld', rotationId: id, ok: true } }), at(DUE + 9 + 86_401));
    expect(r.state).toEqual({
      phase: 'Idle',
      currentVersion: 'ver_2',
      previousVersion: 'ver_1',
      previousRevokedAt: at(DUE + 9 + 86_401).toISOString(),
      lastRotation: at(DUE + 9).toISOString(),
      attempt: 0,
    });
    // The next rotation counts from the last successful one.
    expect(r.wakeAt).toBe(at(DUE + 9 + DUE).toISOString());
  });

  it('asks for the same effects again when a step is repeated without its outcome (a restart)', () => {
    const first = step(initialRotationState('ver_1', T0), observe(), at(DUE));
    const again = step(first.state, observe(), at(DUE + 100));
    expect(again).toEqual(first);
  });

  it('ignores an outcome that answers another phase or rotation', () => {
    const first = step(initialRotationState('ver_1', T0), observe(), at(DUE));
    const stale = step(first.state, observe({ outcome: { phase: 'Creating', rotationId: 'rot-other', ok: true, versionId: 'ver_9' } }), at(DUE + 1));
    expect(stale.state).toEqual(first.state);
    const wrongPhase = step(first.state, observe({ outcome: { phase: 'Promoting', rotationId: first.state.rotationId, ok: true } }), at(DUE + 1));
    expect(wrongPhase.state).toEqual(first.state);
  });
});

describe('a forced rotation', () => {
  it('starts at once when the rotate-now annotation carries a value not acted on, and only once per value', () => {
    const start: RotationState = initialRotationState('ver_1', T0);
    const forced = step(start, observe({ forceToken: 'please' }), at(60));
    expect(forced.state).toMatchObject({ phase: 'Creating', forcedBy: 'please', scheduledAt: at(60).toISOString() });
    const idleAgain: RotationState = { ...forced.state, phase: 'Idle', rotationId: undefined, scheduledAt: undefined, lastRotation: at(120).toISOString() } as RotationState;
    delete (idleAgain as { rotationId?: string }).rotationId;
    delete (idleAgain as { scheduledAt?: string }).scheduledAt;
    expect(step(idleAgain, observe({ forceToken: 'please' }), at(180)).state.phase).toBe('Idle');
    expect(step(idleAgain, observe({ forceToken: 'again' }), at(180)).state.phase).toBe('Creating');
  });

  it('does not interrupt a rotation in flight', () => {
    const inFlight = step(initialRotationState('ver_1', T0), observe(), at(DUE)).state;
    expect(step(inFlight, observe({ forceToken: 'now' }), at(DUE + 1)).state).toEqual(inFlight);
  });
});

describe('a key without a schedule', () => {
  it('never rotates on its own and has no wake-up', () => {
    const r = step(initialRotationState('ver_1', T0), { keyId: 'key_1', policy: { overlapSeconds: 3600 } }, at(10 * DUE));
    expect(r.state.phase).toBe('Idle');
    expect(r.wakeAt).toBeUndefined();
  });

  it('rotates when the maximum lifetime is reached', () => {
    const r = step(initialRotationState('ver_1', T0), { keyId: 'key_1', policy: { overlapSeconds: 3600, maxLifetimeSeconds: 90 * 86_400 } }, at(90 * 86_400));
    expect(r.state).toMatchObject({ phase: 'Creating', scheduledAt: at(90 * 86_400).toISOString() });
  });
});
