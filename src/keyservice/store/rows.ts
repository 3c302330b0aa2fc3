// Row ↔ record conversion. pg returns int8 as strings unless told otherwise; the PostgreSQL
// pool parses them (open-store.ts), and Number() here keeps both dialects honest anyway.
import type { Selectable } from 'kysely';
import type { Account, AuditEvent, AuditOutcome, KeyLimits, KeyMetadata, KeyMode, KeyRecord, KeyVersion, RateLimit } from './store.js';
import type { AccountsTable, ApiKeysTable, AuditEventsTable, KeyVersionsTable } from './schema.js';

function num(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

function numOrNull(value: number | string | null): number | null {
  return value === null ? null : num(value);
}

export function toAccount(row: Selectable<AccountsTable>): Account {
  return { id: row.id, name: row.name, createdAt: num(row.created_at) };
}

export function toKey(row: Selectable<ApiKeysTable>): KeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    environment: row.environment,
    integration: row.integration,
    service: row.service,
    mode: row.mode as KeyMode,
    scopes: JSON.parse(row.scopes) as string[],
    allowedCidrs: JSON.parse(row.allowed_cidrs) as string[],
    limits: JSON.parse(row.limits) as KeyLimits,
    rateLimit: row.rate_limit === null ? null : (JSON.parse(row.rate_limit) as RateLimit),
    enabled: num(row.enabled) === 1,
    expiresAt: numOrNull(row.expires_at),
    metadata: JSON.parse(row.metadata) as KeyMetadata,
    revision: num(row.revision),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    revokedAt: numOrNull(row.revoked_at),
    currentVersionId: row.current_version_id,
    displayPrefix: row.display_prefix,
    lastUsedAt: numOrNull(row.last_used_at),
    usageCount: num(row.usage_count),
  };
}

export function toVersion(row: Selectable<KeyVersionsTable>): KeyVersion {
  return {
    id: row.id,
    keyId: row.key_id,
    accountId: row.account_id,
    number: num(row.number),
    digest: row.digest,
    displayPrefix: row.display_prefix,
    idempotencyKey: row.idempotency_key,
    createdAt: num(row.created_at),
    overlapUntil: numOrNull(row.overlap_until),
    revokedAt: numOrNull(row.revoked_at),
    lastUsedAt: numOrNull(row.last_used_at),
    usageCount: num(row.usage_count),
  };
}

export function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: String(row.id),
    accountId: row.account_id,
    action: row.action,
    actorKeyId: row.actor_key_id,
    keyId: row.key_id,
    ip: row.ip,
    requestId: row.request_id,
    outcome: row.outcome as AuditOutcome,
    details: JSON.parse(row.details) as Record<string, unknown>,
    at: num(row.at),
  };
}

/** Builds a row object from `columns` and the values of an array row starting at `offset`. */
export function rowFromValues<T>(columns: readonly (keyof T & string)[], values: readonly unknown[], offset: number): T {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i += 1) row[columns[i]!] = values[offset + i];
  return row as T;
}
