// GET /v1/keys/:id/versions — a key's secret versions, newest first (never the secrets).
import type { FastifyInstance } from 'fastify';
import type { ListVersionsResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, requireKey } from '../route-kit.js';
import { keyIdParamsSchema, versionListSchema } from '../schemas.js';
import { versionView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/keys/:id/versions',
    {
      schema: {
        summary: "List a key's secret versions",
        tags: ['keys'],
        security: KEY_SECURITY,
        params: keyIdParamsSchema,
        response: { 200: versionListSchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:read'),
    },
    async (request): Promise<ListVersionsResponse> => {
      const actor = actorOf(request);
      const { id } = request.params as { id: string };
      const versions = await ctx.db(ctx.store.listVersions(actor.key.accountId, id));
      if (versions === 'not_found') throw new ApiError('not_found', `No key ${id} in this account.`);
      const now = ctx.now();
      return { items: versions.map((v) => versionView(v, now)) };
    },
  );
}
