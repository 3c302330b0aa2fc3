import { describe, expect, it } from '@jest/globals';
import { jsonReport, renderJson } from '../../../src/policy/reporters/json.js';
import { RULES, sampleInput } from './sample.js';

describe('JSON reporter', () => {
  it('writes version, tool, summary, sorted findings with repository-relative uris, and rules', () => {
    const report = JSON.parse(renderJson(sampleInput({ cwd: '/repo/sub', findings: [...sampleInput().findings].reverse().map((f) => ({ ...f, file: `../${f.file}` })) })));
    expect(report).toEqual({
      version: 1,
      tool: { name: 'keywarden', version: '1.2.3' },
      summary: { errors: 4, warnings: 1, notes: 0, filesChecked: 2, filesWithFindings: 2, keysChecked: 2, failOn: 'error', failed: true },
      findings: [
        { ruleId: 'KW006', severity: 'warning', message: 'No owner is named', file: '../keys/billing.yaml', uri: 'keys/billing.yaml', line: 5, column: 1, path: 'spec' },
        { ruleId: 'KW002', severity: 'error', message: 'Scope "invoices:*" is a wildcard', file: '../keys/billing.yaml', uri: 'keys/billing.yaml', line: 8, column: 28, path: 'spec.scopes[1]', key: 'production-order-bot' },
        { ruleId: 'KW002', severity: 'error', message: 'Scope "invoices:*" is a wildcard', file: '../keys/billing.yaml', uri: 'keys/billing.yaml', line: 8, column: 28, path: 'spec.scopes[1]', key: 'staging-order-bot' },
        { ruleId: 'KW005', severity: 'error', message: 'allowedCidrs contains 0.0.0.0/0, which allows every address', file: '../keys/billing.yaml', uri: 'keys/billing.yaml', line: 11, column: 22, path: 'spec.environments.production.allowedCidrs[0]', key: 'production-order-bot' },
        { ruleId: 'KWS001', severity: 'error', message: 'Flow sequence in block collection must be sufficiently indented and end with a ]', file: '../keys/search.yaml', uri: 'keys/search.yaml', line: 4, column: 9, path: 'metadata.name' },
      ],
      rules: [
        ...RULES,
        { id: 'KWS001', title: 'YAML syntax error', severity: 'error', help: 'Fix the YAML at the position shown.', rationale: 'A file that does not parse cannot be checked.' },
      ],
    });
  });

  it('reports a clean run as not failed, and warnings as failed only at --fail-on warning', () => {
    const warningOnly = sampleInput({ findings: sampleInput().findings.filter((f) => f.severity === 'warning') });
    expect(jsonReport(warningOnly).summary.failed).toBe(false);
    expect(jsonReport({ ...warningOnly, failOn: 'warning' }).summary).toMatchObject({ failOn: 'warning', failed: true, warnings: 1 });
    expect(jsonReport(sampleInput({ findings: [] })).summary).toEqual({
      errors: 0, warnings: 0, notes: 0, filesChecked: 2, filesWithFindings: 0, keysChecked: 2, failOn: 'error', failed: false,
    });
  });

  it('describes an unknown code generically rather than dropping it', () => {
    const report = jsonReport(sampleInput({ errorCatalog: [], findings: [{ ruleId: 'KWP003', severity: 'error', message: 'm', file: 'p.yaml', line: 1, column: 1, path: '' }] }));
    expect(report.rules.at(-1)).toMatchObject({ id: 'KWP003', title: 'Policy cannot be loaded', severity: 'error' });
  });
});
