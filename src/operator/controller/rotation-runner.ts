// Drives the rotation state machine of one ApiKey environment for one reconcile: step, persist
// the new state, execute its actions, feed the outcome to the next step — until the machine
// waits (a retry, the end of the overlap, the next schedule). The state is persisted BEFORE
// its actions run, so a restarted operator repeats them with the same rotation id (every
// action is idempotent) instead of starting a second rotation.
import { step, type RotationAction, type RotationExecutor, type RotationPhase, type RotationPolicy, type RotationState, type StepOutcome } from '../rotation/index.js';

/** Steps one reconcile runs at most (a full rotation up to the overlap takes 5). */
const MAX_STEPS = 16;

export interface StepEvent {
  /** `namespace/name` of the ApiKey. */
  readonly resource: string;
  readonly environment: string;
  /** executed: the phase whose actions just ran (outcome set); persisted: the phase just written to status. */
  readonly stage: 'executed' | 'persisted';
  readonly phase: RotationPhase;
  readonly state: RotationState;
  readonly actions?: readonly RotationAction[];
  readonly outcome?: StepOutcome;
}

export interface RotationRun {
  readonly resource: string;
  readonly environment: string;
  readonly keyId: string;
  readonly policy: RotationPolicy;
  readonly forceToken?: string;
  readonly executor: RotationExecutor;
  readonly clock: () => Date;
  /** Throws when the operator may no longer act. */
  readonly guard: () => void;
  /** Writes the state to status. */
  readonly persist: (state: RotationState) => Promise<void>;
  /** Told about every state change (Events, metrics) after it was persisted. */
  readonly onTransition: (before: RotationState, after: RotationState, outcome: StepOutcome | undefined) => Promise<void>;
  readonly onStep?: (event: StepEvent) => void | Promise<void>;
}

const same = (a: RotationState, b: RotationState): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Runs the machine until it waits; returns the state reached and when to look again. */
export async function runRotation(initial: RotationState, run: RotationRun): Promise<{ state: RotationState; wakeAt?: string }> {
  let state = initial;
  let outcome: StepOutcome | undefined;
  for (let i = 0; i < MAX_STEPS; i++) {
    const result = step(state, { keyId: run.keyId, policy: run.policy, ...(run.forceToken !== undefined ? { forceToken: run.forceToken } : {}), ...(outcome ? { outcome } : {}) }, run.clock());
    if (!same(result.state, state)) {
      run.guard();
      await run.persist(result.state);
      await run.onStep?.({ resource: run.resource, environment: run.environment, stage: 'persisted', phase: result.state.phase, state: result.state });
      await run.onTransition(state, result.state, outcome);
    }
    state = result.state;
    if (result.actions.length === 0) return { state, ...(result.wakeAt !== undefined ? { wakeAt: result.wakeAt } : {}) };
    run.guard();
    outcome = await run.executor.execute(state.phase, state.rotationId, result.actions);
    await run.onStep?.({ resource: run.resource, environment: run.environment, stage: 'executed', phase: state.phase, state, actions: result.actions, outcome });
  }
  // Still moving: look again at once.
  return { state, wakeAt: run.clock().toISOString() };
}
