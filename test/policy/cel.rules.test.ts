import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT, yaml } from './fixture.js';

/** A project file whose policy section holds `customRules` (lines from line 5 on). */
function project(...ruleLines: string[]): string {
  return yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: Project', 'policy:', '  customRules:', ...ruleLines);
}

describe('custom CEL rules', () => {
  it('fire on the keys their match selects, at the field they name, with their message and severity', () => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project(
        '    - id: ACME001',
        '      title: Live keys rotate monthly or faster',
        '      severity: warning',
        '      match: { modes: [live] }',
        '      expression: key.rotation.everySeconds < seconds("30d")',
        '      message: live keys rotate more often than every 30 days',
        '      field: rotation',
      ),
    );
    expect(at(result.findings)).toEqual(['ACME001 a.yaml:12:13']);
    expect(result.findings[0]).toMatchObject({ severity: 'warning', message: 'live keys rotate more often than every 30 days', key: 'production-order-bot' });
    expect(result.rules.find((r) => r.id === 'ACME001')).toMatchObject({ title: 'Live keys rotate monthly or faster', severity: 'warning' });
  });

  it('match by environment, service, integration and labels', () => {
    const labelled = COMPLIANT.replace('  name: order-bot-billing\n', '  name: order-bot-billing\n  labels: { team: payments }\n');
    const rule = (match: string) =>
      project('    - id: ACME002', `      match: ${match}`, '      expression: "false"', '      message: matched');
    const keysHit = (match: string) => check({ 'a.yaml': labelled }, rule(match)).findings.map((f) => f.key);
    expect(keysHit('{ environments: [development] }')).toEqual(['development-order-bot']);
    expect(keysHit('{ services: [billing], integrations: [order-bot], modes: [test] }')).toEqual(['development-order-bot']);
    expect(keysHit('{ labels: { team: payments } }')).toEqual(['production-order-bot', 'development-order-bot']);
    expect(keysHit('{ labels: { team: growth } }')).toEqual([]);
    expect(keysHit('{ services: [shipping] }')).toEqual([]);
  });

  it('build the message with messageExpression', () => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project('    - id: ACME003', '      expression: size(key.scopes) < 2', '      messageExpression: "\'key \' + key.name + \' has \' + string(size(key.scopes)) + \' scopes\'"', '      field: scopes'),
    );
    // Both keys inherit the spec-level scopes: one location, two different messages.
    expect(at(result.findings)).toEqual(['ACME003 a.yaml:9:11', 'ACME003 a.yaml:9:11']);
    expect(result.findings.map((f) => f.message)).toEqual(['key development-order-bot has 2 scopes', 'key production-order-bot has 2 scopes']);
  });

  it('report an expression that fails to evaluate as a finding that says so', () => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project('    - id: ACME004', '      match: { modes: [test] }', '      expression: key.allowedCidrs.all(c, isCidr(c))', '      message: bad'),
    );
    expect(at(result.findings)).toEqual(['ACME004 a.yaml:18:5']);
    expect(result.findings[0]?.message).toMatch(/^custom rule ACME004 could not be evaluated for key development-order-bot: .*guard optional fields with has\(\)/);
  });

  it('can be disabled or given another severity under rules', () => {
    const rules = (setting: string) =>
      yaml(
        'apiVersion: keywarden.dev/v1alpha1',
        'kind: Project',
        'policy:',
        '  rules:',
        `    ACME005: ${setting}`,
        '  customRules:',
        '    - id: ACME005',
        '      expression: "false"',
        '      message: never',
      );
    expect(check({ 'a.yaml': COMPLIANT }, rules('{ enabled: false }')).findings).toEqual([]);
    expect(check({ 'a.yaml': COMPLIANT }, rules('{ severity: note }')).findings.map((f) => f.severity)).toEqual(['note', 'note']);
  });
});

describe('CEL helpers', () => {
  const cases: [string, boolean][] = [
    ['isCidr("203.0.113.0/24") && !isCidr("203.0.113.1/24") && !isCidr("nonsense")', true],
    ['cidrPrefix("10.0.0.0/8") == 8 && cidrPrefix("2001:db8::/32") == 32', true],
    ['inCidr("203.0.113.7", "203.0.113.0/24") && !inCidr("198.51.100.1", "203.0.113.0/24") && !inCidr("::1", "0.0.0.0/0")', true],
    ['cidrContains("10.0.0.0/8", "10.1.0.0/16") && !cidrContains("10.1.0.0/16", "10.0.0.0/8")', true],
    ['cidrRange("10.0.0.0/8") == "private" && cidrRange("203.0.113.0/24") == "reserved"', true],
    ['seconds("30d") == 2592000 && seconds("90m") == 5400 && isDuration("2w") && !isDuration("2 weeks")', true],
    ['scopeMatches("keys:write", "*:write") && scopeMatches("admin.*", "admin.users") && !scopeMatches("invoices:read", "keys:*")', true],
    ['key.allowedCidrs.all(c, cidrPrefix(c) >= 24) && key.expiresAfterSeconds == seconds(key.expiresAfter)', true],
    ['key.rateLimit.requests == 100 && key.rateLimit.perSeconds == 60 && key.delivery[0].kind == "awsSecretsManager"', true],
    ['key.mode == "live" && key.spec == "order-bot-billing" && key.file == "a.yaml" && "invoices:read" in key.scopes', true],
    ['key.name.startsWith("staging-")', false],
  ];
  it.each(cases)('%s is %s for the production key', (expression, expected) => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project('    - id: HELPER', '      match: { environments: [production] }', `      expression: ${JSON.stringify(expression)}`, '      message: failed'),
    );
    expect(result.errors).toEqual([]);
    expect(result.findings.length).toBe(expected ? 0 : 1);
  });

  it('a helper given a bad value makes the evaluation fail rather than pass', () => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project('    - id: HELPER', '      match: { environments: [production] }', '      expression: cidrPrefix("10.0.0.1/8") == 8', '      message: x'),
    );
    expect(result.findings[0]?.message).toContain('has host bits set');
  });
});

describe('CEL rules that do not compile', () => {
  it('are load errors at the line and column of the problem inside a block expression', () => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project('    - id: ACME010', '      expression: |', '        key.mode == "live"', '          && key.scopes.exists(s, s ==)', '      message: x'),
    );
    expect(at(result.errors)).toEqual(['KWP004 keywarden.yaml:8:24']);
    expect(result.errors[0]?.message).toMatch(/^the expression of custom rule ACME010 does not compile: /);
    expect(result.findings.map((f) => f.ruleId)).not.toContain('ACME010');
    expect(result.rules.map((r) => r.id)).not.toContain('ACME010');
  });

  it('name an unknown variable or function at its column in a one-line expression', () => {
    const variable = check({ 'a.yaml': COMPLIANT }, project('    - id: ACME011', '      expression: "size(keys.scopes) > 0"', '      message: x'));
    expect(at(variable.errors)).toEqual(['KWP004 keywarden.yaml:6:25']);
    expect(variable.errors[0]?.message).toContain('unknown variable "keys"');
    const func = check({ 'a.yaml': COMPLIANT }, project('    - id: ACME012', '      expression: key.scopes.all(s, isScope(s))', '      message: x'));
    expect(at(func.errors)).toEqual(['KWP004 keywarden.yaml:6:37']);
    expect(func.errors[0]?.message).toContain('unknown function "isScope"');
  });

  it('check messageExpression too', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project('    - id: ACME013', '      expression: "true"', '      messageExpression: "\'a\' +"'));
    expect(at(result.errors).map((e) => e.split(':')[0])).toEqual(['KWP004 keywarden.yaml']);
    expect(result.errors[0]?.message).toContain('the messageExpression of custom rule ACME013 does not compile');
  });

  it('refuse a reserved id, a duplicate id, and a rule with no message', () => {
    const result = check(
      { 'a.yaml': COMPLIANT },
      project(
        '    - id: KW900', // 5
        '      expression: "true"',
        '      message: x',
        '    - id: ACME020', // 8
        '      expression: "true"',
        '      message: x',
        '    - id: ACME020', // 11
        '      expression: "true"',
        '      message: y',
        '    - id: ACME021', // 14
        '      expression: "true"',
      ),
    );
    // The invalid rules are dropped; the valid ones still load (and the duplicate is caught).
    expect(at(result.errors)).toEqual(['KWP002 keywarden.yaml:5:11', 'KWP005 keywarden.yaml:11:11', 'KWP002 keywarden.yaml:14:7']);
    expect(result.errors[2]?.message).toBe('policy.customRules[3] needs one of: message, messageExpression');
    expect(result.rules.map((r) => r.id)).toContain('ACME020');
    const duplicate = check(
      { 'a.yaml': COMPLIANT },
      project('    - id: ACME020', '      expression: "true"', '      message: x', '    - id: ACME020', '      expression: "true"', '      message: y'),
    );
    expect(at(duplicate.errors)).toEqual(['KWP005 keywarden.yaml:8:11']);
  });
});
