// Checks a presented key: format and checksum (no lookup), one indexed lookup by digest
// (served from a short-lived cache), status, IP allowlist, scopes, then the rate limit.
// Shared by POST/GET /v1/verify and the authentication of the management API.
import { CidrSet } from './cidr.js';
import { digestKey, parseKey, safeEqual } from './key-format.js';
import type { RateLimitSetting } from './options.js';
import type { KeyRateLimiter, RateLimitDecision } from './rate-limit.js';
import { missingScopes } from './scopes.js';
import type { DigestMatch, KeyStore } from './store/store.js';
import type { UsageBuffer } from './usage-buffer.js';

/** The verify codes, permanent like the error codes. */
export const VERIFY_CODES = [
  'VALID',
  'MALFORMED',
  'NOT_FOUND',
  'DISABLED',
  'EXPIRED',
  'REVOKED',
  'IP_NOT_ALLOWED',
  'INSUFFICIENT_SCOPE',
  'RATE_LIMITED',
] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

export interface KeyCheck {
  readonly code: VerifyCode;
  /** The key found (any code but MALFORMED and NOT_FOUND). */
  readonly match?: DigestMatch;
  /** The key's budget after this request (VALID and RATE_LIMITED). */
  readonly rateLimit?: RateLimitDecision;
  /** Required scopes the key lacks (INSUFFICIENT_SCOPE). */
  readonly missingScopes?: readonly string[];
}

interface CacheEntry {
  readonly match: DigestMatch | undefined;
  readonly cidrs: CidrSet | undefined;
  readonly expiresAt: number;
}

const CACHE_MAX_ENTRIES = 100_000;

export interface KeyCheckerDeps {
  readonly store: Pick<KeyStore, 'findByDigest'>;
  readonly limiter: KeyRateLimiter;
  readonly usage: UsageBuffer;
  readonly keyPrefix: string;
  readonly pepper: string;
  readonly defaultRateLimit: RateLimitSetting;
  /** 0 disables the cache. */
  readonly cacheTtlMs: number;
  /** Bounds a lookup (the store's own timeouts apply as well). */
  readonly lookup?: <T>(p: Promise<T>) => Promise<T>;
}

export class KeyChecker {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly deps: KeyCheckerDeps) {}

  /**
   * `ip` undefined means the caller did not say where the key is used: a key with an
   * allowlist then fails closed (IP_NOT_ALLOWED).
   */
  async check(secret: string, ip: string | undefined, requiredScopes: readonly string[], now: number): Promise<KeyCheck> {
    if (!parseKey(secret, this.deps.keyPrefix).ok) return { code: 'MALFORMED' };
    const digest = digestKey(secret, this.deps.pepper);
    const entry = await this.lookup(digest, now);
    const match = entry.match;
    // The lookup is by digest through an index; compare again in constant time.
    if (!match || !safeEqual(match.version.digest, digest)) return { code: 'NOT_FOUND' };
    const { key, version } = match;
    if (key.revokedAt !== null || version.revokedAt !== null || (version.overlapUntil !== null && version.overlapUntil <= now)) {
      return { code: 'REVOKED', match };
    }
    if (!key.enabled) return { code: 'DISABLED', match };
    if (key.expiresAt !== null && key.expiresAt <= now) return { code: 'EXPIRED', match };
    if (entry.cidrs && (ip === undefined || !entry.cidrs.contains(ip))) return { code: 'IP_NOT_ALLOWED', match };
    const missing = missingScopes(key.scopes, requiredScopes);
    if (missing.length > 0) return { code: 'INSUFFICIENT_SCOPE', match, missingScopes: missing };
    const rl = key.rateLimit;
    const setting = rl ? { requests: rl.requests, perSeconds: rl.windowSeconds } : this.deps.defaultRateLimit;
    const rateLimit = await this.deps.limiter.consume(key.id, setting, now);
    if (!rateLimit.allowed) return { code: 'RATE_LIMITED', match, rateLimit };
    this.deps.usage.record(version.id, now);
    return { code: 'VALID', match, rateLimit };
  }

  /** Forgets every cached lookup (after a change made through this process). */
  invalidate(): void {
    this.cache.clear();
  }

  private async lookup(digest: string, now: number): Promise<CacheEntry> {
    const ttl = this.deps.cacheTtlMs;
    if (ttl > 0) {
      const hit = this.cache.get(digest);
      if (hit && hit.expiresAt > now) return hit;
    }
    const pending = this.deps.store.findByDigest(digest);
    const match = await (this.deps.lookup ? this.deps.lookup(pending) : pending);
    const cidrs = match && match.key.allowedCidrs.length > 0 ? new CidrSet(match.key.allowedCidrs) : undefined;
    const entry: CacheEntry = { match, cidrs, expiresAt: now + ttl };
    if (ttl > 0) {
      this.cache.delete(digest);
      if (this.cache.size >= CACHE_MAX_ENTRIES) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
      this.cache.set(digest, entry);
    }
    return entry;
  }
}
