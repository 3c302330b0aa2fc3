import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';

export const kw006 = {
  id: 'KW006',
  title: 'An owner is named',
  severity: 'error',
  help: 'Set `owner` on the spec (or per environment) to the team or person who answers for the key, e.g. `owner: payments-team@example.com`.',
  rationale: 'When a key leaks, expires or must be rotated by hand, someone has to be reachable; an ownerless key is the one nobody dares to revoke.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    for (const key of ctx.keys) {
      if (key.owner === undefined) {
        findings.push(ctx.finding(key.locate('owner'), `key ${key.name} has no owner: set owner to the team or person who answers for it`, key));
      } else if (key.owner.trim() === '') {
        findings.push(ctx.finding(key.locate('owner'), 'owner is blank: name the team or person who answers for the key', key));
      }
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
