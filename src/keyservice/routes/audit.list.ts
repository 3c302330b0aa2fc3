// GET /v1/audit — the account's audit events, newest first, filtered; with
// allAccounts=true (accounts:admin) every account's, including unattributed failures.
import type { FastifyInstance } from 'fastify';
import type { AuditQuery, ListAuditResponse } from '../api-types.js';
import { actorOf } from '../context.js';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ERROR_RESPONSES, KEY_SECURITY, pageOf, requireKey } from '../route-kit.js';
import { auditListSchema, auditQuerySchema } from '../schemas.js';
import { auditView } from '../views.js';

export function register(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/audit',
    {
      schema: {
        summary: 'List audit events',
        tags: ['audit'],
        security: KEY_SECURITY,
        querystring: auditQuerySchema,
        response: { 200: auditListSchema, ...ERROR_RESPONSES },
      },
      config: requireKey('audit:read', 'accounts:admin'),
    },
    async (request): Promise<ListAuditResponse> => {
      const actor = actorOf(request);
      const query = request.query as AuditQuery;
      const scopes = actor.key.scopes;
      if (query.allAccounts === 'true' && !scopes.includes('accounts:admin')) {
        throw new ApiError('forbidden', 'allAccounts=true needs the scope accounts:admin.');
      }
      if (query.allAccounts !== 'true' && !scopes.includes('audit:read')) {
        throw new ApiError('forbidden', "Reading this account's audit log needs the scope audit:read.");
      }
      const page = await ctx.db(
        ctx.store.listAudit(
          query.allAccounts === 'true' ? null : actor.key.accountId,
          {
            action: query.action,
            keyId: query.keyId,
            actorKeyId: query.actorKeyId,
            outcome: query.outcome,
            since: query.since === undefined ? undefined : Date.parse(query.since),
            until: query.until === undefined ? undefined : Date.parse(query.until),
          },
          pageOf(ctx, query),
        ),
      );
      return { items: page.items.map(auditView), nextCursor: page.nextCursor };
    },
  );
}
