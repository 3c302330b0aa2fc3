// One HTTP exchange with the key service, with timeout, retries and error mapping. Uses
// Node's global fetch (undici); the only dispatcher it brings is for custom TLS settings.
import { randomUUID } from 'node:crypto';
import type { Agent } from 'undici';
import { CLIENT_ERROR_CODES, KeywardenApiError } from './api-error.js';
import {
  backoffDelayMs,
  parseRetryAfterMs,
  resolveRetryOptions,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './retry-policy.js';
import { tlsDispatcher, type TlsOptions } from './tls-options.js';

export interface TransportOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  readonly endpoint: string;
  /** The caller's key, sent as `Authorization: Bearer`. Optional for health checks. */
  readonly apiKey?: string | undefined;
  /** Per-attempt timeout, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly tls?: TlsOptions;
  /** @default `keywarden-client/0.1` */
  readonly userAgent?: string;
}

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the endpoint, starting with `/`; callers encode path segments. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Safe to repeat after a 503 or a network error (the request has no effect, or the
   * service de-duplicates it). Every request is retried after a 429, which the service
   * answers before doing anything.
   */
  readonly idempotent: boolean;
  /** Skip the Authorization header (health endpoints). */
  readonly anonymous?: boolean;
  /** Further secrets to scrub from error messages (e.g. the key given to verify). */
  readonly secrets?: readonly string[];
}

export interface Exchange<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Statuses after which an idempotent request is tried again. */
const RETRY_STATUSES = new Set([429, 503]);

export class Transport {
  readonly endpoint: URL;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly retry: ResolvedRetryOptions;
  private readonly userAgent: string;
  private readonly dispatcher: Agent | undefined;

  constructor(options: TransportOptions) {
    const base = new URL(options.endpoint);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`endpoint must be an http:// or https:// URL, got ${base.protocol}`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.endpoint = base;
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = resolveRetryOptions(options.retry);
    this.userAgent = options.userAgent ?? 'keywarden-client/0.1';
    this.dispatcher = tlsDispatcher(options.tls);
  }

  /** Releases the TLS connection pool, if one was made. */
  async close(): Promise<void> {
    await this.dispatcher?.close();
  }

  url(path: string, query?: Readonly<Record<string, QueryValue>>): URL {
    const url = new URL(path.replace(/^\//, ''), this.endpoint);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, v);
      else url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** Sends `spec`, retrying as allowed; resolves on 2xx, throws KeywardenApiError otherwise. */
  async request<T>(spec: RequestSpec): Promise<Exchange<T>> {
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      ...spec.headers,
    };
    if (!spec.anonymous && this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let payload: string | undefined;
    if (spec.body !== undefined) {
      payload = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    const secrets = [this.apiKey, ...(spec.secrets ?? [])].filter((s): s is string => !!s);

    for (let attempt = 1; ; attempt++) {
      const retriesLeft = attempt <= this.retry.retries;
      let failure: KeywardenApiError;
      let waitMs: number | undefined;
      // A timer of our own, cleared when the exchange ends (AbortSignal.timeout's timer outlives
      // the request and fires, building a DOMException, for every request long finished).
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new DOMException('no answer within the timeout', 'TimeoutError')), this.timeoutMs);
      try {
        const res = await fetch(url, {
          method: spec.method,
          headers,
          body: payload,
          signal: abort.signal,
          redirect: 'error',
          ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        } as RequestInit);
        const text = await res.text();
        if (res.ok) {
          return { status: res.status, headers: res.headers, body: parseBody(text) as T };
        }
        const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'));
        failure = errorFromResponse(spec, res, text, attempt, retryAfterMs, secrets);
        if (retriesLeft && RETRY_STATUSES.has(res.status) && (spec.idempotent || res.status === 429)) {
          if (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs) throw failure;
          waitMs = retryAfterMs ?? backoffDelayMs(attempt - 1, this.retry);
        }
      } catch (err) {
        if (err instanceof KeywardenApiError) throw err;
        failure = errorFromTransport(spec, err, attempt, secrets);
        if (retriesLeft && spec.idempotent) waitMs = backoffDelayMs(attempt - 1, this.retry);
      } finally {
        clearTimeout(timer);
      }
      if (waitMs === undefined) throw failure;
      await sleep(waitMs);
    }
  }
}

/** A fresh Idempotency-Key value. */
export function newIdempotencyKey(): string {
  return randomUUID();
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}

function errorFromResponse(
  spec: RequestSpec,
  res: Response,
  text: string,
  attempts: number,
  retryAfterMs: number | undefined,
  secrets: readonly string[],
): KeywardenApiError {
  const body = parseBody(text);
  const err =
    typeof body === 'object' && body !== null && 'error' in body
      ? (body as { error: unknown }).error
      : undefined;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const documented = typeof e.code === 'string' && typeof e.message === 'string';
  const requestId =
    (typeof e.requestId === 'string' ? e.requestId : undefined) ??
    res.headers.get('x-request-id') ??
    undefined;
  const details = documented && Array.isArray(e.details)
    ? e.details
        .filter((d): d is { field: string; message: string } => typeof d?.field === 'string' && typeof d?.message === 'string')
        .map((d) => ({ field: d.field, message: redact(d.message, secrets) }))
    : undefined;
  return new KeywardenApiError({
    status: res.status,
    details,
    code: documented ? (e.code as string) : CLIENT_ERROR_CODES.unexpected,
    message: redact(
      documented
        ? (e.message as string)
        : `the service answered ${res.status} ${res.statusText || ''} without a Keywarden error body; check the endpoint`.replace(/ {2}/, ' '),
      secrets,
    ),
    requestId,
    retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
    method: spec.method,
    path: spec.path,
    attempts,
  });
}

function errorFromTransport(
  spec: RequestSpec,
  err: unknown,
  attempts: number,
  secrets: readonly string[],
): KeywardenApiError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
  const detail = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return new KeywardenApiError({
    status: 0,
    code: timedOut ? CLIENT_ERROR_CODES.timeout : CLIENT_ERROR_CODES.network,
    message: redact(
      timedOut
        ? 'no answer from the service within the timeout; check the endpoint or raise the timeout'
        : `could not reach the service (${detail}); check the endpoint and that the service runs`,
      secrets,
    ),
    method: spec.method,
    path: spec.path,
    attempts,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
