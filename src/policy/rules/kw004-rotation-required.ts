import { parseDuration } from '../../spec/index.js';
import { longestCronInterval } from '../cron-interval.js';
import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';
import { formatSeconds } from './format.js';
import { DURATION_PARAM } from './params.js';

export interface Kw004Params {
  /** Longest time between two rotations. @default 90d */
  readonly maxInterval: string;
  /** Shortest time the previous secret stays valid after a rotation. @default 1h */
  readonly minOverlap: string;
}

export const kw004 = {
  id: 'KW004',
  title: 'Rotation is required',
  severity: 'error',
  help:
    'Give every key a `rotation` with `every` (e.g. 30d) or a cron `schedule`, no longer apart than `maxInterval` (90d by default), and an `overlap` of at least `minOverlap` (1h by default) that is shorter than the interval, e.g. `rotation: { every: 30d, overlap: 24h }`.',
  rationale:
    'Regular rotation bounds how long a leaked secret stays useful. The overlap lets every consumer pick up the new secret before the old one is revoked; an overlap as long as the interval means two old secrets are valid at once.',
  params: { maxInterval: '90d', minOverlap: '1h' },
  paramsSchema: { maxInterval: DURATION_PARAM, minOverlap: DURATION_PARAM },
  check(ctx) {
    const findings: Finding[] = [];
    const maxInterval = parseDuration(ctx.params.maxInterval)?.seconds ?? Infinity;
    const minOverlap = parseDuration(ctx.params.minOverlap)?.seconds ?? 0;
    for (const key of ctx.keys) {
      const rotation = key.rotation;
      if (!rotation || (!rotation.every && rotation.schedule === undefined)) {
        findings.push(
          ctx.finding(
            key.locate('rotation'),
            `key ${key.name} is never rotated: add rotation with every (at most ${ctx.params.maxInterval}) or a schedule, and an overlap`,
            key,
          ),
        );
        continue;
      }
      let interval: number | undefined;
      if (rotation.every) {
        interval = rotation.every.seconds;
        if (interval > maxInterval) {
          findings.push(
            ctx.finding(
              key.locate('rotation', 'every'),
              `rotation every ${rotation.every.text} is longer than the maximum interval ${ctx.params.maxInterval}: rotate more often`,
              key,
            ),
          );
        }
      } else if (rotation.schedule !== undefined) {
        interval = longestCronInterval(rotation.schedule);
        if (interval !== undefined && interval > maxInterval) {
          findings.push(
            ctx.finding(
              key.locate('rotation', 'schedule'),
              `rotation schedule "${rotation.schedule}" leaves up to ${formatSeconds(interval)} between rotations, longer than the maximum interval ${ctx.params.maxInterval}: rotate more often`,
              key,
            ),
          );
        }
      }
      if (!rotation.overlap) {
        if (minOverlap > 0) {
          findings.push(
            ctx.finding(
              key.locate('rotation'),
              `rotation has no overlap: set overlap to at least ${ctx.params.minOverlap} so consumers can pick up the new secret before the old one is revoked`,
              key,
            ),
          );
        }
      } else if (rotation.overlap.seconds < minOverlap) {
        findings.push(
          ctx.finding(
            key.locate('rotation', 'overlap'),
            `rotation overlap ${rotation.overlap.text} is shorter than the minimum ${ctx.params.minOverlap}: lengthen it`,
            key,
          ),
        );
      } else if (interval !== undefined && rotation.overlap.seconds >= interval) {
        findings.push(
          ctx.finding(
            key.locate('rotation', 'overlap'),
            `rotation overlap ${rotation.overlap.text} is not shorter than the rotation interval (${rotation.every?.text ?? formatSeconds(interval)}): shorten the overlap`,
            key,
          ),
        );
      }
    }
    return findings;
  },
} satisfies BuiltinRule<Kw004Params>;
