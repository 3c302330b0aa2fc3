// The rotation state machine, pure: step(state, observation, now) → { state, actions }.
// Effects are data; an executor carries them out and reports one outcome, which the next step
// consumes. The state is persisted (status) after every step, so a restart resumes it: a step
// repeated without its outcome asks for the same, idempotent, actions again.
//
//   Idle ─due/forced─► Creating ─► Staging ─► Testing ─► Promoting ─► Overlapping ─► RevokingOld ─► Idle
//                         │           │          │          (only forward after promotion)
//                         │           └──────────┴─fail─► RollingBack ─► Idle (retry owed, backoff)
//                         └─fail: retry with backoff (same rotation id); secret lost: RollingBack
import { backoffSeconds } from './backoff.js';
import { rotationId } from './rotation-id.js';
import type { Observation, RotationAction, RotationState, StepOutcome, StepResult } from './rotation-state.js';
import { dueRotation, nextRotation } from './schedule.js';

const iso = (date: Date): string => date.toISOString();
const later = (now: Date, seconds: number): string => iso(new Date(now.getTime() + seconds * 1000));

/** The state of a key whose current version is known and which has never rotated since `since`. */
export function initialRotationState(currentVersion: string, since: Date): RotationState {
  return { phase: 'Idle', currentVersion, lastRotation: iso(since), attempt: 0 };
}

/** Drops undefined fields so the state stays a clean status object. */
function clean(state: RotationState): RotationState {
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined)) as RotationState;
}

function failed(state: RotationState, outcome: Extract<StepOutcome, { ok: false }>, now: Date): RotationState {
  const attempt = state.attempt + 1;
  return { ...state, attempt, retryAt: later(now, backoffSeconds(attempt)), lastError: { reason: outcome.reason, message: outcome.message } };
}

function rollBack(state: RotationState, outcome: Extract<StepOutcome, { ok: false }>, now: Date): RotationState {
  const versionId = state.pendingVersion ?? outcome.versionId;
  return { ...state, phase: 'RollingBack', pendingVersion: versionId, retryAt: undefined, lastError: { reason: outcome.reason, message: outcome.message }, attempt: state.attempt + 1 };
}

/** Applies the outcome of the actions the current phase asked for. */
function applyOutcome(state: RotationState, outcome: StepOutcome, now: Date, overlapSeconds: number): RotationState {
  switch (state.phase) {
    case 'Creating':
      if (outcome.ok) return outcome.versionId === undefined ? state : { ...state, phase: 'Staging', pendingVersion: outcome.versionId, retryAt: undefined };
      // Created, but the secret is not at hand (a replayed create): the version can never be delivered.
      if (outcome.versionId !== undefined) return rollBack(state, outcome, now);
      return failed(state, outcome, now);
    case 'Staging':
      return outcome.ok ? { ...state, phase: 'Testing', retryAt: undefined } : rollBack(state, outcome, now);
    case 'Testing':
      return outcome.ok ? { ...state, phase: 'Promoting', retryAt: undefined } : rollBack(state, outcome, now);
    case 'Promoting':
      if (!outcome.ok) return failed(state, outcome, now);
      return {
        ...state,
        phase: 'Overlapping',
        previousVersion: state.currentVersion,
        previousRevokedAt: undefined,
        currentVersion: state.pendingVersion,
        pendingVersion: undefined,
        lastRotation: iso(now),
        overlapUntil: later(now, overlapSeconds),
        scheduledAt: undefined,
        attempt: 0,
        retryAt: undefined,
        lastError: undefined,
      };
    case 'RevokingOld':
      if (!outcome.ok) return failed(state, outcome, now);
      return { ...state, phase: 'Idle', previousRevokedAt: iso(now), rotationId: undefined, overlapUntil: undefined, attempt: 0, retryAt: undefined, lastError: undefined };
    case 'RollingBack':
      if (!outcome.ok) return failed(state, outcome, now);
      // The owed rotation stays (scheduledAt); the next attempt waits out the backoff.
      return { ...state, phase: 'Idle', pendingVersion: undefined, rotationId: undefined, retryAt: later(now, backoffSeconds(state.attempt)) };
    case 'Idle':
    case 'Overlapping':
      return state;
  }
}

function start(state: RotationState, keyId: string, scheduledAt: string, forceToken: string | undefined): RotationState {
  return {
    ...state,
    phase: 'Creating',
    scheduledAt,
    rotationId: rotationId(keyId, scheduledAt, state.attempt),
    retryAt: undefined,
    forcedBy: forceToken ?? state.forcedBy,
  };
}

/** Moves on with time: starts a due rotation, ends the overlap. */
function advanceWithTime(state: RotationState, observation: Observation, now: Date): RotationState {
  if (state.phase === 'Overlapping') {
    if (state.overlapUntil === undefined || Date.parse(state.overlapUntil) <= now.getTime()) {
      return state.previousVersion === undefined
        ? { ...state, phase: 'Idle', rotationId: undefined, overlapUntil: undefined }
        : { ...state, phase: 'RevokingOld', retryAt: undefined };
    }
    return state;
  }
  if (state.phase !== 'Idle') return state;
  const forced = observation.forceToken !== undefined && observation.forceToken !== state.forcedBy;
  if (state.scheduledAt !== undefined) {
    // A rotation is owed after a rollback: retry once the backoff is over (a force skips the wait).
    if (forced || state.retryAt === undefined || Date.parse(state.retryAt) <= now.getTime()) return start(state, observation.keyId, state.scheduledAt, observation.forceToken);
    return state;
  }
  if (forced) return start({ ...state, attempt: 0 }, observation.keyId, iso(now), observation.forceToken);
  const last = state.lastRotation === undefined ? now : new Date(state.lastRotation);
  const due = dueRotation(observation.policy, last, now);
  return due === undefined ? state : start({ ...state, attempt: 0 }, observation.keyId, iso(due), observation.forceToken);
}

function actionsFor(state: RotationState, observation: Observation, now: Date): RotationAction[] {
  if (state.retryAt !== undefined && Date.parse(state.retryAt) > now.getTime() && state.phase !== 'Idle') return [];
  const keyId = observation.keyId;
  const id = state.rotationId ?? '';
  const pending = state.pendingVersion;
  switch (state.phase) {
    case 'Creating':
      return [{ type: 'createVersion', keyId, rotationId: id }];
    case 'Staging':
      return pending === undefined ? [] : [{ type: 'stage', keyId, rotationId: id, versionId: pending }];
    case 'Testing':
      return pending === undefined ? [] : [{ type: 'verify', keyId, rotationId: id, versionId: pending }];
    case 'Promoting':
      return pending === undefined ? [] : [{ type: 'promote', keyId, rotationId: id, versionId: pending, overlapSeconds: observation.policy.overlapSeconds }];
    case 'RevokingOld':
      return state.previousVersion === undefined ? [] : [{ type: 'revokeVersion', keyId, rotationId: id, versionId: state.previousVersion }];
    case 'RollingBack':
      // Nothing created yet: nothing to undo (an empty step completes the rollback).
      return pending === undefined
        ? []
        : [
            { type: 'discard', keyId, rotationId: id, versionId: pending },
            { type: 'revokeVersion', keyId, rotationId: id, versionId: pending },
          ];
    case 'Idle':
    case 'Overlapping':
      return [];
  }
}

function wakeAt(state: RotationState, observation: Observation, now: Date): string | undefined {
  if (state.retryAt !== undefined && Date.parse(state.retryAt) > now.getTime()) return state.retryAt;
  if (state.phase === 'Overlapping') return state.overlapUntil;
  if (state.phase === 'Idle' && state.scheduledAt === undefined) {
    const next = nextRotation(observation.policy, state.lastRotation === undefined ? now : new Date(state.lastRotation), now);
    return next === undefined ? undefined : iso(next);
  }
  return undefined;
}

/**
 * One step of the machine: applies the observed outcome (ignored unless it answers the current
 * phase and rotation), lets time move the machine on, and returns the actions of the resulting
 * phase. Pure: the same arguments give the same result.
 */
export function step(current: RotationState, observation: Observation, now: Date): StepResult {
  let state = current;
  const outcome = observation.outcome;
  if (outcome !== undefined && outcome.phase === state.phase && outcome.rotationId === state.rotationId) {
    state = applyOutcome(state, outcome, now, observation.policy.overlapSeconds);
  }
  // A rollback with nothing to undo completes at once.
  if (state.phase === 'RollingBack' && state.pendingVersion === undefined) {
    state = applyOutcome(state, { phase: 'RollingBack', rotationId: state.rotationId, ok: true }, now, observation.policy.overlapSeconds);
  }
  state = advanceWithTime(state, observation, now);
  state = advanceWithTime(state, observation, now);
  state = clean(state);
  const result: StepResult = { state, actions: actionsFor(state, observation, now) };
  const wake = result.actions.length === 0 ? wakeAt(state, observation, now) : undefined;
  return wake === undefined ? result : { ...result, wakeAt: wake };
}

/** True while a rotation is in flight (a version created and not yet promoted or rolled back). */
export function hasPendingVersion(state: RotationState): boolean {
  return state.pendingVersion !== undefined;
}
