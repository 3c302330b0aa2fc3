import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { BUILTIN_RULES, EXCEPTION_RULES, POLICY_ERROR_LIST } from '../../src/policy/index.js';
import { check, COMPLIANT } from './fixture.js';

const doc = readFileSync('docs/policy.md', 'utf8');

describe('docs/policy.md', () => {
  it.each(BUILTIN_RULES.map((r) => [r.id, r] as const))('documents %s with its title and every parameter and default', (_, rule) => {
    expect(doc).toContain(`### ${rule.id} ${rule.title}`);
    for (const [name, value] of Object.entries(rule.params)) {
      expect(doc).toContain(`\`${name}\``);
      if (typeof value !== 'object') expect(doc).toContain(`default \`${String(value)}\``);
    }
  });

  it('documents the exception rules and every policy load error code', () => {
    for (const rule of EXCEPTION_RULES) expect(doc).toContain(rule.id);
    for (const error of POLICY_ERROR_LIST) expect(doc).toContain(`| ${error.code} | ${error.title} |`);
  });

  it('shows custom rule and exception examples that load without errors', () => {
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const section = (start: string) => {
      const block = blocks.find((b) => b.startsWith(start));
      if (block === undefined) throw new Error(`no yaml example starting with ${start}`);
      return block.replace(/^/gm, '  ');
    };
    const project = ['apiVersion: keywarden.dev/v1alpha1', 'kind: Project', 'policy:', section('customRules:'), section('exceptions:')].join('\n');
    const result = check({ 'a.yaml': COMPLIANT }, project);
    expect(result.errors).toEqual([]);
    expect(result.rules.map((r) => r.id)).toContain('ACME001');
    expect(result.findings.map((f) => f.ruleId)).toEqual(['KW101']);
  });
});

