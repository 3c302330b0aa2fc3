import { parseDuration } from '../../spec/index.js';
import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';
import { DURATION_PARAM } from './params.js';

export interface Kw003Params {
  /** Longest lifetime a key may have. @default 365d */
  readonly maxLifetime: string;
}

export const kw003 = {
  id: 'KW003',
  title: 'Live keys expire',
  severity: 'error',
  help:
    'Set `expiresAfter` on every key of a live environment, no longer than the maximum lifetime (parameter `maxLifetime`, 365d by default), e.g. `expiresAfter: 180d`.',
  rationale:
    'A key that never expires outlives the integration, its owner and the reason it was issued; an expiry forces a periodic decision to keep it.',
  params: { maxLifetime: '365d' },
  paramsSchema: { maxLifetime: DURATION_PARAM },
  check(ctx) {
    const findings: Finding[] = [];
    const max = parseDuration(ctx.params.maxLifetime);
    for (const key of ctx.keys) {
      if (!key.expiresAfter) {
        if (key.mode === 'live') {
          findings.push(
            ctx.finding(key.locate('expiresAfter'), `live key ${key.name} never expires: set expiresAfter (at most ${ctx.params.maxLifetime})`, key),
          );
        }
        continue;
      }
      if (max && key.expiresAfter.seconds > max.seconds) {
        findings.push(
          ctx.finding(
            key.locate('expiresAfter'),
            `expiresAfter ${key.expiresAfter.text} is longer than the maximum lifetime ${ctx.params.maxLifetime}: shorten it`,
            key,
          ),
        );
      }
    }
    return findings;
  },
} satisfies BuiltinRule<Kw003Params>;
