// GET /v1/whoami — the low-risk connectivity check: who the presented key is.
import type { FastifyInstance } from 'fastify';
import type { WhoamiResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ERROR_RESPONSES, KEY_SECURITY, requireKey } from '../route-kit.js';
import { whoamiSchema } from '../schemas.js';

export function register(app: FastifyInstance, _ctx: ServiceContext): void {
  app.get(
    '/v1/whoami',
    {
      schema: {
        summary: 'Describe the presented key',
        tags: ['keys'],
        security: KEY_SECURITY,
        response: { 200: whoamiSchema, ...ERROR_RESPONSES },
      },
      config: requireKey(),
    },
    async (request): Promise<WhoamiResponse> => {
      const { key, account } = actorOf(request);
      const rl = request.rateLimit;
      return {
        keyId: key.id,
        name: key.name,
        account: { id: account.id, name: account.name },
        environment: key.environment,
        mode: key.mode,
        scopes: [...key.scopes],
        ratelimit: { limit: rl?.limit ?? 0, remaining: rl?.remaining ?? 0, reset: rl?.resetAt ?? 0 },
      };
    },
  );
}
