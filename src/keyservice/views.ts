// Store records → wire objects (api-types.ts). Secrets never leave: a key shows `********`.
import type { ApiKey, ApiKeyVersion, AuditEventView } from './api-types.js';
import { keyStatus, versionStatus } from './store/store.js';
import type { AuditEvent, KeyRecord, KeyVersion } from './store/store.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const MASKED_SECRET = '********';

export function keyView(key: KeyRecord, now: number): ApiKey {
  return {
    id: key.id,
    name: key.name,
    account: key.accountId,
    environment: key.environment,
    integration: key.integration,
    service: key.service,
    mode: key.mode,
    scopes: [...key.scopes],
    allowedCidrs: [...key.allowedCidrs],
    limits: { ...key.limits },
    rateLimit: key.rateLimit ? { requests: key.rateLimit.requests, windowSeconds: key.rateLimit.windowSeconds } : null,
    enabled: key.enabled,
    status: keyStatus(key, now),
    expiresAt: isoOrNull(key.expiresAt),
    metadata: { ...(key.metadata as Record<string, string | number | boolean | null>) },
    revision: key.revision,
    displayPrefix: key.displayPrefix,
    secret: MASKED_SECRET,
    currentVersionId: key.currentVersionId,
    createdAt: iso(key.createdAt),
    updatedAt: iso(key.updatedAt),
    revokedAt: isoOrNull(key.revokedAt),
    lastUsedAt: isoOrNull(key.lastUsedAt),
    usageCount: key.usageCount,
  };
}

export function versionView(version: KeyVersion, now: number): ApiKeyVersion {
  return {
    id: version.id,
    keyId: version.keyId,
    number: version.number,
    displayPrefix: version.displayPrefix,
    status: versionStatus(version, now),
    createdAt: iso(version.createdAt),
    overlapUntil: isoOrNull(version.overlapUntil),
    revokedAt: isoOrNull(version.revokedAt),
    lastUsedAt: isoOrNull(version.lastUsedAt),
    usageCount: version.usageCount,
  };
}

export function auditView(event: AuditEvent): AuditEventView {
  return {
    id: event.id,
    at: iso(event.at),
    account: event.accountId,
    action: event.action,
    actorKeyId: event.actorKeyId,
    keyId: event.keyId,
    ip: event.ip,
    requestId: event.requestId,
    outcome: event.outcome,
    details: { ...event.details },
  };
}

/** The key's ETag: its revision, strong. */
export function etagOf(key: KeyRecord): string {
  return `"${key.revision}"`;
}

/**
 * The revision an If-Match header asks for: undefined when absent or `*`, NaN when it names
 * no revision of ours (which then never matches).
 */
export function revisionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const m = /^(?:W\/)?"(\d{1,15})"$/.exec(value);
  return m ? Number(m[1]) : Number.NaN;
}
