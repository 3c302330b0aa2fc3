import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

describe('KW006 an owner is named', () => {
  it('accepts a spec-level owner inherited by every environment', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings)).toEqual([]);
  });

  it('reports every key without an owner at its environment', () => {
    const result = check({ 'a.yaml': COMPLIANT.replace('  owner: payments@example.com\n', '') });
    expect(at(result.findings)).toEqual(['KW006 a.yaml:13:5', 'KW006 a.yaml:17:5']);
    expect(result.findings.map((f) => f.message)).toEqual([
      'key production-order-bot has no owner: set owner to the team or person who answers for it',
      'key development-order-bot has no owner: set owner to the team or person who answers for it',
    ]);
  });

  it('accepts an owner given per environment only where it is given', () => {
    const spec = COMPLIANT.replace('  owner: payments@example.com\n', '').replace('    development:\n', '    development:\n      owner: dev-team@example.com\n');
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual(['KW006 a.yaml:13:5']);
  });

  it('reports a blank owner once', () => {
    expect(at(check({ 'a.yaml': COMPLIANT.replace('owner: payments@example.com', 'owner: "  "') }).findings)).toEqual(['KW006 a.yaml:8:10']);
  });
});
