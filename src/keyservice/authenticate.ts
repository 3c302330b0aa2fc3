// The onRequest hook of every management route: reads the presented key, checks it (status,
// IP allowlist, rate limit), sets RateLimit-* headers and the request's actor, and enforces
// the route's scope. Runs before the body is parsed, so nothing is parsed for strangers.
// Failures are counted in metrics one by one and audited at most once per (code, key, client
// address) and minute (ctx.auditFailure), so spraying bad keys cannot flood the audit log.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from './context.js';
import { readPresentedKey } from './credentials.js';
import { ApiError } from './errors.js';
import { displayPrefix } from './key-format.js';
import type { KeyCheck } from './key-check.js';
import { rateLimitHeaders } from './rate-limit.js';

const UNAUTHORIZED_MESSAGES: Record<string, string> = {
  missing: 'No API key was sent. Send it as Authorization: Bearer <key>, X-API-Key, or the Basic username.',
  MALFORMED: 'The API key is malformed (wrong prefix, length or checksum).',
  NOT_FOUND: 'The API key is not known to this service.',
  DISABLED: 'The API key is disabled.',
  EXPIRED: 'The API key has expired.',
  REVOKED: 'The API key has been revoked.',
};

export function authenticationHook(ctx: ServiceContext) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const config = request.routeOptions.config.keywarden;
    if (!config || config.auth !== 'key') return;
    const presented = readPresentedKey(request.headers);
    if ('missing' in presented) fail(ctx, request, 'missing', undefined);
    if ('malformed' in presented) fail(ctx, request, 'MALFORMED', presented.malformed);
    const secret = presented.key;
    const now = ctx.now();
    const check = await ctx.checker.check(secret, request.clientIp, [], now);
    if (check.rateLimit) reply.headers(rateLimitHeaders(check.rateLimit, now));
    switch (check.code) {
      case 'VALID':
        break;
      case 'RATE_LIMITED':
        ctx.metrics.authFailures.inc({ reason: check.code });
        throw new ApiError('rate_limit_exceeded', undefined, { headers: rateLimitHeaders(check.rateLimit!, now) });
      case 'IP_NOT_ALLOWED':
        failAudited(ctx, request, check, secret);
        throw new ApiError('ip_not_allowed');
      default:
        failAudited(ctx, request, check, secret);
        throw new ApiError('unauthorized', UNAUTHORIZED_MESSAGES[check.code]);
    }
    request.actor = check.match!;
    request.rateLimit = check.rateLimit ?? null;
    const scopes = config.scopes;
    if (scopes && !scopes.some((s) => check.match!.key.scopes.includes(s))) {
      ctx.metrics.authFailures.inc({ reason: 'INSUFFICIENT_SCOPE' });
      throw new ApiError('forbidden', `This request needs the scope ${scopes.join(' or ')}, which the API key does not hold.`);
    }
  };
}

/** A request whose key could not even be read: audited without account or key. */
function fail(ctx: ServiceContext, request: FastifyRequest, reason: 'missing' | 'MALFORMED', detail: string | undefined): never {
  ctx.metrics.authFailures.inc({ reason });
  const code = reason === 'missing' ? 'MISSING' : reason;
  ctx.auditFailure(request, `${code}/-/${request.clientIp}`, {
    accountId: null,
    action: 'auth.failure',
    outcome: 'failure',
    details: { code, route: request.routeOptions.url },
  });
  throw new ApiError('unauthorized', detail ? `The API key could not be read: ${detail}.` : UNAUTHORIZED_MESSAGES[reason]);
}

function failAudited(ctx: ServiceContext, request: FastifyRequest, check: KeyCheck, secret: string): void {
  ctx.metrics.authFailures.inc({ reason: check.code });
  const keyId = check.match?.key.id ?? null;
  ctx.auditFailure(request, `${check.code}/${keyId ?? '-'}/${request.clientIp}`, {
    accountId: check.match?.key.accountId ?? null,
    action: 'auth.failure',
    outcome: 'failure',
    keyId,
    details: { code: check.code, displayPrefix: displayPrefix(secret), route: request.routeOptions.url },
  });
}
