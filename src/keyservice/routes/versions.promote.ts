// POST /v1/keys/:id/versions/:versionId/promote — ends a deferred rotation: the version becomes
// current and every older, unrevoked version stays valid for `overlap` from now (never longer
// than an end it already has). Idempotent: promoting again changes nothing and answers the same.
// A rollback instead revokes the pending version (DELETE …/versions/:versionId); the older ones
// were never given an end. Needs keys:rotate, like rotate.
import type { FastifyInstance } from 'fastify';
import type { PromoteVersionRequest, PromoteVersionResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, checkEscalation, overlapOfBody, requireKey } from '../route-kit.js';
import { promoteBodySchema, promotedVersionSchema, versionParamsSchema } from '../schemas.js';
import { etagOf, keyView, versionView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/v1/keys/:id/versions/:versionId/promote',
    {
      schema: {
        summary: 'Promote a secret version made by a deferred rotation (older versions start their overlap)',
        tags: ['keys'],
        security: KEY_SECURITY,
        params: versionParamsSchema,
        body: promoteBodySchema,
        response: { 200: promotedVersionSchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:rotate'),
    },
    async (request, reply): Promise<PromoteVersionResponse> => {
      const actor = actorOf(request);
      const { id, versionId } = request.params as { id: string; versionId: string };
      const body = (request.body ?? {}) as PromoteVersionRequest;
      const overlap = overlapOfBody(body.overlap);
      const current = await ctx.db(ctx.store.getKey(actor.key.accountId, id));
      if (!current) throw new ApiError('not_found', `No key ${id} in this account.`);
      await checkEscalation(ctx, request, actor, 'key.version.promoted', current, undefined);
      const now = ctx.now();
      const result = await ctx.db(ctx.store.promoteVersion(actor.key.accountId, id, versionId, now + overlap));
      switch (result) {
        case 'not_found':
          throw new ApiError('not_found', `No version ${versionId} of key ${id} in this account.`);
        case 'revoked':
          throw new ApiError('conflict', `Version ${versionId} or its key is revoked (or past its overlap); a revoked version cannot be promoted.`);
        case 'superseded':
          throw new ApiError('conflict', `Version ${versionId} is older than the key's current version; rotate again instead of promoting it.`);
      }
      if (result.changed) {
        ctx.checker.invalidateKeys([id]);
        await ctx.audit(request, {
          action: 'key.version.promoted',
          outcome: 'success',
          keyId: id,
          details: {
            versionId,
            number: result.version.number,
            displayPrefix: result.version.displayPrefix,
            overlapMs: overlap,
            previousVersionIds: result.previous.map((v) => v.id),
          },
        });
      }
      reply.header('etag', etagOf(result.key)).header('cache-control', 'no-store');
      return { key: keyView(result.key, now), version: versionView(result.version, now), previous: result.previous.map((v) => versionView(v, now)) };
    },
  );
}
