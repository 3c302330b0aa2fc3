import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';

export const kw011 = {
  id: 'KW011',
  title: 'Live keys have a rate limit',
  severity: 'error',
  help: 'Give every key of a live environment a `rateLimit`, e.g. `rateLimit: { requests: 10000, per: 1h }`, sized to what the integration really sends.',
  rationale: 'A rate limit caps the damage a leaked or misbehaving key can do and keeps one integration from starving the others.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    for (const key of ctx.keys) {
      if (key.mode === 'live' && !key.rateLimit) {
        findings.push(
          ctx.finding(key.locate('rateLimit'), `live key ${key.name} has no rate limit: set rateLimit, e.g. { requests: 10000, per: 1h }`, key),
        );
      }
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
