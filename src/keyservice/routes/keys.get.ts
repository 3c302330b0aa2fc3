// GET /v1/keys/:id — one key of the caller's account (404 for any other account's key).
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, requireKey } from '../route-kit.js';
import { keyIdParamsSchema, keySchema } from '../schemas.js';
import { etagOf, keyView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/keys/:id',
    {
      schema: {
        summary: 'Get a key',
        tags: ['keys'],
        security: KEY_SECURITY,
        params: keyIdParamsSchema,
        response: { 200: keySchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:read'),
    },
    async (request, reply): Promise<ApiKey> => {
      const actor = actorOf(request);
      const { id } = request.params as { id: string };
      const key = await ctx.db(ctx.store.getKey(actor.key.accountId, id));
      if (!key) throw new ApiError('not_found', `No key ${id} in this account.`);
      reply.header('etag', etagOf(key));
      return keyView(key, ctx.now());
    },
  );
}
