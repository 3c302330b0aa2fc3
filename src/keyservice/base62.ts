// Base62 (0-9, A-Z, a-z): random strings without modulo bias, and fixed-width integers.
import { randomBytes } from 'node:crypto';

/** The 62 characters, in value order. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Largest multiple of 62 that fits in a byte: bytes at or above it are discarded (rejection sampling). */
const UNBIASED_BYTE_LIMIT = 62 * 4; // 248

/** Bits of entropy per uniformly random base62 character (log2 62 ≈ 5.954). */
export const BITS_PER_BASE62_CHAR = Math.log2(62);

/**
 * `length` uniformly random base62 characters from `source` (crypto.randomBytes by default).
 * Each character comes from one byte below 248, taken modulo 62, so every character is equally likely.
 */
export function randomBase62(length: number, source: (size: number) => Uint8Array = randomBytes): string {
  let out = '';
  while (out.length < length) {
    // 248/256 of bytes are kept: ask for a little more than needed to usually finish in one draw.
    const bytes = source(Math.ceil((length - out.length) * 1.1) + 2);
    for (const byte of bytes) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** `value` (a non-negative safe integer) in base62, left-padded with '0' to `width` characters. */
export function encodeBase62Int(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative safe integer: ${value}`);
  let out = '';
  let rest = value;
  do {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  if (out.length > width) throw new RangeError(`${value} needs more than ${width} base62 characters`);
  return out.padStart(width, '0');
}

/** True when every character of `text` is in the base62 alphabet. */
export function isBase62(text: string): boolean {
  return /^[0-9A-Za-z]*$/.test(text);
}
