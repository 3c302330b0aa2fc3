import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log, Result } from 'sarif';
import type { Finding } from '../../../src/policy/finding.js';
import { renderSarif, sarifLog } from '../../../src/policy/reporters/sarif.js';
import { BILLING, FINDINGS, sampleInput } from './sample.js';

// The SARIF 2.1.0 JSON schema of the OASIS TC (its last release candidate, rtm.5, as published
// to SchemaStore), shipped inside Microsoft's @microsoft/jest-sarif. It is a draft-04 schema
// that uses no keyword whose meaning changed since, so ajv's draft-07 validator applies it
// faithfully once its draft-04 `id`/`$schema` headers are set aside.
function sarifValidator(): ValidateFunction {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const { $schema: _draft, id: _id, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // unicodeRegExp off: the schema's `language` pattern has a stray ']' that only non-unicode regexes accept.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  return ajv.compile(schema);
}

const validate = sarifValidator();

function results(log: Log): Result[] {
  return log.runs[0]?.results ?? [];
}

describe('SARIF reporter', () => {
  it('writes a log that the SARIF 2.1.0 schema accepts', () => {
    const log = JSON.parse(renderSarif(sampleInput())) as unknown;
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('writes a valid log when there are no findings', () => {
    const log = sarifLog(sampleInput({ findings: [] }));
    expect(validate(log)).toBe(true);
    expect(results(log)).toEqual([]);
    expect(log.runs[0]?.tool.driver.rules?.map((r) => r.id)).toEqual(['KW002', 'KW005', 'KW006']);
  });

  it('rejects what the schema forbids, so the validation above can fail', () => {
    const log = sarifLog(sampleInput()) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    log.runs[0]!.results[0]!['level'] = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('describes every rule that ran with short and full description, help and default level', () => {
    const driver = sarifLog(sampleInput()).runs[0]!.tool.driver;
    expect(driver.name).toBe('keywarden');
    expect(driver.version).toBe('1.2.3');
    expect(driver.informationUri).toBe('https://keywarden.dev');
    expect(driver.rules?.[0]).toEqual({
      id: 'KW002',
      name: 'NoWildcardScopes',
      shortDescription: { text: 'No wildcard scopes' },
      fullDescription: { text: 'A wildcard grants actions nobody reviewed.' },
      help: {
        text: 'List each scope the integration needs, e.g. `invoices:read`.',
        markdown:
          '**No wildcard scopes** (KW002)\n\nList each scope the integration needs, e.g. `invoices:read`.\n\n*Why:* A wildcard grants actions nobody reviewed.',
      },
      defaultConfiguration: { level: 'error' },
      helpUri: 'https://keywarden.dev/rules/KW002',
      properties: { tags: ['security', 'keywarden', 'api-keys'], precision: 'very-high', 'security-severity': '7.5' },
    });
    expect(driver.rules?.find((r) => r.id === 'KWS001')?.properties).toEqual({ tags: ['keywarden'] });
    expect(driver.rules?.find((r) => r.id === 'KW006')?.properties?.['security-severity']).toBe('5.0');
    expect(driver.rules?.map((r) => [r.id, r.defaultConfiguration?.level])).toEqual([
      ['KW002', 'error'],
      ['KW005', 'error'],
      ['KW006', 'warning'],
      ['KWS001', 'error'],
    ]);
  });

  it('points each result at its rule, a repository-relative uri and a 1-based region', () => {
    const log = sarifLog(sampleInput());
    const rules = log.runs[0]!.tool.driver.rules!;
    const got = results(log).map((r) => ({
      ruleId: r.ruleId,
      ruleAtIndex: rules[r.ruleIndex!]?.id,
      level: r.level,
      message: r.message.text,
      uri: r.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
      base: r.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId,
      region: r.locations?.[0]?.physicalLocation?.region,
    }));
    expect(got).toEqual([
      { ruleId: 'KW006', ruleAtIndex: 'KW006', level: 'warning', message: 'No owner is named', uri: 'keys/billing.yaml', base: '%SRCROOT%', region: { startLine: 5, startColumn: 1 } },
      { ruleId: 'KW002', ruleAtIndex: 'KW002', level: 'error', message: 'Scope "invoices:*" is a wildcard', uri: 'keys/billing.yaml', base: '%SRCROOT%', region: { startLine: 8, startColumn: 28 } },
      { ruleId: 'KW002', ruleAtIndex: 'KW002', level: 'error', message: 'Scope "invoices:*" is a wildcard', uri: 'keys/billing.yaml', base: '%SRCROOT%', region: { startLine: 8, startColumn: 28 } },
      { ruleId: 'KW005', ruleAtIndex: 'KW005', level: 'error', message: 'allowedCidrs contains 0.0.0.0/0, which allows every address', uri: 'keys/billing.yaml', base: '%SRCROOT%', region: { startLine: 11, startColumn: 22 } },
      { ruleId: 'KWS001', ruleAtIndex: 'KWS001', level: 'error', message: 'Flow sequence in block collection must be sufficiently indented and end with a ]', uri: 'keys/search.yaml', base: '%SRCROOT%', region: { startLine: 4, startColumn: 9 } },
    ]);
    expect(log.runs[0]!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
  });

  it('makes uris relative to the repository root whatever the working directory and path form', () => {
    const finding: Finding = { ...FINDINGS[0]!, file: '../keys/team a/billing.yaml' };
    const absolute: Finding = { ...FINDINGS[0]!, file: '/repo/keys/x.yaml' };
    const log = sarifLog(sampleInput({ findings: [finding, absolute], cwd: '/repo/sub' }));
    expect(results(log).map((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri)).toEqual([
      'keys/team%20a/billing.yaml',
      'keys/x.yaml',
    ]);
    expect(validate(log)).toBe(true);
  });

  it('keeps fingerprints when unrelated lines are added above the finding', () => {
    const before = results(sarifLog(sampleInput())).map((r) => r.partialFingerprints?.['primaryLocationLineHash']);
    const edited = `# a comment added above\n# and another\n${BILLING}`;
    const moved = FINDINGS.map((f) => (f.file === 'keys/billing.yaml' ? { ...f, line: f.line + 2 } : f));
    const after = results(
      sarifLog(sampleInput({ findings: moved, sources: new Map([['keys/billing.yaml', edited], ['keys/search.yaml', '']]) })),
    ).map((r) => r.partialFingerprints?.['primaryLocationLineHash']);
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    expect(new Set(before).size).toBe(before.length);
    for (const hash of before) expect(hash).toMatch(/^[0-9a-f]{16}:[1-9][0-9]*$/);
  });

  it('changes the fingerprint when the line itself changes', () => {
    const hash = (source: string): string | undefined =>
      results(sarifLog(sampleInput({ sources: new Map([['keys/billing.yaml', source]]) })))[1]?.partialFingerprints?.[
        'primaryLocationLineHash'
      ];
    expect(hash(BILLING.replace('invoices:*', 'payouts:*'))).not.toBe(hash(BILLING));
    expect(hash(BILLING.replace('  scopes: [', '  scopes:   [  '))).toBe(hash(BILLING));
  });

  it('numbers identical findings on identical lines by occurrence', () => {
    const source = 'scopes:\n  - "*"\n  - "*"\n';
    const twin = (line: number): Finding => ({ ruleId: 'KW002', severity: 'error', message: 'wildcard', file: 'k.yaml', line, column: 5, path: 'scopes' });
    const log = sarifLog(sampleInput({ findings: [twin(3), twin(2)], sources: new Map([['k.yaml', source]]) }));
    const [first, second] = results(log).map((r) => r.partialFingerprints?.['primaryLocationLineHash'] ?? '');
    expect(first?.split(':')[0]).toBe(second?.split(':')[0]);
    expect([first?.split(':')[1], second?.split(':')[1]]).toEqual(['1', '2']);
  });
});
