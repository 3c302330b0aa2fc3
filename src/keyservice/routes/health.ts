// GET /healthz (the process answers), GET /readyz (the database answers), GET /metrics.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, PUBLIC } from '../route-kit.js';
import { healthSchema } from '../schemas.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', tags: ['health'], response: { 200: healthSchema } }, config: PUBLIC },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: { summary: 'Readiness: the database answers', tags: ['health'], response: { 200: healthSchema, ...ERROR_RESPONSES } },
      config: PUBLIC,
    },
    async () => {
      try {
        await ctx.db(ctx.store.ping());
      } catch (err) {
        throw new ApiError('service_unavailable', 'The database does not answer.', { cause: err });
      }
      return { status: 'ready' };
    },
  );
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['health'], produces: ['text/plain'] }, config: PUBLIC },
    async (_request, reply) => {
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
