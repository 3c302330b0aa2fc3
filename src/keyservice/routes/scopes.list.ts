// GET /v1/scopes — the service's scope catalog (management scopes + configured ones).
import type { FastifyInstance } from 'fastify';
import type { ScopeCatalogResponse } from '../api-types.js';
import type { ServiceContext } from '../context.js';
import { ERROR_RESPONSES, KEY_SECURITY, requireKey } from '../route-kit.js';
import { scopeCatalogSchema } from '../schemas.js';
import { scopeCatalog } from '../scopes.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  const catalog: ScopeCatalogResponse = { items: scopeCatalog(ctx.options.scopes) };
  app.get(
    '/v1/scopes',
    {
      schema: {
        summary: 'The scope catalog',
        tags: ['scopes'],
        security: KEY_SECURITY,
        response: { 200: scopeCatalogSchema, ...ERROR_RESPONSES },
      },
      config: requireKey(),
    },
    async (): Promise<ScopeCatalogResponse> => catalog,
  );
}
