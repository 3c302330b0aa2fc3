import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

function withRotation(rotation: string): string {
  return COMPLIANT.replace('  rotation: { every: 30d, overlap: 1h }', `  rotation: ${rotation}`);
}

describe('KW004 rotation is required', () => {
  it('accepts rotation every 30d with a 1h overlap, and a weekly schedule', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings)).toEqual([]);
    expect(at(check({ 'a.yaml': withRotation('{ schedule: "0 3 * * 0", overlap: 2h }') }).findings)).toEqual([]);
  });

  it('reports each key that is never rotated, at its environment', () => {
    const result = check({ 'a.yaml': COMPLIANT.replace('  rotation: { every: 30d, overlap: 1h }\n', '') });
    expect(at(result.findings)).toEqual(['KW004 a.yaml:13:5', 'KW004 a.yaml:17:5']);
    expect(result.findings[0]?.message).toMatch(/^key production-order-bot is never rotated: add rotation/);
  });

  it('reports an interval longer than the maximum', () => {
    const result = check({ 'a.yaml': withRotation('{ every: 120d, overlap: 1h }') });
    expect(at(result.findings)).toEqual(['KW004 a.yaml:12:22']);
    expect(result.findings[0]?.message).toBe('rotation every 120d is longer than the maximum interval 90d: rotate more often');
  });

  it('reports a cron schedule whose longest gap exceeds the maximum', () => {
    // 03:00 on the first day of January, April, July and October: gaps of up to 92 days.
    const result = check({ 'a.yaml': withRotation('{ schedule: "0 3 1 1,4,7,10 *", overlap: 1h }') });
    expect(at(result.findings)).toEqual(['KW004 a.yaml:12:25']);
    expect(result.findings[0]?.message).toContain('leaves up to 92d between rotations');
  });

  it('reports a missing overlap, a too-short overlap and an overlap not shorter than the interval', () => {
    expect(at(check({ 'a.yaml': withRotation('{ every: 30d }') }).findings)).toEqual(['KW004 a.yaml:12:13']);
    expect(at(check({ 'a.yaml': withRotation('{ every: 30d, overlap: 30m }') }).findings)).toEqual(['KW004 a.yaml:12:36']);
    const tooLong = check({ 'a.yaml': withRotation('{ every: 1d, overlap: 24h }') });
    expect(at(tooLong.findings)).toEqual(['KW004 a.yaml:12:35']);
    expect(tooLong.findings[0]?.message).toBe('rotation overlap 24h is not shorter than the rotation interval (1d): shorten the overlap');
  });

  it('takes maxInterval and minOverlap from the pack settings', () => {
    const project = [
      'apiVersion: keywarden.dev/v1alpha1',
      'kind: Project',
      'policy:',
      '  rules:',
      '    KW004: { params: { maxInterval: 7d, minOverlap: 2h } }',
      '',
    ].join('\n');
    expect(at(check({ 'a.yaml': COMPLIANT }, project).findings)).toEqual(['KW004 a.yaml:12:22', 'KW004 a.yaml:12:36']);
  });
});
