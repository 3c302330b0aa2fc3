import { describe, expect, it } from '@jest/globals';
import { render } from '../../../src/policy/reporters/index.js';
import { renderText } from '../../../src/policy/reporters/text.js';
import { FINDINGS, sampleInput } from './sample.js';

const ESC = '\u001b';

describe('text reporter', () => {
  it('groups findings by file with position, severity, rule, key, field and one code frame per position', () => {
    expect(renderText(sampleInput())).toBe(
      [
        'keys/billing.yaml',
        '  5:1  warning  No owner is named  KW006',
        '    spec',
        '      4 |   name: order-bot-billing',
        '    > 5 | spec:',
        '        | ^',
        '      6 |   integration: order-bot',
        '  8:28  error  Scope "invoices:*" is a wildcard  KW002',
        '    key production-order-bot · spec.scopes[1]',
        '      7 |   service: billing',
        '    > 8 |   scopes: [invoices:read, "invoices:*"]',
        '        |                            ^',
        '      9 |   environments:',
        '  8:28  error  Scope "invoices:*" is a wildcard  KW002',
        '    key staging-order-bot · spec.scopes[1]',
        '  11:22  error  allowedCidrs contains 0.0.0.0/0, which allows every address  KW005',
        '    key production-order-bot · spec.environments.production.allowedCidrs[0]',
        '      10 |     production:',
        '    > 11 |       allowedCidrs: [0.0.0.0/0]',
        '         |                      ^',
        '      12 |     staging: {}',
        '',
        'keys/search.yaml',
        '  4:9  error  Flow sequence in block collection must be sufficiently indented and end with a ]  KWS001',
        '    metadata.name',
        '      3 | metadata:',
        '    > 4 |   name: [search',
        '        |         ^',
        '      5 |',
        '',
        '4 errors, 1 warning in 2 files (2 keys checked)',
        '',
      ].join('\n'),
    );
  });

  it('prints only the summary for a clean run', () => {
    expect(renderText(sampleInput({ findings: [] }))).toBe('No problems in 2 files (2 keys checked)\n');
    expect(renderText(sampleInput({ findings: [], keysChecked: 1, filesChecked: 1 }))).toBe('No problems in 1 file (1 key checked)\n');
  });

  it('counts notes and singular words in the summary line', () => {
    const one = sampleInput({ findings: [FINDINGS[1]!, { ...FINDINGS[0]!, severity: 'note' }], keysChecked: undefined });
    expect(renderText(one).trimEnd().split('\n').at(-1)).toBe('1 error, 0 warnings, 1 note in 1 file');
  });

  it('shows the finding without a frame when the source is not at hand', () => {
    const out = renderText(sampleInput({ findings: [FINDINGS[0]!], sources: new Map() }));
    expect(out).toBe(['keys/billing.yaml', '  5:1  warning  No owner is named  KW006', '    spec', '', '0 errors, 1 warning in 1 file (2 keys checked)', ''].join('\n'));
  });

  it('adds ANSI colour only when asked', () => {
    expect(render('text', sampleInput())).not.toContain(ESC);
    const coloured = render('text', sampleInput(), { color: true });
    expect(coloured).toContain(`${ESC}[31merror${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[33mwarning${ESC}[39m`);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderText(sampleInput()));
  });
});
