// Audits verify failures of keys that exist (revoked, disabled, expired, wrong IP, missing
// scope) — at most once per key and code per minute (ctx.auditFailure), so a client hammering
// with a revoked key cannot turn the audit log into a write per request. Unknown and malformed
// keys are counted in metrics only (they belong to no account).
import type { FastifyRequest } from 'fastify';
import type { ServiceContext } from './context.js';
import type { KeyCheck } from './key-check.js';

export class VerifyAuditor {
  constructor(private readonly ctx: ServiceContext) {}

  record(request: FastifyRequest, check: KeyCheck, route: string): void {
    if (check.code === 'VALID' || check.code === 'RATE_LIMITED' || !check.match) return;
    this.ctx.auditFailure(request, `${check.match.key.id}/${check.code}`, {
      accountId: check.match.key.accountId,
      action: 'verify.failure',
      outcome: 'failure',
      keyId: check.match.key.id,
      details: { code: check.code, versionId: check.match.version.id, displayPrefix: check.match.version.displayPrefix, route },
    });
  }
}
