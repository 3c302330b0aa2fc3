import { cidrProblem } from '../../spec/index.js';
import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';

/** A network that admits every address of its family. */
function allowsEveryAddress(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}

export const kw005 = {
  id: 'KW005',
  title: 'Live keys have an IP allowlist',
  severity: 'error',
  help:
    'Give every key of a live environment `allowedCidrs` listing the networks its integration calls from, e.g. `[203.0.113.0/24]`; each entry a valid CIDR with no host bits set, and never `0.0.0.0/0` or `::/0`.',
  rationale:
    'An allowlist makes a leaked live key useless from anywhere else. An allowlist containing 0.0.0.0/0 or ::/0 only looks like one.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    for (const key of ctx.keys) {
      if (key.mode !== 'live') continue;
      const cidrs = key.allowedCidrs;
      if (!cidrs || cidrs.length === 0) {
        findings.push(
          ctx.finding(
            key.locate('allowedCidrs'),
            `live key ${key.name} can be used from any address: set allowedCidrs to the networks the integration calls from`,
            key,
          ),
        );
        continue;
      }
      cidrs.forEach((cidr, i) => {
        const problem = cidrProblem(cidr);
        if (problem) {
          findings.push(ctx.finding(key.locate('allowedCidrs', i), `${problem}: fix the allowlist entry`, key));
        } else if (allowsEveryAddress(cidr)) {
          findings.push(
            ctx.finding(
              key.locate('allowedCidrs', i),
              `allowlist entry ${cidr} admits every address: list the integration's own networks instead`,
              key,
            ),
          );
        }
      });
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
