// DELETE /v1/keys/:id/versions/:versionId — revokes one secret version (e.g. the old one
// after a rotation's overlap). Needs keys:write or keys:rotate.
import type { FastifyInstance } from 'fastify';
import type { ApiKeyVersion } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, checkEscalation, requireKey } from '../route-kit.js';
import { versionParamsSchema, versionSchema } from '../schemas.js';
import { versionView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.delete(
    '/v1/keys/:id/versions/:versionId',
    {
      schema: {
        summary: 'Revoke one secret version',
        tags: ['keys'],
        security: KEY_SECURITY,
        params: versionParamsSchema,
        response: { 200: versionSchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:write', 'keys:rotate'),
    },
    async (request): Promise<ApiKeyVersion> => {
      const actor = actorOf(request);
      const { id, versionId } = request.params as { id: string; versionId: string };
      const current = await ctx.db(ctx.store.getKey(actor.key.accountId, id));
      if (!current) throw new ApiError('not_found', `No key ${id} in this account.`);
      await checkEscalation(ctx, request, actor, 'key.version.revoke', current, undefined);
      const version = await ctx.db(ctx.store.revokeVersion(actor.key.accountId, id, versionId));
      if (version === 'not_found') throw new ApiError('not_found', `No version ${versionId} of key ${id} in this account.`);
      ctx.checker.invalidateKeys([id]);
      await ctx.audit(request, {
        action: 'key.version.revoke',
        outcome: 'success',
        keyId: id,
        details: { versionId, number: version.number, displayPrefix: version.displayPrefix },
      });
      return versionView(version, ctx.now());
    },
  );
}
