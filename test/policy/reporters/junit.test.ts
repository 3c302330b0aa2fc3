import { describe, expect, it } from '@jest/globals';
import { escapeXml, renderJunit } from '../../../src/policy/reporters/junit.js';
import { FINDINGS, sampleInput } from './sample.js';

describe('JUnit reporter', () => {
  it('writes a suite per rule, a failing case per finding and load errors as errors', () => {
    expect(renderJunit(sampleInput())).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="keywarden check: 4 errors, 1 warning in 2 files (2 keys checked)" tests="5" failures="3" errors="1">',
        '  <testsuite name="load" tests="1" failures="0" errors="1" skipped="0">',
        '    <testcase classname="keys/search.yaml" name="keys/search.yaml metadata.name" file="keys/search.yaml" line="4">',
        '      <error type="KWS001" message="Flow sequence in block collection must be sufficiently indented and end with a ]">keys/search.yaml:4:9 error KWS001: Flow sequence in block collection must be sufficiently indented and end with a ]',
        'Fix the YAML at the position shown.</error>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="KW002 No wildcard scopes" tests="2" failures="2" errors="0" skipped="0">',
        '    <testcase classname="keys/billing.yaml" name="production-order-bot spec.scopes[1]" file="keys/billing.yaml" line="8">',
        '      <failure type="KW002" message="Scope &quot;invoices:*&quot; is a wildcard">keys/billing.yaml:8:28 error KW002: Scope &quot;invoices:*&quot; is a wildcard',
        'List each scope the integration needs, e.g. `invoices:read`.</failure>',
        '    </testcase>',
        '    <testcase classname="keys/billing.yaml" name="staging-order-bot spec.scopes[1]" file="keys/billing.yaml" line="8">',
        '      <failure type="KW002" message="Scope &quot;invoices:*&quot; is a wildcard">keys/billing.yaml:8:28 error KW002: Scope &quot;invoices:*&quot; is a wildcard',
        'List each scope the integration needs, e.g. `invoices:read`.</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="KW005 IP allowlist for live keys" tests="1" failures="1" errors="0" skipped="0">',
        '    <testcase classname="keys/billing.yaml" name="production-order-bot spec.environments.production.allowedCidrs[0]" file="keys/billing.yaml" line="11">',
        '      <failure type="KW005" message="allowedCidrs contains 0.0.0.0/0, which allows every address">keys/billing.yaml:11:22 error KW005: allowedCidrs contains 0.0.0.0/0, which allows every address',
        'Give `allowedCidrs` with the networks the integration calls from.</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="KW006 Owner named" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="keys/billing.yaml" name="keys/billing.yaml spec" file="keys/billing.yaml" line="5">',
        '      <system-out>keys/billing.yaml:5:1 warning KW006: No owner is named',
        'Set `spec.owner` to a team address.</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('turns warnings into failures when the threshold is warning', () => {
    const xml = renderJunit(sampleInput({ failOn: 'warning' }));
    expect(xml).toContain('<testsuite name="KW006 Owner named" tests="1" failures="1" errors="0" skipped="0">');
    expect(xml).toContain('tests="5" failures="4" errors="1">');
  });

  it('lists a passing case for each rule without findings', () => {
    expect(renderJunit(sampleInput({ findings: [] }))).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="keywarden check: No problems in 2 files (2 keys checked)" tests="3" failures="0" errors="0">',
        '  <testsuite name="KW002 No wildcard scopes" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="keywarden" name="KW002 No wildcard scopes"/>',
        '  </testsuite>',
        '  <testsuite name="KW005 IP allowlist for live keys" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="keywarden" name="KW005 IP allowlist for live keys"/>',
        '  </testsuite>',
        '  <testsuite name="KW006 Owner named" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="keywarden" name="KW006 Owner named"/>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u0007ok\n`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;ok&#10;');
    const xml = renderJunit(
      sampleInput({ findings: [{ ...FINDINGS[1]!, message: 'bad <scope> & "quote"\u0001', key: 'k<1>' }] }),
    );
    expect(xml).toContain('name="k&lt;1&gt; spec.scopes[1]"');
    expect(xml).toContain('message="bad &lt;scope&gt; &amp; &quot;quote&quot;"');
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
  });
});
