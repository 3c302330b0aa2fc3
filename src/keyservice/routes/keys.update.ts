// PATCH /v1/keys/:id — changes a key's identity fields; If-Match with the ETag guards
// against lost updates (412 when stale). The escalation rule applies (scopes.ts).
import type { FastifyInstance } from 'fastify';
import type { ApiKey, UpdateKeyRequest } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, checkEscalation, checkKeyFields, msOf, requireKey } from '../route-kit.js';
import { keyIdParamsSchema, keySchema, updateKeyBodySchema } from '../schemas.js';
import type { KeyPatch } from '../store/store.js';
import { etagOf, keyView, revisionFromIfMatch } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.patch(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Update a key (If-Match: ETag)',
        tags: ['keys'],
        security: KEY_SECURITY,
        params: keyIdParamsSchema,
        body: updateKeyBodySchema,
        response: { 200: keySchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:write'),
    },
    async (request, reply): Promise<ApiKey> => {
      const actor = actorOf(request);
      const { id } = request.params as { id: string };
      const body = request.body as UpdateKeyRequest;
      const now = ctx.now();
      const expected = revisionFromIfMatch(request.headers['if-match']);
      const current = await ctx.db(ctx.store.getKey(actor.key.accountId, id));
      if (!current) throw new ApiError('not_found', `No key ${id} in this account.`);
      if (expected !== undefined && expected !== current.revision) throw new ApiError('precondition_failed');
      checkKeyFields(ctx, body, now);
      await checkEscalation(ctx, request, actor, 'key.update', current, body.scopes);
      const patch: KeyPatch = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.environment !== undefined ? { environment: body.environment } : {}),
        ...(body.integration !== undefined ? { integration: body.integration } : {}),
        ...(body.service !== undefined ? { service: body.service } : {}),
        ...(body.scopes !== undefined ? { scopes: body.scopes } : {}),
        ...(body.allowedCidrs !== undefined ? { allowedCidrs: body.allowedCidrs } : {}),
        ...(body.limits !== undefined ? { limits: body.limits } : {}),
        ...(body.rateLimit !== undefined ? { rateLimit: body.rateLimit } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.expiresAt !== undefined ? { expiresAt: msOf(body.expiresAt) ?? null } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      };
      const result = await ctx.db(ctx.store.updateKey(actor.key.accountId, id, patch, expected ?? current.revision));
      switch (result) {
        case 'not_found':
          throw new ApiError('not_found', `No key ${id} in this account.`);
        case 'conflict':
          throw new ApiError('precondition_failed');
        case 'name_taken':
          throw new ApiError('conflict', `A key named "${body.name ?? ''}" already exists in this account.`);
        case 'revoked':
          throw new ApiError('conflict', 'The key is revoked; a revoked key cannot change.');
      }
      ctx.checker.invalidateKeys([id]);
      await ctx.audit(request, {
        action: 'key.update',
        outcome: 'success',
        keyId: id,
        details: { fields: Object.keys(patch).sort(), revision: result.revision },
      });
      reply.header('etag', etagOf(result));
      return keyView(result, now);
    },
  );
}
