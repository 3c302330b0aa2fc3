import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';

export const kw007 = {
  id: 'KW007',
  title: 'Key names follow the naming pattern',
  severity: 'error',
  help:
    'Make every key name match the project\'s naming pattern (`naming.pattern` in the project file; by default lower-case letters, digits and `-`, e.g. `production-order-bot`). Names come from `naming.template` (`{environment}-{integration}` by default) unless an environment sets `name`: fix or remove that `name`.',
  rationale:
    'Key names appear in the key service, in Secrets Manager and in audit logs; a predictable name tells at a glance which environment and integration a key belongs to, and stays valid everywhere it is used.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    const source = ctx.project.namingPattern;
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch {
      return findings; // the loader reports a bad naming.pattern (KWS018) and falls back to the default
    }
    for (const key of ctx.keys) {
      if (!pattern.test(key.name)) {
        findings.push(ctx.finding(key.locate('name'), `key name "${key.name}" does not match the naming pattern ${source}: rename the key`, key));
      }
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
