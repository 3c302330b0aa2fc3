import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';
import { scopeMatches } from '../scope-pattern.js';
import { SCOPE_PATTERNS_PARAM } from './params.js';

export interface Kw009Params {
  /** Scopes that manage keys or administer the service; `*` matches any run of characters. */
  readonly adminScopes: readonly string[];
}

export const kw009 = {
  id: 'KW009',
  title: 'Admin and key-management scopes only for integrators',
  severity: 'error',
  help:
    'Only integrations named in the project file\'s `integrators` list may hold key-management or admin scopes (`admin`, `admin.*`, `api-keys:write`, `keys:write`, ... — the `adminScopes` parameter). Remove the scope, or add the integration to `integrators` after review.',
  rationale:
    'A key that can create or change other keys, or administer the service, turns one leaked secret into all of them. Few integrations need that, and the project should name them.',
  params: {
    adminScopes: ['admin', 'admin.*', 'admin:*', '*:admin', 'api-keys:write', 'api-keys:admin', 'api-keys:delete', 'keys:write', 'keys:admin', 'keys:delete'],
  },
  paramsSchema: { adminScopes: SCOPE_PATTERNS_PARAM },
  check(ctx) {
    const findings: Finding[] = [];
    const integrators = new Set(ctx.project.integrators);
    const patterns = ctx.params.adminScopes;
    const adminPatternOf = new Map<string, string | undefined>();
    for (const key of ctx.keys) {
      if (integrators.has(key.integration)) continue;
      key.scopes.forEach((scope, i) => {
        let pattern = adminPatternOf.get(scope);
        if (pattern === undefined && !adminPatternOf.has(scope)) {
          pattern = patterns.find((p) => scopeMatches(scope, p));
          adminPatternOf.set(scope, pattern);
        }
        if (pattern === undefined) return;
        findings.push(
          ctx.finding(
            key.locate('scopes', i),
            `scope "${scope}" ${scope === pattern ? 'is' : `covers ${pattern}, which is`} a key-management or admin scope, and integration ${key.integration} is not an integrator: remove the scope or list ${key.integration} under integrators in the project file`,
            key,
          ),
        );
      });
    }
    return findings;
  },
} satisfies BuiltinRule<Kw009Params>;
