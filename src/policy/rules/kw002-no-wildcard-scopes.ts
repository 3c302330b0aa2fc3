import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';
import { isWildcardScope } from '../scope-pattern.js';

export const kw002 = {
  id: 'KW002',
  title: 'No wildcard scopes',
  severity: 'error',
  help:
    'List every scope the integration needs by name (`invoices:read`, not `invoices:*`, `*:read` or `*`), and give every key at least one scope.',
  rationale:
    'A wildcard grants permissions nobody reviewed, including ones the service adds later; an empty scope list is read by some services as "no restriction". Least privilege needs an explicit list.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    for (const key of ctx.keys) {
      if (key.scopes.length === 0) {
        findings.push(ctx.finding(key.locate('scopes'), 'the key has no scopes: list the scopes it needs, e.g. [invoices:read]', key));
        continue;
      }
      key.scopes.forEach((scope, i) => {
        if (isWildcardScope(scope)) {
          findings.push(
            ctx.finding(key.locate('scopes', i), `scope "${scope}" is a wildcard: replace it with the scopes the integration needs, by name`, key),
          );
        }
      });
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
