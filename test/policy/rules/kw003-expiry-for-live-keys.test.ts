import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

describe('KW003 live keys expire', () => {
  it('accepts a live key that expires within the maximum lifetime', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings, 'KW003')).toEqual([]);
  });

  it('reports a live key without expiresAfter at its environment, and not the test key', () => {
    const spec = COMPLIANT.replace('  expiresAfter: 180d\n', '');
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings)).toEqual(['KW003 a.yaml:13:5']);
    expect(result.findings[0]?.message).toBe('live key production-order-bot never expires: set expiresAfter (at most 365d)');
  });

  it('reports a lifetime over the maximum once, at the spec-level value', () => {
    const spec = COMPLIANT.replace('expiresAfter: 180d', 'expiresAfter: 400d');
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings)).toEqual(['KW003 a.yaml:11:17']);
    expect(result.findings[0]?.message).toBe('expiresAfter 400d is longer than the maximum lifetime 365d: shorten it');
  });

  it('uses the project\'s maxLifetime parameter', () => {
    const project = [
      'apiVersion: keywarden.dev/v1alpha1',
      'kind: Project',
      'policy:',
      '  rules:',
      '    KW003: { params: { maxLifetime: 90d } }',
      '',
    ].join('\n');
    expect(at(check({ 'a.yaml': COMPLIANT }, project).findings)).toEqual(['KW003 a.yaml:11:17']);
  });
});
