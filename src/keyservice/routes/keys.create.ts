// POST /v1/keys — creates a key in the caller's account and returns its secret, once.
import type { FastifyInstance } from 'fastify';
import type { CreateKeyRequest, CreateKeyResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { digestKey, displayPrefix, generateKey } from '../key-format.js';
import { ERROR_RESPONSES, KEY_SECURITY, checkEscalation, checkKeyFields, msOf, requireKey } from '../route-kit.js';
import { createdKeySchema, createKeyBodySchema } from '../schemas.js';
import { etagOf, keyView, versionView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/v1/keys',
    {
      schema: {
        summary: 'Create a key (the secret is returned once)',
        tags: ['keys'],
        security: KEY_SECURITY,
        body: createKeyBodySchema,
        response: { 201: createdKeySchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:write'),
    },
    async (request, reply): Promise<CreateKeyResponse> => {
      const actor = actorOf(request);
      const body = request.body as CreateKeyRequest;
      const now = ctx.now();
      checkKeyFields(ctx, body, now);
      await checkEscalation(ctx, request, actor, 'key.create', undefined, body.scopes);
      const mode = body.mode ?? 'test';
      const secret = generateKey(ctx.options.keyPrefix, mode);
      const prefix = displayPrefix(secret);
      const result = await ctx.db(
        ctx.store.createKey(
          {
            accountId: actor.key.accountId,
            name: body.name,
            environment: body.environment,
            integration: body.integration ?? null,
            service: body.service ?? null,
            mode,
            scopes: body.scopes ?? [],
            allowedCidrs: body.allowedCidrs ?? [],
            limits: body.limits ?? {},
            rateLimit: body.rateLimit ?? null,
            enabled: body.enabled ?? true,
            expiresAt: msOf(body.expiresAt) ?? null,
            metadata: body.metadata ?? {},
          },
          { digest: digestKey(secret, ctx.options.pepper), displayPrefix: prefix },
        ),
      );
      if (result === 'name_taken') {
        throw new ApiError('conflict', `A key named "${body.name}" already exists in this account. Choose another name or revoke that key.`);
      }
      if (result === 'account_not_found') throw new ApiError('not_found', 'The account of this API key no longer exists.');
      // Nothing cached can concern a new key: its secret was never presented before.
      await ctx.audit(request, {
        action: 'key.create',
        outcome: 'success',
        keyId: result.key.id,
        details: { name: result.key.name, scopes: result.key.scopes, displayPrefix: prefix },
      });
      reply
        .code(201)
        .header('etag', etagOf(result.key))
        .header('location', `/v1/keys/${result.key.id}`)
        .header('cache-control', 'no-store');
      return { key: keyView(result.key, now), version: versionView(result.version, now), secret };
    },
  );
}
