// The public face of the rotation module: the pure state machine, its data and schedules.
export { step, initialRotationState, hasPendingVersion } from './machine.js';
export { rotationPolicy, nextRotation, dueRotation, DEFAULT_OVERLAP_SECONDS } from './schedule.js';
export { rotationId } from './rotation-id.js';
export { backoffSeconds, BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS } from './backoff.js';
export { RotationExecutor, type RotationExecutorOptions } from './executor.js';
export { describe as describeFailure } from './failure-reason.js';
export type { Observation, RotationAction, RotationPhase, RotationPolicy, RotationState, StepOutcome, StepResult } from './rotation-state.js';
