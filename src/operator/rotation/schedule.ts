// When a key is due for rotation, counted from its last successful rotation.
import { CronExpressionParser } from 'cron-parser';
import type { Rotation } from '../../spec/index.js';
import type { RotationPolicy } from './rotation-state.js';

/** Overlap when the spec names none (the key service's default). */
export const DEFAULT_OVERLAP_SECONDS = 86_400;
/** Occurrences looked at when a schedule's windows were missed (bounds the work on a long outage). */
const MAX_OCCURRENCES = 100_000;

/** The rotation policy of a resolved key's `rotation` (undefined: the key is never rotated on a schedule). */
export function rotationPolicy(rotation: Rotation | undefined, options: { maxLifetimeSeconds?: number } = {}): RotationPolicy {
  return {
    ...(rotation?.every ? { everySeconds: rotation.every.seconds } : {}),
    ...(rotation?.schedule !== undefined ? { schedule: rotation.schedule } : {}),
    ...(rotation?.window ? { windowSeconds: rotation.window.seconds } : {}),
    overlapSeconds: rotation?.overlap?.seconds ?? DEFAULT_OVERLAP_SECONDS,
    ...(options.maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds: options.maxLifetimeSeconds } : {}),
  };
}

function cronAfter(schedule: string, after: Date): { next(): Date } | undefined {
  try {
    const expression = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: after });
    return { next: () => expression.next().toDate() };
  } catch {
    return undefined;
  }
}

/**
 * The next time a rotation is due after `lastRotation` (for status and wake-ups), or undefined
 * when the policy never rotates. With a schedule and a window, the first occurrence whose
 * window has not closed by `now`.
 */
export function nextRotation(policy: RotationPolicy, lastRotation: Date, now: Date): Date | undefined {
  let due: Date | undefined;
  if (policy.everySeconds !== undefined) due = new Date(lastRotation.getTime() + policy.everySeconds * 1000);
  else if (policy.schedule !== undefined) {
    const occurrences = cronAfter(policy.schedule, lastRotation);
    if (occurrences) {
      const window = policy.windowSeconds;
      for (let n = 0; n < MAX_OCCURRENCES; n++) {
        const occurrence = occurrences.next();
        if (window === undefined || occurrence.getTime() + window * 1000 >= now.getTime()) {
          due = occurrence;
          break;
        }
      }
    }
  }
  if (policy.maxLifetimeSeconds !== undefined) {
    const cap = new Date(lastRotation.getTime() + policy.maxLifetimeSeconds * 1000);
    if (due === undefined || cap < due) due = cap;
  }
  return due;
}

/** The scheduled time of the rotation due at `now`, or undefined when none is due. */
export function dueRotation(policy: RotationPolicy, lastRotation: Date, now: Date): Date | undefined {
  const due = nextRotation(policy, lastRotation, now);
  return due !== undefined && due.getTime() <= now.getTime() ? due : undefined;
}
