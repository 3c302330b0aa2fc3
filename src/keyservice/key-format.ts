// API key format: `<prefix>_<mode>_<random><checksum>`, e.g. `kw_live_3hT…`.
// - prefix: configurable per deployment, 1–16 lowercase letters or digits;
// - mode: `live` or `test`;
// - random: RANDOM_LENGTH base62 characters from crypto.randomBytes without modulo bias
//   (≈154.8 bits; ≈131 bits stay secret after the DISPLAY_RANDOM_CHARS shown in listings);
// - checksum: CRC32 of everything before it, as CHECKSUM_LENGTH fixed-width base62 characters,
//   so a mistyped, truncated or forged key is rejected before any database lookup.
// The secret is stored only as `digestKey(secret, pepper)`; compare digests with `safeEqual`.
// The default import (the module object) rather than named bindings lets tests observe that
// comparisons really go through crypto.timingSafeEqual.
import crypto from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BITS_PER_BASE62_CHAR, encodeBase62Int, isBase62, randomBase62 } from './base62.js';

export type KeyMode = 'live' | 'test';

/** The modes a key can have. */
export const KEY_MODES: readonly KeyMode[] = ['live', 'test'];
/** Random base62 characters per key. */
export const RANDOM_LENGTH = 26;
/** Base62 characters of the CRC32 checksum (62^6 > 2^32). */
export const CHECKSUM_LENGTH = 6;
/** Random characters shown in a display prefix (`kw_live_Ab12`). */
export const DISPLAY_RANDOM_CHARS = 4;
/** Bits of randomness in a key. */
export const RANDOM_BITS = RANDOM_LENGTH * BITS_PER_BASE62_CHAR;
/** Longest prefix allowed. */
export const MAX_PREFIX_LENGTH = 16;
/** Longest text `parseKey` looks at; anything longer is malformed without further work. */
export const MAX_KEY_LENGTH = MAX_PREFIX_LENGTH + '_live_'.length + RANDOM_LENGTH + CHECKSUM_LENGTH;
/** The default deployment prefix. */
export const DEFAULT_KEY_PREFIX = 'kw';

/** Why a text is not a key. Never contains the text itself. */
export type MalformedReason = 'length' | 'shape' | 'prefix' | 'mode' | 'alphabet' | 'checksum';

/** A well-formed key with a correct checksum. */
export interface ParsedKey {
  readonly ok: true;
  readonly prefix: string;
  readonly mode: KeyMode;
  /** The random part (secret). */
  readonly random: string;
}

/** Not a key of this deployment. `code` is always MALFORMED (the verify answer); `reason` is for logs and metrics. */
export interface MalformedKey {
  readonly ok: false;
  readonly code: 'MALFORMED';
  readonly reason: MalformedReason;
}

/** Problems with a deployment prefix (empty when valid). Never throws. */
export function validatePrefix(prefix: unknown): string[] {
  if (typeof prefix !== 'string') return ['key prefix must be a string'];
  const problems: string[] = [];
  if (prefix.length < 1 || prefix.length > MAX_PREFIX_LENGTH) {
    problems.push(`key prefix must be 1–${MAX_PREFIX_LENGTH} characters long (got ${prefix.length})`);
  }
  if (!/^[a-z0-9]*$/.test(prefix)) problems.push('key prefix may contain only lowercase letters a–z and digits 0–9');
  return problems;
}

function checksumOf(body: string): string {
  return encodeBase62Int(crc32(body), CHECKSUM_LENGTH);
}

/** A new secret key `<prefix>_<mode>_<random><checksum>`. Throws TypeError on an invalid prefix or mode (configuration errors). */
export function generateKey(prefix: string, mode: KeyMode): string {
  const problems = validatePrefix(prefix);
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  if (!KEY_MODES.includes(mode)) throw new TypeError(`key mode must be live or test (got ${String(mode)})`);
  const body = `${prefix}_${mode}_${randomBase62(RANDOM_LENGTH)}`;
  return body + checksumOf(body);
}

const MALFORMED_BY_REASON: { readonly [R in MalformedReason]: MalformedKey } = {
  length: { ok: false, code: 'MALFORMED', reason: 'length' },
  shape: { ok: false, code: 'MALFORMED', reason: 'shape' },
  prefix: { ok: false, code: 'MALFORMED', reason: 'prefix' },
  mode: { ok: false, code: 'MALFORMED', reason: 'mode' },
  alphabet: { ok: false, code: 'MALFORMED', reason: 'alphabet' },
  checksum: { ok: false, code: 'MALFORMED', reason: 'checksum' },
};

/**
 * Parses and checks a presented key without any lookup; with `expectedPrefix` (a valid prefix,
 * as the service's configuration is), other prefixes are malformed. Never throws. Runs on every
 * verify: no allocation beyond the parts it returns.
 */
export function parseKey(text: unknown, expectedPrefix?: string): ParsedKey | MalformedKey {
  if (typeof text !== 'string' || text.length > MAX_KEY_LENGTH) return MALFORMED_BY_REASON.length;
  const first = text.indexOf('_');
  const second = first < 0 ? -1 : text.indexOf('_', first + 1);
  if (first < 0 || second < 0 || text.indexOf('_', second + 1) >= 0) return MALFORMED_BY_REASON.shape;
  const prefix = text.slice(0, first);
  if (expectedPrefix !== undefined ? prefix !== expectedPrefix : validatePrefix(prefix).length > 0) return MALFORMED_BY_REASON.prefix;
  const mode = text.slice(first + 1, second);
  if (mode !== 'live' && mode !== 'test') return MALFORMED_BY_REASON.mode;
  const tail = text.slice(second + 1);
  if (tail.length !== RANDOM_LENGTH + CHECKSUM_LENGTH) return MALFORMED_BY_REASON.length;
  if (!isBase62(tail)) return MALFORMED_BY_REASON.alphabet;
  // The checksum is no secret (anyone can compute the CRC32 of the text they send): plain comparison.
  if (tail.slice(RANDOM_LENGTH) !== checksumOf(text.slice(0, second + 1 + RANDOM_LENGTH))) return MALFORMED_BY_REASON.checksum;
  return { ok: true, prefix, mode, random: tail.slice(0, RANDOM_LENGTH) };
}

/** Hex digest of a secret: HMAC-SHA-256 keyed with the server pepper, or SHA-256 when there is none. */
export function digestKey(secret: string, pepper?: string | Buffer): string {
  if (pepper === undefined || pepper.length === 0) return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
  return crypto.createHmac('sha256', pepper).update(secret, 'utf8').digest('hex');
}

/** Constant-time string equality (crypto.timingSafeEqual); unequal lengths answer false after a same-length comparison. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    crypto.timingSafeEqual(left, left);
    return false;
  }
  return crypto.timingSafeEqual(left, right);
}

/** A short non-secret prefix identifying a key in listings and logs, e.g. `kw_live_Ab12`; `[malformed]` for a text of the wrong shape. */
export function displayPrefix(secret: string): string {
  const parsed = parseKey(secret);
  if (parsed.ok) return `${parsed.prefix}_${parsed.mode}_${parsed.random.slice(0, DISPLAY_RANDOM_CHARS)}`;
  if (parsed.reason === 'checksum') {
    // Well-shaped but wrong checksum: still safe to show the same short prefix.
    const [prefix, mode, tail] = secret.split('_') as [string, string, string];
    return `${prefix}_${mode}_${tail.slice(0, DISPLAY_RANDOM_CHARS)}`;
  }
  return '[malformed]';
}
