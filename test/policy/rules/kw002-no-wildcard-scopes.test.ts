import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

describe('KW002 no wildcard scopes', () => {
  it('accepts scopes listed by name', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings, 'KW002')).toEqual([]);
  });

  it.each([['*'], ['invoices:*'], ['*:read'], ['admin.*']])('reports the wildcard scope %s once, although two environments inherit it', (scope) => {
    const spec = COMPLIANT.replace('scopes: [invoices:read, payouts:write]', `scopes: [invoices:read, "${scope}"]`);
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings, 'KW002')).toEqual(['KW002 a.yaml:9:27']);
    expect(result.findings.find((f) => f.ruleId === 'KW002')?.message).toBe(`scope "${scope}" is a wildcard: replace it with the scopes the integration needs, by name`);
  });

  it('reports an empty scope list once where it is written', () => {
    const spec = COMPLIANT.replace('scopes: [invoices:read, payouts:write]', 'scopes: []');
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings, 'KW002')).toEqual(['KW002 a.yaml:9:11']);
    expect(result.findings[0]?.message).toBe('the key has no scopes: list the scopes it needs, e.g. [invoices:read]');
  });

  it('reports a key without any scopes at its environment', () => {
    const spec = COMPLIANT.replace('  scopes: [invoices:read, payouts:write]\n', '').replace('    development:\n', '    development:\n      scopes: [invoices:read]\n');
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual(['KW002 a.yaml:13:5']);
  });

  it('points at the environment override when an environment sets its own scopes', () => {
    const spec = COMPLIANT.replace('    development:\n', '    development:\n      scopes: [invoices:read, "invoices:*"]\n');
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual(['KW002 a.yaml:19:31']);
  });
});
