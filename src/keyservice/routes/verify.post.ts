// POST /v1/verify — for gateways and services: is this key valid for this use?
// Always 200 with {valid, code, …} for a well-formed request (the body carries the answer);
// the presented key is the credential, so the route needs no other key. Hot path: keep lean.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VerifyRequest, VerifyResponse } from '../api-types.js';
import { parseAddress } from '../cidr.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { VERIFY_CODES } from '../key-check.js';
import type { KeyCheck, VerifyCode } from '../key-check.js';
import { ERROR_RESPONSES, PUBLIC } from '../route-kit.js';
import { verifyBodySchema, verifyResultSchema } from '../schemas.js';
import type { VerifyAuditor } from '../verify-audit.js';
import { validResultJson, verifyResult } from '../verify-result.js';

const NO_SCOPES: readonly string[] = [];

export function register(app: FastifyInstance, ctx: ServiceContext, auditor: VerifyAuditor): void {
  const outcome = new Map<VerifyCode, { inc(): void }>(VERIFY_CODES.map((c) => [c, ctx.metrics.verifyOutcomes.child({ code: c })]));
  app.post(
    '/v1/verify',
    {
      schema: {
        summary: 'Verify a key',
        tags: ['verify'],
        body: verifyBodySchema,
        response: { 200: verifyResultSchema, ...ERROR_RESPONSES },
      },
      config: PUBLIC,
    },
    // Not async: a check answered from the cache with an in-memory rate limit is sent at once
    // (fastify sends a returned value; a returned promise when the check needs the database).
    (request, reply): VerifyResponse | string | Promise<VerifyResponse | string> => {
      const body = request.body as VerifyRequest;
      if (body.ip !== undefined && parseAddress(body.ip) === undefined) {
        throw new ApiError('validation_failed', 'ip must be an IPv4 or IPv6 address.', {
          details: [{ field: 'body.ip', message: 'must be an IPv4 or IPv6 address' }],
        });
      }
      const check = ctx.checker.check(body.key, body.ip, body.requiredScopes ?? NO_SCOPES, ctx.now());
      return check instanceof Promise ? check.then((done) => answer(done, request, reply, outcome, auditor)) : answer(check, request, reply, outcome, auditor);
    },
  );
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Counts the outcome, audits a failure, and builds the answer (a function, not a closure per
 * request). A VALID answer is sent as JSON text already serialized (fastify sends a string
 * with a JSON content type as it is), the others through the response schema.
 */
function answer(
  check: KeyCheck,
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: ReadonlyMap<VerifyCode, { inc(): void }>,
  auditor: VerifyAuditor,
): VerifyResponse | string {
  outcome.get(check.code)!.inc();
  if (check.code === 'VALID') {
    reply.header('content-type', JSON_TYPE);
    return validResultJson(check as KeyCheck & { code: 'VALID' });
  }
  auditor.record(request, check, '/v1/verify');
  return verifyResult(check);
}
