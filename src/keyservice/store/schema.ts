// Table shapes as kysely sees them. Portable column types, the same on SQLite and PostgreSQL:
// timestamps are bigint epoch milliseconds, JSON is text, booleans are 0/1 integers.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: string;
  environment: string;
  integration: string | null;
  service: string | null;
  mode: string;
  /** JSON array of strings. */
  scopes: string;
  /** JSON array of CIDR strings. */
  allowed_cidrs: string;
  /** JSON object. */
  limits: string;
  /** JSON `{requests, windowSeconds}` or null. */
  rate_limit: string | null;
  /** 0 or 1. */
  enabled: number;
  expires_at: number | null;
  /** JSON object. */
  metadata: string;
  revision: number;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  current_version_id: string;
  display_prefix: string;
  last_used_at: number | null;
  usage_count: number;
}

export interface KeyVersionsTable {
  id: string;
  key_id: string;
  account_id: string;
  number: number;
  digest: string;
  display_prefix: string;
  idempotency_key: string | null;
  /** The parameters of the rotation that made it (with idempotency_key: a reuse with others is refused); null when unknown. */
  idempotency_fingerprint: string | null;
  created_at: number;
  overlap_until: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  usage_count: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  account_id: string | null;
  at: number;
  action: string;
  actor_key_id: string | null;
  key_id: string | null;
  ip: string | null;
  request_id: string | null;
  outcome: string;
  /** JSON object. */
  details: string;
}

export interface StoreDatabase {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  key_versions: KeyVersionsTable;
  audit_events: AuditEventsTable;
}
