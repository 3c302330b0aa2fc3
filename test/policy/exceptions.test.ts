import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT, yaml } from './fixture.js';

// Without rateLimit: KW011 fires for production-order-bot at a.yaml:13:5.
const NO_RATE_LIMIT = COMPLIANT.replace('  rateLimit: { requests: 100, per: 1m }\n', '');

function project(...exceptionLines: string[]): string {
  return yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: Project', 'policy:', '  exceptions:', ...exceptionLines);
}

function inline(...lines: string[]): string {
  return NO_RATE_LIMIT.replace(
    '  name: order-bot-billing\n',
    `  name: order-bot-billing\n  annotations:\n    keywarden.dev/exceptions: |\n${lines.map((l) => `      ${l}`).join('\n')}\n`,
  );
}

describe('exceptions in the project file', () => {
  it('silence the findings they name, by key, by spec or by environment', () => {
    for (const target of ['key: production-order-bot', 'spec: order-bot-billing', 'environment: production']) {
      const result = check({ 'a.yaml': NO_RATE_LIMIT }, project(`    - { rule: KW011, ${target}, reason: partner batch job, expires: 2027-01-31 }`));
      expect(result.errors).toEqual([]);
      expect(result.findings).toEqual([]);
    }
  });

  it('do not silence other keys or other rules', () => {
    const result = check(
      { 'a.yaml': NO_RATE_LIMIT.replace('  owner: payments@example.com\n', '') },
      project('    - { rule: KW011, key: production-order-bot, reason: batch job, expires: 2027-01-31 }', '    - { rule: KW006, key: development-order-bot, reason: sandbox, expires: 2027-01-31 }'),
    );
    expect(at(result.findings)).toEqual(['KW006 a.yaml:12:5']);
  });

  it('stop applying once expired and become an error themselves', () => {
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, project('    - { rule: KW011, key: production-order-bot, reason: batch job, expires: 2026-11-21 }'));
    expect(at(result.findings)).toEqual(['KW011 a.yaml:13:5', 'KW100 keywarden.yaml:5:7']);
    expect(result.findings[1]).toMatchObject({
      severity: 'error',
      message: 'the exception to KW011 for key production-order-bot expired on 2026-11-21: fix the KW011 finding or renew the exception with a reason that still holds',
    });
  });

  it('apply through the whole expiry day in UTC', () => {
    // NOW is 2026-11-22T12:00Z.
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, project('    - { rule: KW011, key: production-order-bot, reason: batch job, expires: 2026-11-22 }'));
    expect(result.findings).toEqual([]);
  });

  it('that match nothing are warnings', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project('    - { rule: KW011, key: production-order-bot, reason: batch job, expires: 2027-01-31 }'));
    expect(at(result.findings)).toEqual(['KW101 keywarden.yaml:5:7']);
    expect(result.findings[0]).toMatchObject({ severity: 'warning', message: 'the exception to KW011 for key production-order-bot matches no finding: remove it' });
  });

  it('without a reason, a target or a real date, or naming an unknown rule, are load errors', () => {
    const result = check(
      { 'a.yaml': NO_RATE_LIMIT },
      project(
        '    - { rule: KW011, key: production-order-bot, expires: 2027-01-31 }', // 5
        '    - { rule: KW011, reason: "no target", expires: 2027-01-31 }', // 6
        '    - { rule: KW011, key: production-order-bot, reason: bad date, expires: 2027-02-30 }', // 7
        '    - { rule: KW999, key: production-order-bot, reason: no such rule, expires: 2027-01-31 }', // 8
        '    - { rule: KW011, key: production-order-bot, reason: "   ", expires: 2027-01-31 }', // 9
      ),
    );
    expect(at(result.errors)).toEqual([
      'KWP006 keywarden.yaml:5:7',
      'KWP006 keywarden.yaml:6:7',
      'KWP006 keywarden.yaml:7:76',
      'KWP006 keywarden.yaml:8:7',
      'KWP006 keywarden.yaml:9:57',
    ]);
    expect(result.errors.map((e) => e.message)).toEqual([
      'policy.exceptions[0] is missing the required field "reason"',
      'policy.exceptions[1] needs one of: key, spec, environment',
      'expiry date "2027-02-30" is not a real date: write YYYY-MM-DD',
      'the exception names rule KW999, which does not exist: name a built-in rule (KW001-KW011) or a custom rule',
      'policy.exceptions[4].reason: "   " is not valid (Why the rule does not apply; required.)',
    ]);
    // An invalid exception silences nothing.
    expect(at(result.findings)).toEqual(['KW011 a.yaml:13:5']);
  });
});

describe('inline exceptions (keywarden.dev/exceptions)', () => {
  it('apply to the annotated spec, narrowed by environment', () => {
    const result = check({ 'a.yaml': inline('- rule: KW011', '  environment: production', '  reason: partner batch job', '  expires: 2027-01-31') });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('do not reach other specs', () => {
    const other = NO_RATE_LIMIT.replace('name: order-bot-billing', 'name: crm-sync').replaceAll('order-bot', 'crm-sync');
    const result = check({ 'a.yaml': inline('- { rule: KW011, reason: batch job, expires: 2027-01-31 }'), 'b.yaml': other });
    expect(at(result.findings)).toEqual(['KW011 b.yaml:13:5']);
  });

  it('report expiry and missing reasons at the annotation', () => {
    const expired = check({ 'a.yaml': inline('- { rule: KW011, reason: batch job, expires: 2026-01-31 }') });
    expect(at(expired.findings)).toEqual(['KW100 a.yaml:7:9', 'KW011 a.yaml:16:5']);
    expect(expired.findings[0]?.message).toContain('for spec order-bot-billing expired on 2026-01-31');
    const noReason = check({ 'a.yaml': inline('- { rule: KW011, expires: 2027-01-31 }') });
    expect(at(noReason.errors)).toEqual(['KWP006 a.yaml:7:9']);
    expect(noReason.errors[0]?.message).toBe('metadata.annotations["keywarden.dev/exceptions"][0] is missing the required field "reason"');
  });

  it('report an annotation that is not YAML', () => {
    const result = check({ 'a.yaml': inline('- { rule: KW011, reason: [oops, expires: 2027-01-31 }') });
    expect(at(result.errors)).toEqual(['KWP006 a.yaml:7:59']);
    expect(result.errors[0]?.message).toMatch(/annotation is not valid YAML/);
  });

  it('point inside the annotation, line by line, and keep the valid entries', () => {
    const result = check({
      'a.yaml': inline(
        '- rule: KW011', // line 7
        '  environment: production',
        '  reason: partner batch job',
        '  expires: 2027-01-31',
        '- rule: KW006', // line 11
        '  expires: 2027-01-31',
      ),
    });
    expect(at(result.errors)).toEqual(['KWP006 a.yaml:11:9']);
    expect(result.errors[0]?.path).toBe('metadata.annotations["keywarden.dev/exceptions"][1]');
    expect(result.findings).toEqual([]);
  });
});
