import { describe, expect, it, jest } from '@jest/globals';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { BASE62_ALPHABET, encodeBase62Int, randomBase62 } from '../../src/keyservice/base62.js';
import {
  CHECKSUM_LENGTH,
  RANDOM_BITS,
  RANDOM_LENGTH,
  digestKey,
  displayPrefix,
  generateKey,
  parseKey,
  safeEqual,
  validatePrefix,
} from '../../src/keyservice/key-format.js';

describe('key format', () => {
  it('generates keys of the form <prefix>_<mode>_<random><checksum> that parse back', () => {
    for (const mode of ['live', 'test'] as const) {
      const key = generateKey('kw', mode);
      expect(key).toMatch(new RegExp(`^kw_${mode}_[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`));
      const parsed = parseKey(key, 'kw');
      expect(parsed).toEqual({ ok: true, prefix: 'kw', mode, random: key.slice(`kw_${mode}_`.length, -CHECKSUM_LENGTH) });
    }
  });

  it('carries at least 128 bits of randomness', () => {
    expect(RANDOM_BITS).toBeGreaterThanOrEqual(128);
  });

  it('never generates the same key twice in many draws', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey('kw', 'live')));
    expect(keys.size).toBe(2000);
  });

  it('rejects any one-character change, whatever the position and replacement', () => {
    const alphabet = `${BASE62_ALPHABET}_`;
    fc.assert(
      fc.property(
        fc.constantFrom('live' as const, 'test' as const),
        fc.nat(),
        fc.nat(alphabet.length - 1),
        (mode, position, replacement) => {
          const key = generateKey('kw', mode);
          const at = position % key.length;
          const ch = alphabet[replacement]!;
          fc.pre(key[at] !== ch);
          const forged = key.slice(0, at) + ch + key.slice(at + 1);
          const parsed = parseKey(forged, 'kw');
          expect(parsed.ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects a valid key presented with another expected prefix', () => {
    const key = generateKey('acme', 'live');
    expect(parseKey(key, 'acme').ok).toBe(true);
    expect(parseKey(key, 'kw')).toEqual({ ok: false, code: 'MALFORMED', reason: 'prefix' });
  });

  it('answers MALFORMED with a reason for texts that are not keys, never throwing', () => {
    const good = generateKey('kw', 'test');
    const cases: Array<[unknown, string]> = [
      [undefined, 'length'],
      [42, 'length'],
      ['', 'shape'],
      ['kw_live', 'shape'],
      ['kw_live_a_b', 'shape'],
      [`KW${good.slice(2)}`, 'prefix'],
      [good.replace('_test_', '_prod_'), 'mode'],
      [good.slice(0, -1), 'length'],
      [`${good.slice(0, -1)}-`, 'alphabet'],
      [`${good}x`.repeat(20), 'length'],
    ];
    for (const [text, reason] of cases) {
      expect(parseKey(text)).toEqual({ ok: false, code: 'MALFORMED', reason });
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseKey(text);
        if (!parsed.ok) expect(parsed.code).toBe('MALFORMED');
      }),
    );
  });

  it('validates deployment prefixes: 1–16 lowercase letters or digits', () => {
    expect(validatePrefix('kw')).toEqual([]);
    expect(validatePrefix('a1b2c3d4e5f6g7h8')).toEqual([]);
    expect(validatePrefix('')).toHaveLength(1);
    expect(validatePrefix('a'.repeat(17))).toHaveLength(1);
    expect(validatePrefix('Kw')).toHaveLength(1);
    expect(validatePrefix('k_w')).toHaveLength(1);
    expect(validatePrefix('K_'.repeat(10))).toHaveLength(2);
    expect(validatePrefix(7)).toHaveLength(1);
    expect(() => generateKey('k_w', 'live')).toThrow(TypeError);
    expect(() => generateKey('kw', 'prod' as 'live')).toThrow(TypeError);
  });

  it('shows only a short non-secret display prefix', () => {
    const key = generateKey('kw', 'live');
    const shown = displayPrefix(key);
    expect(shown).toBe(key.slice(0, 'kw_live_'.length + 4));
    expect(RANDOM_BITS - 4 * Math.log2(62)).toBeGreaterThanOrEqual(128);
    expect(displayPrefix('not a key at all')).toBe('[malformed]');
  });

  it('digests with SHA-256 without a pepper and HMAC-SHA-256 with one', () => {
    const key = generateKey('kw', 'live');
    expect(digestKey(key)).toBe(crypto.createHash('sha256').update(key).digest('hex'));
    expect(digestKey(key, 'pepper')).toBe(crypto.createHmac('sha256', 'pepper').update(key).digest('hex'));
    expect(digestKey(key, 'pepper')).not.toBe(digestKey(key, 'other pepper'));
    expect(digestKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compares with crypto.timingSafeEqual, also when the lengths differ', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect(safeEqual('abc', 'abc')).toBe(true);
      expect(safeEqual('abc', 'abd')).toBe(false);
      expect(safeEqual('abc', 'abcd')).toBe(false);
      expect(spy).toHaveBeenCalledTimes(3);
    } catch (error) {
      spy.mockRestore();
      throw error;
    }
    spy.mockRestore();
  });
});

describe('base62', () => {
  it('draws every character with equal probability (rejection sampling, no modulo bias)', () => {
    // Feed every byte value 0..255 once: exactly the 248 bytes below 248 are used, four per character.
    let fed = false;
    const allBytes = (size: number): Uint8Array => {
      if (fed) throw new Error(`asked for ${size} more bytes`);
      fed = true;
      return Uint8Array.from({ length: 256 }, (_, i) => i);
    };
    const drawn = randomBase62(248, allBytes);
    const counts = new Map<string, number>();
    for (const ch of drawn) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(new Set(counts.values())).toEqual(new Set([4]));
  });

  it('keeps drawing when bytes are rejected', () => {
    let calls = 0;
    const mostlyRejected = (size: number): Uint8Array => {
      calls += 1;
      return Uint8Array.from({ length: size }, (_, i) => (i === 0 ? 61 : 250));
    };
    expect(randomBase62(3, mostlyRejected)).toBe('zzz');
    expect(calls).toBe(3);
  });

  it('encodes integers at a fixed width and refuses ones that do not fit', () => {
    expect(encodeBase62Int(0, 6)).toBe('000000');
    expect(encodeBase62Int(61, 2)).toBe('0z');
    expect(encodeBase62Int(0xffffffff, 6)).toBe('4gfFC3');
    expect(() => encodeBase62Int(62 ** 2, 2)).toThrow(RangeError);
  });
});
