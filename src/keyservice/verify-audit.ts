// Audits verify failures of keys that exist (revoked, disabled, expired, wrong IP, missing
// scope) — at most once per key and code per minute, so a client hammering with a revoked key
// cannot turn the audit log into a write per request. Unknown and malformed keys are counted
// in metrics only (they belong to no account).
import type { FastifyRequest } from 'fastify';
import type { ServiceContext } from './context.js';
import type { KeyCheck } from './key-check.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export class VerifyAuditor {
  private readonly lastWritten = new Map<string, number>();

  constructor(private readonly ctx: ServiceContext) {}

  record(request: FastifyRequest, check: KeyCheck, route: string, now: number): void {
    if (check.code === 'VALID' || check.code === 'RATE_LIMITED' || !check.match) return;
    const id = `${check.match.key.id}/${check.code}`;
    const last = this.lastWritten.get(id);
    if (last !== undefined && now - last < WINDOW_MS) return;
    if (this.lastWritten.size >= MAX_TRACKED) this.lastWritten.clear();
    this.lastWritten.set(id, now);
    this.ctx
      .audit(request, {
        accountId: check.match.key.accountId,
        action: 'verify.failure',
        outcome: 'failure',
        keyId: check.match.key.id,
        details: { code: check.code, versionId: check.match.version.id, displayPrefix: check.match.version.displayPrefix, route },
      })
      .catch((err: unknown) => request.log.warn({ err }, 'audit write of a verify failure failed'));
  }
}
