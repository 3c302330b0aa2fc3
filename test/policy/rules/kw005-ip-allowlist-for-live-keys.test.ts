import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

describe('KW005 live keys have an IP allowlist', () => {
  it('accepts a live key with an allowlist and a test key without one', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings)).toEqual([]);
  });

  it('reports a live key without an allowlist at its environment', () => {
    const result = check({ 'a.yaml': COMPLIANT.replace('      allowedCidrs: [203.0.113.0/24]\n', '') });
    expect(at(result.findings)).toEqual(['KW005 a.yaml:14:5']);
    expect(result.findings[0]?.message).toBe('live key production-order-bot can be used from any address: set allowedCidrs to the networks the integration calls from');
  });

  it('reports an empty allowlist', () => {
    expect(at(check({ 'a.yaml': COMPLIANT.replace('allowedCidrs: [203.0.113.0/24]', 'allowedCidrs: []') }).findings)).toEqual(['KW005 a.yaml:15:21']);
  });

  it.each([['0.0.0.0/0'], ['::/0']])('reports %s in the allowlist', (cidr) => {
    const result = check({ 'a.yaml': COMPLIANT.replace('allowedCidrs: [203.0.113.0/24]', `allowedCidrs: [203.0.113.0/24, "${cidr}"]`) });
    expect(at(result.findings)).toEqual(['KW005 a.yaml:15:38']);
    expect(result.findings[0]?.message).toBe(`allowlist entry ${cidr} admits every address: list the integration's own networks instead`);
  });
});
