// Per-key rate limits (fixed windows). On PostgreSQL the counters live in a shared table
// (rate-limiter-flexible) so several service processes enforce one budget; on SQLite they live
// in process memory (one process serves an SQLite file), counted synchronously by
// MemoryWindows: no promise per request on the verify hot path.
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitSetting } from './options.js';
import type { StoreBackend } from './store/store.js';
import { StoreUnavailableError } from './store/errors.js';

/** The outcome of one request against a key's budget. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Requests per window. */
  readonly limit: number;
  /** Requests left in this window (0 when refused). */
  readonly remaining: number;
  /** When the window resets, epoch ms. */
  readonly resetAt: number;
}

const TABLE = 'keywarden_rate_limits';

/** How often the in-memory windows drop the ones that ended. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Fixed windows in process memory, the same rules as rate-limiter-flexible's (which the
 * PostgreSQL counters use): a key's window starts with its first request and lasts the
 * setting's `perSeconds`; every request counts, refused ones too; the counter is named after
 * the window length only, so changing a key's `requests` keeps what it used in this window.
 */
class MemoryWindows {
  /** Window length (s) → key id → its current window (no key string built per request). */
  readonly #windows = new Map<number, Map<string, { used: number; endsAt: number }>>();
  #nextSweep = 0;

  consume(keyId: string, setting: RateLimitSetting, now: number): RateLimitDecision {
    if (now >= this.#nextSweep) this.#sweep(now);
    let ofLength = this.#windows.get(setting.perSeconds);
    if (ofLength === undefined) this.#windows.set(setting.perSeconds, (ofLength = new Map()));
    let window = ofLength.get(keyId);
    if (window === undefined || window.endsAt <= now) {
      window = { used: 0, endsAt: now + setting.perSeconds * 1000 };
      ofLength.set(keyId, window);
    }
    window.used++;
    const allowed = window.used <= setting.requests;
    return { allowed, limit: setting.requests, remaining: allowed ? setting.requests - window.used : 0, resetAt: window.endsAt };
  }

  #sweep(now: number): void {
    this.#nextSweep = now + SWEEP_INTERVAL_MS;
    for (const ofLength of this.#windows.values()) {
      for (const [keyId, window] of ofLength) if (window.endsAt <= now) ofLength.delete(keyId);
    }
  }
}

export class KeyRateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly memory = new MemoryWindows();

  private constructor(
    private readonly pool: Pool | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** A limiter for the store's backend; on PostgreSQL creates its table once. */
  static async create(backend: StoreBackend, timeoutMs: number): Promise<KeyRateLimiter> {
    if (backend.kind !== 'postgres') return new KeyRateLimiter(undefined, timeoutMs);
    try {
      await backend.pool.query(
        `CREATE TABLE IF NOT EXISTS "${TABLE}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
      );
    } catch (err) {
      // Two processes creating the table at once: the loser sees a unique violation.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
    return new KeyRateLimiter(backend.pool, timeoutMs);
  }

  /**
   * Takes one request from `keyId`'s budget (`now`: the service clock). In process memory the
   * decision comes at once (no promise); the shared PostgreSQL counters answer a promise, which
   * rejects with StoreUnavailableError when they cannot be reached in time.
   */
  consume(keyId: string, setting: RateLimitSetting, now: number): RateLimitDecision | Promise<RateLimitDecision> {
    if (!this.pool) return this.memory.consume(keyId, setting, now);
    return this.consumeShared(this.pool, keyId, setting, now);
  }

  private async consumeShared(pool: Pool, keyId: string, setting: RateLimitSetting, now: number): Promise<RateLimitDecision> {
    const limiter = this.limiterFor(pool, setting);
    let res: RateLimiterRes;
    let allowed = true;
    try {
      res = await withTimeout(limiter.consume(keyId), this.timeoutMs);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) {
        throw err instanceof StoreUnavailableError
          ? err
          : new StoreUnavailableError('rate limit counters are unreachable', { cause: err });
      }
      res = err;
      allowed = false;
    }
    return {
      allowed,
      limit: setting.requests,
      remaining: allowed ? res.remainingPoints : 0,
      resetAt: now + Math.max(res.msBeforeNext, 0),
    };
  }

  private limiterFor(pool: Pool, setting: RateLimitSetting): RateLimiterAbstract {
    const id = `${setting.requests}/${setting.perSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      // The counter row is named after the window only, so changing a key's `requests`
      // keeps what it already used in the current window.
      limiter = new RateLimiterPostgres({
        points: setting.requests,
        duration: setting.perSeconds,
        keyPrefix: `kw${setting.perSeconds}`,
        storeClient: pool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
        clearExpiredByTimeout: this.limiters.size === 0,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** Rejects with StoreUnavailableError when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** RateLimit-* headers (IETF draft: Reset in seconds from now) and Retry-After when refused. */
export function rateLimitHeaders(decision: RateLimitDecision, now: number): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(resetSeconds),
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, resetSeconds));
  return headers;
}
