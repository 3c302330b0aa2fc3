// DELETE /v1/keys/:id — revokes a key and all its versions; the record stays (audited).
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, checkEscalation, requireKey } from '../route-kit.js';
import { keyIdParamsSchema, keySchema } from '../schemas.js';
import { etagOf, keyView, revisionFromIfMatch } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Revoke a key (the record stays)',
        tags: ['keys'],
        security: KEY_SECURITY,
        params: keyIdParamsSchema,
        response: { 200: keySchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:write'),
    },
    async (request, reply): Promise<ApiKey> => {
      const actor = actorOf(request);
      const { id } = request.params as { id: string };
      const expected = revisionFromIfMatch(request.headers['if-match']);
      const current = await ctx.db(ctx.store.getKey(actor.key.accountId, id));
      if (!current) throw new ApiError('not_found', `No key ${id} in this account.`);
      if (expected !== undefined && expected !== current.revision) throw new ApiError('precondition_failed');
      await checkEscalation(ctx, request, actor, 'key.revoke', current, undefined);
      const alreadyRevoked = current.revokedAt !== null;
      const result = await ctx.db(ctx.store.revokeKey(actor.key.accountId, id, expected));
      if (result === 'not_found') throw new ApiError('not_found', `No key ${id} in this account.`);
      if (result === 'conflict') throw new ApiError('precondition_failed');
      ctx.checker.invalidateKeys([id]);
      if (!alreadyRevoked) {
        await ctx.audit(request, { action: 'key.revoke', outcome: 'success', keyId: id, details: { name: result.name } });
      }
      reply.header('etag', etagOf(result));
      return keyView(result, ctx.now());
    },
  );
}
