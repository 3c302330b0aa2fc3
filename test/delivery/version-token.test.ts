import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { versionIdFromToken, versionToken } from '../../src/delivery/index.js';

describe('version tokens for Secrets Manager', () => {
  it('keeps ids that are already valid tokens', () => {
    expect(versionToken('6f1c2a7e-3b7d-4f0e-9a43-1d2c3b4a5e6f')).toBe('6f1c2a7e-3b7d-4f0e-9a43-1d2c3b4a5e6f');
  });

  it('encodes short ids into 32 to 64 characters', () => {
    expect(versionToken('v1')).toBe(`kwv-7631-${'0'.repeat(23)}`);
    expect(versionToken('v1')).toHaveLength(32);
  });

  it('refuses ids that fit neither rule', () => {
    expect(versionToken('')).toBeUndefined();
    expect(versionToken('é'.repeat(20))).toBeUndefined();
    expect(versionToken('a'.repeat(65))).toBeUndefined();
  });

  it('maps every id it accepts to a 32–64 character token and back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[A-Za-z0-9_-]{0,70}$/)), (id) => {
        const token = versionToken(id);
        if (token === undefined) return;
        expect(token.length).toBeGreaterThanOrEqual(32);
        expect(token.length).toBeLessThanOrEqual(64);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(versionIdFromToken(token)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it('gives different ids different tokens', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        const ta = versionToken(a);
        const tb = versionToken(b);
        if (a !== b && ta !== undefined && tb !== undefined) expect(ta).not.toBe(tb);
      }),
    );
  });
});
