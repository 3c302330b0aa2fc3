// Every route of the key service, one file each.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { VerifyAuditor } from '../verify-audit.js';
import * as auditList from './audit.list.js';
import * as health from './health.js';
import * as keysCreate from './keys.create.js';
import * as keysGet from './keys.get.js';
import * as keysList from './keys.list.js';
import * as keysRevoke from './keys.revoke.js';
import * as keysRotate from './keys.rotate.js';
import * as keysUpdate from './keys.update.js';
import * as scopesList from './scopes.list.js';
import * as verifyForward from './verify.forward.js';
import * as verifyPost from './verify.post.js';
import * as versionsList from './versions.list.js';
import * as versionsPromote from './versions.promote.js';
import * as versionsRevoke from './versions.revoke.js';
import * as whoami from './whoami.js';

export function registerRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const auditor = new VerifyAuditor(ctx);
  for (const route of [keysCreate, keysList, keysGet, keysUpdate, keysRevoke, keysRotate, versionsList, versionsRevoke, versionsPromote, whoami, scopesList, auditList, health]) {
    route.register(app, ctx);
  }
  verifyPost.register(app, ctx, auditor);
  verifyForward.register(app, ctx, auditor);
}
