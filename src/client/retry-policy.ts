// When and how long to wait before retrying a request: exponential backoff with full jitter,
// and the service's Retry-After when it sends one.

export interface RetryOptions {
  /** Retries after the first attempt. @default 2 */
  readonly retries?: number;
  /** Backoff base, in milliseconds: attempt n waits up to base * 2^n. @default 100 */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff wait, in milliseconds. @default 5000 */
  readonly maxDelayMs?: number;
  /**
   * Longest Retry-After the client will wait, in milliseconds; a longer one fails the request
   * at once with the 429 (the caller decides). @default 30000
   */
  readonly maxRetryAfterMs?: number;
}

export interface ResolvedRetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

export function resolveRetryOptions(o: RetryOptions | undefined): ResolvedRetryOptions {
  return {
    retries: Math.max(0, Math.floor(o?.retries ?? 2)),
    baseDelayMs: Math.max(0, o?.baseDelayMs ?? 100),
    maxDelayMs: Math.max(0, o?.maxDelayMs ?? 5000),
    maxRetryAfterMs: Math.max(0, o?.maxRetryAfterMs ?? 30_000),
  };
}

/** Full-jitter backoff for retry number `retry` (0-based): uniform in [0, min(max, base*2^retry)]. */
export function backoffDelayMs(
  retry: number,
  opts: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
