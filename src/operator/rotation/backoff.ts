// Exponential backoff between failed attempts of a rotation step. Deterministic (no jitter):
// the state machine is pure; the work queue adds jitter when it schedules the wake-up.

/** First delay, in seconds. */
export const BACKOFF_BASE_SECONDS = 30;
/** Longest delay, in seconds (1 hour). */
export const BACKOFF_MAX_SECONDS = 3600;

/** Delay before attempt number `attempt` + 1 after `attempt` failures (1 → 30 s, 2 → 60 s, …, capped at 1 h). */
export function backoffSeconds(attempt: number): number {
  if (attempt <= 0) return 0;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(attempt - 1, 20));
}
