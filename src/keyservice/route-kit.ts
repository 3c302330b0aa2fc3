// Small helpers the route files share: auth configs, error responses, paging, escalation.
import type { FastifyRequest } from 'fastify';
import type { Actor, RouteAuth, ServiceContext } from './context.js';
import { ApiError } from './errors.js';
import type { FieldError } from './errors.js';
import { invalidCidrs } from './cidr.js';
import { LIMITS } from './options.js';
import { errorSchema } from './schemas.js';
import { missingManagementScopes, unknownScopes } from './scopes.js';
import type { ManagementScope } from './scopes.js';
import type { KeyRecord, PageRequest } from './store/store.js';

export const PUBLIC: { keywarden: RouteAuth } = { keywarden: { auth: 'public' } };

/** Route config: a valid key holding one of `scopes` (none = any valid key). */
export function requireKey(...scopes: ManagementScope[]): { keywarden: RouteAuth } {
  return { keywarden: scopes.length > 0 ? { auth: 'key', scopes } : { auth: 'key' } };
}

/** Error responses every route declares (for serialization and /openapi.json). */
export const ERROR_RESPONSES = { '4xx': errorSchema, '5xx': errorSchema } as const;

/** Security requirement shown in /openapi.json for key-authenticated routes. */
export const KEY_SECURITY: ReadonlyArray<Record<string, readonly string[]>> = [{ bearer: [] }, { apiKey: [] }, { basic: [] }];

/** `limit`/`cursor` of a list request, checked against the configured page size. */
export function pageOf(ctx: ServiceContext, query: { limit?: string; cursor?: string }): PageRequest {
  const limit = query.limit === undefined ? ctx.options.defaultPageSize : Number(query.limit);
  if (limit > ctx.options.maxPageSize) {
    throw new ApiError('validation_failed', `limit must be at most ${ctx.options.maxPageSize}.`, {
      details: [{ field: 'querystring.limit', message: `must be <= ${ctx.options.maxPageSize}` }],
    });
  }
  return { limit, cursor: query.cursor ?? null };
}

/** Checks the parts of a key body a schema cannot: real CIDR parsing, the scope catalog, a future expiry. */
export function checkKeyFields(
  ctx: ServiceContext,
  body: { scopes?: readonly string[]; allowedCidrs?: readonly string[]; expiresAt?: string | null },
  now: number,
): void {
  const problems: FieldError[] = [];
  for (const bad of invalidCidrs(body.allowedCidrs ?? [])) {
    problems.push({ field: 'body.allowedCidrs', message: `"${bad}" is not an IPv4/IPv6 address or CIDR` });
  }
  for (const scope of unknownScopes(body.scopes ?? [], ctx.options.scopes)) {
    problems.push({ field: 'body.scopes', message: `"${scope}" is not in the scope catalog (GET /v1/scopes)` });
  }
  if (typeof body.expiresAt === 'string' && Date.parse(body.expiresAt) <= now) {
    problems.push({ field: 'body.expiresAt', message: 'must be in the future' });
  }
  if (problems.length > 0) throw new ApiError('invalid_value', 'Some values cannot be applied; see details.', { details: problems });
}

/**
 * The escalation rule (scopes.ts): the actor must hold every management scope of `target`
 * (when acting on an existing key) and of `granting`. Violations are audited and answered 403.
 */
export async function checkEscalation(
  ctx: ServiceContext,
  request: FastifyRequest,
  actor: Actor,
  action: string,
  target: KeyRecord | undefined,
  granting: readonly string[] | undefined,
): Promise<void> {
  const missing = missingManagementScopes(actor.key.scopes, [...(target?.scopes ?? []), ...(granting ?? [])]);
  if (missing.length === 0) return;
  await ctx.audit(request, {
    action,
    outcome: 'failure',
    keyId: target?.id ?? null,
    details: { code: 'scope_escalation', missingScopes: missing },
  });
  throw new ApiError(
    'scope_escalation',
    `The API key lacks the management scope(s) ${missing.join(', ')}: it cannot grant them or act on a key that holds them.`,
  );
}

/** Epoch ms of an ISO timestamp, keeping null; undefined stays undefined. */
export function msOf(value: string | null | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return value === null ? null : Date.parse(value);
}

/** Overlap when a rotation or promotion names none. */
export const DEFAULT_OVERLAP = '24h';

/** The body's `overlap` (default 24h) in milliseconds, refused (400) above the 30-day limit. */
export function overlapOfBody(overlap: string | undefined): number {
  const ms = overlapMs(overlap ?? DEFAULT_OVERLAP);
  if (ms > LIMITS.overlapSecondsMax * 1000) {
    throw new ApiError('validation_failed', 'overlap must be at most 30d.', {
      details: [{ field: 'body.overlap', message: 'must be at most 30d' }],
    });
  }
  return ms;
}

/** Parses an overlap such as `24h` into milliseconds. */
export function overlapMs(text: string): number {
  const n = Number(text.slice(0, -1));
  const unit = text.slice(-1);
  const factor = unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  return n * factor;
}
