// Checks a presented key: format and checksum (no lookup), one indexed lookup by digest
// (served from a cache kept exact by the key change feed), status, IP allowlist, scopes, then
// the rate limit. Statuses that depend on time (expiry, end of overlap) are evaluated on every
// check, never cached.
// The cache is keyed by the secret's plain SHA-256 (its fingerprint), not by the stored
// HMAC digest: an HMAC costs a keyed context per call (≈ 10 µs in the service, half of a cached
// check), a one-shot SHA-256 a fraction of that. The fingerprint never leaves this process's
// memory, which holds the pepper anyway, and a secret carries at least 128 random bits, so
// its SHA-256 gives nothing away that the digest would not. The HMAC is computed on a miss,
// for the lookup, and compared with the stored digest in constant time there.
// Shared by POST/GET /v1/verify and the authentication of the management API.
import crypto from 'node:crypto';
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
  /** The key found by the digest (and equal to it in constant time), or undefined: NOT_FOUND. */
  readonly match: DigestMatch | undefined;
  readonly cidrs: CidrSet | undefined;
  readonly expiresAt: number;
}

const CACHE_MAX_ENTRIES = 100_000;
const MALFORMED: KeyCheck = { code: 'MALFORMED' };
const NOT_FOUND: KeyCheck = { code: 'NOT_FOUND' };

/** What the cache needs to know of the change feed (key-change-feed.ts). */
export interface ChangeFeedState {
  /** When the newest successful poll started, epoch ms: every change committed before then has been reported. */
  readonly lastSyncStartedAt: number;
}

export interface KeyCheckerDeps {
  readonly store: Pick<KeyStore, 'findByDigest'>;
  readonly limiter: KeyRateLimiter;
  readonly usage: UsageBuffer;
  readonly keyPrefix: string;
  readonly pepper: string;
  readonly defaultRateLimit: RateLimitSetting;
  /** How long a found key stays cached at most; 0 disables the cache. */
  readonly cacheTtlMs: number;
  /** How long an unknown key stays cached (NOT_FOUND). */
  readonly negativeCacheTtlMs: number;
  /**
   * The change feed that calls `invalidateKeys`/`invalidate` for changes made through other
   * processes. Cached answers are used only while its last successful poll started at most
   * `maxStalenessMs` ago; without a feed nothing is served from the cache.
   */
  readonly changes?: ChangeFeedState;
  readonly maxStalenessMs?: number;
  /** Bounds a lookup (the store's own timeouts apply as well). */
  readonly lookup?: <T>(p: Promise<T>) => Promise<T>;
}

/** The cache key of a presented secret: its SHA-256, base64 (see the top of this file). */
function fingerprint(secret: string): string {
  return crypto.hash('sha256', secret, 'base64');
}

export class KeyChecker {
  /** fingerprint → lookup, in insertion order (the oldest is evicted first). */
  private readonly cache = new Map<string, CacheEntry>();
  /** key id → fingerprints of its versions in the cache, to drop them when the key changes. */
  private readonly printsOfKey = new Map<string, Set<string>>();
  /** Moves on every invalidation: a lookup that was in flight meanwhile is not cached (it may predate the change). */
  private epoch = 0;

  constructor(private readonly deps: KeyCheckerDeps) {}

  /**
   * `ip` undefined means the caller did not say where the key is used: a key with an
   * allowlist then fails closed (IP_NOT_ALLOWED). Answers at once (no promise) when the lookup
   * is served from the cache and the rate limit is counted in memory: the verify hot path.
   */
  check(secret: string, ip: string | undefined, requiredScopes: readonly string[], now: number): KeyCheck | Promise<KeyCheck> {
    const print = fingerprint(secret);
    // Only a well-formed secret is ever looked up, so only one is ever cached: a hit is a
    // secret that parsed before (the same SHA-256, the same text) and need not be parsed again.
    const hit = this.cached(print, now);
    if (hit) return this.evaluate(hit, ip, requiredScopes, now);
    if (!parseKey(secret, this.deps.keyPrefix).ok) return MALFORMED;
    return this.lookup(secret, print, now).then((entry) => this.evaluate(entry, ip, requiredScopes, now));
  }

  private evaluate(entry: CacheEntry, ip: string | undefined, requiredScopes: readonly string[], now: number): KeyCheck | Promise<KeyCheck> {
    const match = entry.match;
    if (!match) return NOT_FOUND;
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
    const decided = this.deps.limiter.consume(key.id, setting, now);
    // No closure on the synchronous path (one per request otherwise).
    return decided instanceof Promise ? decided.then((rateLimit) => this.afterRateLimit(match, rateLimit, now)) : this.afterRateLimit(match, decided, now);
  }

  private afterRateLimit(match: DigestMatch, rateLimit: RateLimitDecision, now: number): KeyCheck {
    if (!rateLimit.allowed) return { code: 'RATE_LIMITED', match, rateLimit };
    this.deps.usage.record(match.version.id, now);
    return { code: 'VALID', match, rateLimit };
  }

  /** Forgets every cached lookup (bulk change, or the change feed restarted). */
  invalidate(): void {
    this.epoch++;
    this.cache.clear();
    this.printsOfKey.clear();
  }

  /** Forgets the cached lookups of these keys (changed through this process or, per the change feed, another). */
  invalidateKeys(keyIds: Iterable<string>): void {
    this.epoch++;
    for (const keyId of keyIds) {
      const prints = this.printsOfKey.get(keyId);
      if (!prints) continue;
      for (const print of prints) this.cache.delete(print);
      this.printsOfKey.delete(keyId);
    }
  }

  /** Number of cached lookups (for tests and metrics). */
  get cachedEntries(): number {
    return this.cache.size;
  }

  private servesFromCache(now: number): boolean {
    const changes = this.deps.changes;
    return this.deps.cacheTtlMs > 0 && changes !== undefined && now - changes.lastSyncStartedAt <= (this.deps.maxStalenessMs ?? 0);
  }

  /** The cached lookup of the secret with this fingerprint, when the cache may serve it now. */
  private cached(print: string, now: number): CacheEntry | undefined {
    if (!this.servesFromCache(now)) return undefined;
    const hit = this.cache.get(print);
    return hit && hit.expiresAt > now ? hit : undefined;
  }

  private async lookup(secret: string, print: string, now: number): Promise<CacheEntry> {
    const epoch = this.epoch;
    const digest = digestKey(secret, this.deps.pepper);
    const pending = this.deps.store.findByDigest(digest);
    const found = await (this.deps.lookup ? this.deps.lookup(pending) : pending);
    // The lookup is by digest through an index; compare again in constant time.
    const match = found && safeEqual(found.version.digest, digest) ? found : undefined;
    const cidrs = match && match.key.allowedCidrs.length > 0 ? new CidrSet(match.key.allowedCidrs) : undefined;
    const entry: CacheEntry = { match, cidrs, expiresAt: now + (match ? this.deps.cacheTtlMs : this.deps.negativeCacheTtlMs) };
    if (this.deps.cacheTtlMs > 0 && this.deps.changes !== undefined && this.epoch === epoch) this.remember(print, entry);
    return entry;
  }

  private remember(print: string, entry: CacheEntry): void {
    this.forget(print);
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.forget(oldest.value);
    }
    this.cache.set(print, entry);
    const keyId = entry.match?.key.id;
    if (keyId !== undefined) {
      let prints = this.printsOfKey.get(keyId);
      if (!prints) this.printsOfKey.set(keyId, (prints = new Set()));
      prints.add(print);
    }
  }

  private forget(print: string): void {
    const old = this.cache.get(print);
    if (!old) return;
    this.cache.delete(print);
    const keyId = old.match?.key.id;
    if (keyId === undefined) return;
    const prints = this.printsOfKey.get(keyId);
    prints?.delete(print);
    if (prints?.size === 0) this.printsOfKey.delete(keyId);
  }
}
