// A hand-built check result shared by the reporter tests: two spec files, three rules, a
// spec-level finding repeated for two keys, a warning, and a load error.
import type { Finding, RuleDescriptor } from '../../../src/policy/finding.js';
import type { ReportInput } from '../../../src/policy/reporters/report.js';

export const BILLING = [
  'apiVersion: keywarden.dev/v1alpha1',
  'kind: ApiKey',
  'metadata:',
  '  name: order-bot-billing',
  'spec:',
  '  integration: order-bot',
  '  service: billing',
  '  scopes: [invoices:read, "invoices:*"]',
  '  environments:',
  '    production:',
  '      allowedCidrs: [0.0.0.0/0]',
  '    staging: {}',
  '',
].join('\n');

export const SEARCH = ['apiVersion: keywarden.dev/v1alpha1', 'kind: ApiKey', 'metadata:', '  name: [search', ''].join('\n');

export const RULES: RuleDescriptor[] = [
  {
    id: 'KW002',
    title: 'No wildcard scopes',
    severity: 'error',
    help: 'List each scope the integration needs, e.g. `invoices:read`.',
    rationale: 'A wildcard grants actions nobody reviewed.',
    helpUri: 'https://keywarden.dev/rules/KW002',
  },
  {
    id: 'KW005',
    title: 'IP allowlist for live keys',
    severity: 'error',
    help: 'Give `allowedCidrs` with the networks the integration calls from.',
    rationale: 'A leaked live key is useless outside its networks.',
  },
  {
    id: 'KW006',
    title: 'Owner named',
    severity: 'warning',
    help: 'Set `spec.owner` to a team address.',
    rationale: 'Someone must answer for the key.',
  },
];

export const FINDINGS: Finding[] = [
  {
    ruleId: 'KW006',
    severity: 'warning',
    message: 'No owner is named',
    file: 'keys/billing.yaml',
    line: 5,
    column: 1,
    path: 'spec',
  },
  {
    ruleId: 'KW002',
    severity: 'error',
    message: 'Scope "invoices:*" is a wildcard',
    file: 'keys/billing.yaml',
    line: 8,
    column: 28,
    path: 'spec.scopes[1]',
    key: 'staging-order-bot',
  },
  {
    ruleId: 'KW002',
    severity: 'error',
    message: 'Scope "invoices:*" is a wildcard',
    file: 'keys/billing.yaml',
    line: 8,
    column: 28,
    path: 'spec.scopes[1]',
    key: 'production-order-bot',
  },
  {
    ruleId: 'KW005',
    severity: 'error',
    message: 'allowedCidrs contains 0.0.0.0/0, which allows every address',
    file: 'keys/billing.yaml',
    line: 11,
    column: 22,
    path: 'spec.environments.production.allowedCidrs[0]',
    key: 'production-order-bot',
  },
  {
    ruleId: 'KWS001',
    severity: 'error',
    message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
    file: 'keys/search.yaml',
    line: 4,
    column: 9,
    path: 'metadata.name',
  },
];

export function sampleInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    findings: FINDINGS,
    rules: RULES,
    sources: new Map([
      ['keys/billing.yaml', BILLING],
      ['keys/search.yaml', SEARCH],
    ]),
    root: '/repo',
    cwd: '/repo',
    keysChecked: 2,
    toolVersion: '1.2.3',
    errorCatalog: [
      {
        id: 'KWS001',
        title: 'YAML syntax error',
        severity: 'error',
        help: 'Fix the YAML at the position shown.',
        rationale: 'A file that does not parse cannot be checked.',
      },
    ],
    ...overrides,
  };
}
