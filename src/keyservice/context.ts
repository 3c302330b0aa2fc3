// What every route gets: the store, options, the key checker and the per-request helpers.
import type { FastifyRequest } from 'fastify';
import type { ClientIpResolver } from './client-ip.js';
import type { KeyChecker } from './key-check.js';
import type { ServiceMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { KeyRateLimiter, RateLimitDecision } from './rate-limit.js';
import type { ManagementScope } from './scopes.js';
import type { Account, DigestMatch, KeyStore, NewAuditEvent } from './store/store.js';
import type { UsageBuffer } from './usage-buffer.js';

/** The authenticated caller of a management route. */
export interface Actor extends DigestMatch {
  readonly account: Account;
}

/** How a route authenticates: `public` (health, metrics, openapi, POST /v1/verify) or with an API key. */
export interface RouteAuth {
  /** Needs a valid key; when `scopes` is given, the key must hold at least one of them. */
  readonly auth: 'public' | 'key';
  readonly scopes?: readonly ManagementScope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Client address after trusted-proxy resolution. */
    clientIp: string;
    /** Set by the authentication hook on `auth: 'key'` routes. */
    actor: Actor | null;
    /** The actor's budget after this request (management routes). */
    rateLimit: RateLimitDecision | null;
  }
  interface FastifyContextConfig {
    keywarden?: RouteAuth;
  }
}

/** An audit event as a route gives it: actor, IP and request id come from the request. */
export type RequestAuditEvent = Omit<NewAuditEvent, 'actorKeyId' | 'ip' | 'requestId' | 'accountId'> & { accountId?: string | null };

export interface ServiceContext {
  readonly store: KeyStore;
  readonly options: ResolvedOptions;
  readonly checker: KeyChecker;
  readonly limiter: KeyRateLimiter;
  readonly usage: UsageBuffer;
  readonly metrics: ServiceMetrics;
  readonly ipResolver: ClientIpResolver;
  /** Epoch ms. */
  now(): number;
  /** Bounds a database call by databaseTimeoutMs (503 when exceeded). */
  db<T>(promise: Promise<T>): Promise<T>;
  /** Writes an audit event for this request (actor, IP, request id filled in). */
  audit(request: FastifyRequest, event: RequestAuditEvent): Promise<void>;
  /**
   * Audits a failed authentication or verification without letting a flood of them write one
   * row each: at most one event per `group` (what failed, from where) per minute, the number
   * left out in the next one (failure-audit-throttle.ts). Never throws, never waits.
   */
  auditFailure(request: FastifyRequest, group: string, event: RequestAuditEvent): void;
}

/** The authenticated actor; throws when a route forgot `auth: 'key'` (a programming error). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error(`route ${request.routeOptions.url ?? '?'} has no authenticated actor`);
  return request.actor;
}
