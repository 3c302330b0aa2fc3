// POST /v1/keys/:id/rotate — adds a secret version (returned once); the previous one stays
// valid for `overlap` (`promotion: 'deferred'`: without an end until the new version is
// promoted, POST …/versions/:versionId/promote). A retry with the same Idempotency-Key returns the version the first
// call created (200, `replayed: true`, without the secret, which is not stored anywhere).
import type { FastifyInstance } from 'fastify';
import type { RotateKeyRequest, RotateKeyResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { digestKey, displayPrefix, generateKey } from '../key-format.js';
import { ERROR_RESPONSES, KEY_SECURITY, checkEscalation, overlapOfBody, requireKey } from '../route-kit.js';
import { keyIdParamsSchema, rotateBodySchema, rotatedKeySchema } from '../schemas.js';
import { etagOf, keyView, versionView } from '../views.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/v1/keys/:id/rotate',
    {
      schema: {
        summary: 'Rotate a key (new secret returned once; Idempotency-Key supported)',
        tags: ['keys'],
        security: KEY_SECURITY,
        params: keyIdParamsSchema,
        body: rotateBodySchema,
        response: { 200: rotatedKeySchema, 201: rotatedKeySchema, ...ERROR_RESPONSES },
      },
      config: requireKey('keys:rotate'),
    },
    async (request, reply): Promise<RotateKeyResponse> => {
      const actor = actorOf(request);
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as RotateKeyRequest;
      const idempotencyKey = request.headers['idempotency-key'];
      if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey))) {
        throw new ApiError('validation_failed', 'Idempotency-Key must be 1-255 printable ASCII characters without spaces.', {
          details: [{ field: 'headers.idempotency-key', message: 'must be 1-255 printable ASCII characters' }],
        });
      }
      const overlap = overlapOfBody(body.overlap);
      const promotion = body.promotion ?? 'immediate';
      const current = await ctx.db(ctx.store.getKey(actor.key.accountId, id));
      if (!current) throw new ApiError('not_found', `No key ${id} in this account.`);
      await checkEscalation(ctx, request, actor, 'key.rotate', current, undefined);
      const now = ctx.now();
      const secret = generateKey(ctx.options.keyPrefix, current.mode);
      const prefix = displayPrefix(secret);
      const result = await ctx.db(
        ctx.store.addVersion(
          actor.key.accountId,
          id,
          { digest: digestKey(secret, ctx.options.pepper), displayPrefix: prefix },
          {
            idempotencyKey: idempotencyKey ?? null,
            previousOverlapUntil: now + overlap,
            promotion,
            // What a retry must repeat (the overlap does not matter to a deferred rotation).
            fingerprint: promotion === 'deferred' ? 'deferred' : `immediate/${overlap}`,
          },
        ),
      );
      if (result === 'not_found') throw new ApiError('not_found', `No key ${id} in this account.`);
      if (result === 'revoked') throw new ApiError('conflict', 'The key is revoked; a revoked key cannot be rotated.');
      if (result === 'idempotency_key_reused') {
        throw new ApiError(
          'idempotency_key_reused',
          'This Idempotency-Key was already used to rotate this key with another overlap or promotion. Repeat the first request exactly, or send a new Idempotency-Key for a new rotation.',
          { details: [{ field: 'headers.idempotency-key', message: 'already used with other parameters' }] },
        );
      }
      ctx.checker.invalidateKeys([id]);
      reply.header('etag', etagOf(result.key)).header('cache-control', 'no-store');
      if (!result.created) {
        reply.code(200).header('idempotent-replayed', 'true');
        return { key: keyView(result.key, now), version: versionView(result.version, now), replayed: true };
      }
      await ctx.audit(request, {
        action: 'key.rotate',
        outcome: 'success',
        keyId: id,
        details: { versionId: result.version.id, number: result.version.number, displayPrefix: prefix, promotion, ...(promotion === 'immediate' ? { overlapMs: overlap } : {}) },
      });
      reply.code(201);
      return { key: keyView(result.key, now), version: versionView(result.version, now), secret, replayed: false };
    },
  );
}
