import { didYouMean } from '../../spec/index.js';
import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';
import { isWildcardScope } from '../scope-pattern.js';

export const kw008 = {
  id: 'KW008',
  title: 'Scopes exist in the service\'s scope catalog',
  severity: 'error',
  help:
    'Use only scopes the service defines: when the project file lists a scope catalog for the key\'s service (`scopeCatalogs.<service>`), every scope must be one of them. Fix the typo, or add the new scope to the catalog when the service gains it.',
  rationale:
    'A misspelt scope grants nothing and breaks the integration at run time; a scope the service does not know yet is a change to review with the service owners.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    const catalogs = new Map<string, ReadonlySet<string>>();
    for (const key of ctx.keys) {
      const list = ctx.project.scopeCatalogs[key.service];
      if (!list) continue;
      let catalog = catalogs.get(key.service);
      if (!catalog) {
        catalog = new Set(list);
        catalogs.set(key.service, catalog);
      }
      key.scopes.forEach((scope, i) => {
        // Wildcards are KW002's finding; reporting them here too would say the same thing twice.
        if (catalog.has(scope) || isWildcardScope(scope)) return;
        const guess = didYouMean(scope, list);
        findings.push(
          ctx.finding(
            key.locate('scopes', i),
            `scope "${scope}" is not in the scope catalog of service ${key.service}${guess ? ` (did you mean "${guess}"?)` : ''}: use a catalog scope or add it to scopeCatalogs.${key.service}`,
            key,
          ),
        );
      });
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
