// GET /v1/keys — the account's keys, paginated, filtered; secrets never shown.
import type { FastifyInstance } from 'fastify';
import type { ListKeysQuery, ListKeysResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ERROR_RESPONSES, KEY_SECURITY, pageOf, requireKey } from '../route-kit.js';
import { keyListSchema, listKeysQuerySchema } from '../schemas.js';
import { keyStatus } from '../store/store.js';
import { keyView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/keys',
    {
      schema: {
        summary: 'List keys',
        tags: ['keys'],
        security: KEY_SECURITY,
        querystring: listKeysQuerySchema,
        response: { 200: keyListSchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:read'),
    },
    async (request): Promise<ListKeysResponse> => {
      const actor = actorOf(request);
      const query = request.query as ListKeysQuery;
      const now = ctx.now();
      if (query.name !== undefined) {
        // Names are unique among an account's non-revoked keys: one indexed lookup.
        const page = pageOf(ctx, query);
        const key = await ctx.db(ctx.store.getKeyByName(actor.key.accountId, query.name));
        const matches =
          key !== undefined &&
          (query.environment === undefined || key.environment === query.environment) &&
          (query.integration === undefined || key.integration === query.integration) &&
          (query.service === undefined || key.service === query.service) &&
          (query.status === undefined || keyStatus(key, now) === query.status) &&
          page.cursor === null;
        return { items: matches ? [keyView(key, now)] : [], nextCursor: null };
      }
      const page = await ctx.db(
        ctx.store.listKeys(
          actor.key.accountId,
          { environment: query.environment, integration: query.integration, service: query.service, status: query.status },
          pageOf(ctx, query),
        ),
      );
      return { items: page.items.map((k) => keyView(k, now)), nextCursor: page.nextCursor };
    },
  );
}
