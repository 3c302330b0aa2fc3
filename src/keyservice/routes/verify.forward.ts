// GET /v1/verify — forward-auth for reverse proxies (nginx auth_request, Traefik ForwardAuth,
// Envoy ext_authz over HTTP): the key comes in the usual headers, the client address from the
// connection or a trusted proxy's X-Forwarded-For. 200 with X-Keywarden-* headers when valid;
// 401 (no usable key), 403 (wrong IP or missing scope) or 429 (rate limited) otherwise.
import type { FastifyInstance } from 'fastify';
import type { VerifyResponse } from '../api-types.js';
import type { ServiceContext } from '../context.js';
import { readPresentedKey } from '../credentials.js';
import { ApiError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { VERIFY_CODES } from '../key-check.js';
import type { VerifyCode } from '../key-check.js';
import { rateLimitHeaders } from '../rate-limit.js';
import { ERROR_RESPONSES, KEY_SECURITY, PUBLIC } from '../route-kit.js';
import { forwardAuthQuerySchema, verifyResultSchema } from '../schemas.js';
import type { VerifyAuditor } from '../verify-audit.js';
import { verifyResult } from '../verify-result.js';

const ERROR_OF: Record<Exclude<VerifyCode, 'VALID'>, ErrorCode> = {
  MALFORMED: 'unauthorized',
  NOT_FOUND: 'unauthorized',
  DISABLED: 'unauthorized',
  EXPIRED: 'unauthorized',
  REVOKED: 'unauthorized',
  IP_NOT_ALLOWED: 'ip_not_allowed',
  INSUFFICIENT_SCOPE: 'forbidden',
  RATE_LIMITED: 'rate_limit_exceeded',
};

export function register(app: FastifyInstance, ctx: ServiceContext, auditor: VerifyAuditor): void {
  const outcome = new Map<VerifyCode, { inc(): void }>(VERIFY_CODES.map((c) => [c, ctx.metrics.verifyOutcomes.child({ code: c })]));
  app.get(
    '/v1/verify',
    {
      schema: {
        summary: 'Forward-auth: verify the key in the request headers',
        tags: ['verify'],
        security: KEY_SECURITY,
        querystring: forwardAuthQuerySchema,
        response: { 200: verifyResultSchema, ...ERROR_RESPONSES },
      },
      config: PUBLIC,
    },
    async (request, reply): Promise<VerifyResponse> => {
      const presented = readPresentedKey(request.headers);
      if (!('key' in presented)) {
        outcome.get('MALFORMED')!.inc();
        reply.header('x-keywarden-verify-code', 'MALFORMED').header('www-authenticate', 'Bearer realm="keywarden"');
        throw new ApiError('unauthorized', 'missing' in presented ? undefined : `The API key could not be read: ${presented.malformed}.`);
      }
      const query = request.query as { requiredScopes?: string };
      const required = query.requiredScopes
        ? query.requiredScopes.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
        : [];
      const now = ctx.now();
      const check = await ctx.checker.check(presented.key, request.clientIp, required, now);
      outcome.get(check.code)!.inc();
      reply.header('x-keywarden-verify-code', check.code);
      if (check.rateLimit) reply.headers(rateLimitHeaders(check.rateLimit, now));
      if (check.code !== 'VALID') {
        auditor.record(request, check, 'GET /v1/verify');
        const code = ERROR_OF[check.code];
        if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="keywarden"');
        const message =
          check.code === 'INSUFFICIENT_SCOPE'
            ? `The API key lacks the scope(s) ${(check.missingScopes ?? []).join(', ')}.`
            : code === 'unauthorized'
              ? `The API key is not valid (${check.code}).`
              : undefined;
        throw new ApiError(code, message);
      }
      const { key } = check.match!;
      reply.headers({
        'x-keywarden-key-id': key.id,
        'x-keywarden-account': key.accountId,
        'x-keywarden-environment': key.environment,
        'x-keywarden-mode': key.mode,
        'x-keywarden-scopes': key.scopes.join(' '),
      });
      return verifyResult(check);
    },
  );
}
