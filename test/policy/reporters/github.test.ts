import { describe, expect, it } from '@jest/globals';
import { escapeData, escapeProperty, renderGithub } from '../../../src/policy/reporters/github.js';
import { sampleInput } from './sample.js';

describe('GitHub workflow command reporter', () => {
  it('writes one annotation per finding with file, line, col and title', () => {
    expect(renderGithub(sampleInput()).split('\n')).toEqual([
      '::warning file=keys/billing.yaml,line=5,col=1,title=KW006 Owner named::No owner is named (spec)',
      '::error file=keys/billing.yaml,line=8,col=28,title=KW002 No wildcard scopes::Scope "invoices:*" is a wildcard (key production-order-bot, spec.scopes[1])',
      '::error file=keys/billing.yaml,line=8,col=28,title=KW002 No wildcard scopes::Scope "invoices:*" is a wildcard (key staging-order-bot, spec.scopes[1])',
      '::error file=keys/billing.yaml,line=11,col=22,title=KW005 IP allowlist for live keys::allowedCidrs contains 0.0.0.0/0, which allows every address (key production-order-bot, spec.environments.production.allowedCidrs[0])',
      '::error file=keys/search.yaml,line=4,col=9,title=KWS001 YAML syntax error::Flow sequence in block collection must be sufficiently indented and end with a ] (metadata.name)',
      '',
    ]);
  });

  it('escapes percent signs and line breaks in messages, and also commas and colons in properties', () => {
    expect(escapeData('100% sure\r\nnext: a, b')).toBe('100%25 sure%0D%0Anext: a, b');
    expect(escapeProperty('keys/a,b:c%\n.yaml')).toBe('keys/a%2Cb%3Ac%25%0A.yaml');
    const out = renderGithub(
      sampleInput({
        findings: [{ ruleId: 'KW006', severity: 'note', message: '50% done\nsecond line', file: 'keys/a,b:c.yaml', line: 0, column: 0, path: '' }],
        rules: [{ id: 'KW006', title: 'Owner: named, please', severity: 'note', help: 'h', rationale: 'r' }],
      }),
    );
    expect(out.split('\n')[0]).toBe('::notice file=keys/a%2Cb%3Ac.yaml,line=1,col=1,title=KW006 Owner%3A named%2C please::50%25 done%0Asecond line');
  });

  it('prints nothing when there is nothing to annotate', () => {
    expect(renderGithub(sampleInput({ findings: [] }))).toBe('');
  });
});
