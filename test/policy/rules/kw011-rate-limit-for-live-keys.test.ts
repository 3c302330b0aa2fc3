import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

describe('KW011 live keys have a rate limit', () => {
  it('accepts a live key with a rate limit', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings)).toEqual([]);
  });

  it('reports a live key without a rate limit at its environment, and not the test key', () => {
    const result = check({ 'a.yaml': COMPLIANT.replace('  rateLimit: { requests: 100, per: 1m }\n', '') });
    expect(at(result.findings)).toEqual(['KW011 a.yaml:13:5']);
    expect(result.findings[0]?.message).toBe('live key production-order-bot has no rate limit: set rateLimit, e.g. { requests: 10000, per: 1h }');
  });

  it('accepts a rate limit given in the live environment only', () => {
    const spec = COMPLIANT.replace('  rateLimit: { requests: 100, per: 1m }\n', '').replace('      allowedCidrs: [203.0.113.0/24]\n', '      allowedCidrs: [203.0.113.0/24]\n      rateLimit: { requests: 5, per: 1s }\n');
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual([]);
  });
});
