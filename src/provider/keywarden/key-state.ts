// Between a key as the key service shows it and the `keywarden_api_key` object Terraform keeps:
// the request bodies of create and update, and the state read back. Reading keeps the user's
// spelling where the service's is equivalent (a timestamp in another form, `60m` for `1h`,
// an empty set written as null), so refreshing never shows a change that is none.
import type { ApiKey, CreateKeyRequest, UpdateKeyRequest } from '../../client/index.js';
import { isObjectValue, type TfObject, type TfValue } from '../plugin/index.js';
import { formatDurationSeconds, parseDurationSeconds } from './durations.js';

const str = (v: TfValue | undefined): string | null => (typeof v === 'string' ? v : null);
const strings = (v: TfValue | undefined): string[] => (Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : []);
const stringMap = (v: TfValue | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isObjectValue(v)) for (const [k, e] of Object.entries(v)) if (typeof e === 'string') out[k] = e;
  return out;
};

/** The rate limit of a `rate_limit` block value, or null. */
export function rateLimitOf(v: TfValue | undefined): { requests: number; windowSeconds: number } | null {
  if (!isObjectValue(v)) return null;
  const requests = typeof v.requests === 'number' ? v.requests : Number(v.requests);
  const windowSeconds = typeof v.per === 'string' ? parseDurationSeconds(v.per) : undefined;
  if (!Number.isFinite(requests) || windowSeconds === undefined) return null;
  return { requests, windowSeconds };
}

/** expires_at for a plan: the configured time, or now + expires_after, or null. */
export function expiresAtOf(object: TfObject, now: Date): string | null {
  const at = str(object.expires_at);
  if (at !== null) return at;
  const after = str(object.expires_after);
  const seconds = after === null ? undefined : parseDurationSeconds(after);
  return seconds === undefined ? null : new Date(now.getTime() + seconds * 1000).toISOString();
}

/** The fields the key service stores, from a planned object (expires_at already resolved). */
function keyFields(planned: TfObject) {
  return {
    name: str(planned.name) ?? '',
    environment: str(planned.environment) ?? '',
    integration: str(planned.integration),
    service: str(planned.service),
    scopes: strings(planned.scopes),
    allowedCidrs: strings(planned.allowed_cidrs),
    limits: stringMap(planned.limits),
    rateLimit: rateLimitOf(planned.rate_limit),
    enabled: planned.enabled !== false,
    expiresAt: str(planned.expires_at),
    metadata: stringMap(planned.metadata),
  };
}

/** The create request of a planned key. */
export function createRequestOf(planned: TfObject): CreateKeyRequest {
  const mode = str(planned.mode);
  return { ...keyFields(planned), ...(mode === 'live' || mode === 'test' ? { mode } : {}) };
}

/** The fields that differ between the planned and the prior object, as a PATCH body (undefined: none). */
export function updateRequestOf(planned: TfObject, prior: TfObject): UpdateKeyRequest | undefined {
  const next = keyFields(planned);
  const before = keyFields(prior);
  const patch: Record<string, unknown> = {};
  for (const field of Object.keys(next) as (keyof typeof next)[]) {
    if (field === 'environment') continue; // replaced, never patched
    const a = next[field];
    const b = before[field];
    const same = Array.isArray(a) && Array.isArray(b) ? sameMembers(a, b) : field === 'expiresAt' ? sameInstant(a as string | null, b as string | null) : stableJson(a) === stableJson(b);
    if (!same) patch[field] = a;
  }
  return Object.keys(patch).length > 0 ? (patch as UpdateKeyRequest) : undefined;
}

/**
 * The state of `key`. `prior` (the last state or plan) supplies what the service does not
 * keep (expires_after, delivery blocks) and the user's spelling of equivalent values.
 */
export function stateOfKey(key: ApiKey, prior: TfObject | null): TfObject {
  const priorSet = (name: string, values: readonly string[]): TfValue => (values.length === 0 && (prior?.[name] ?? null) === null ? null : [...values].sort());
  const priorMap = (name: string, values: Record<string, string | number | boolean | null>): TfValue => {
    const entries = Object.entries(values).filter((e): e is [string, string | number | boolean] => e[1] !== null);
    if (entries.length === 0 && (prior?.[name] ?? null) === null) return null;
    return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  };
  const priorExpires = str(prior?.expires_at);
  const expiresAt = key.expiresAt === null ? null : priorExpires !== null && sameInstant(priorExpires, key.expiresAt) ? priorExpires : key.expiresAt;
  let rateLimit: TfValue = null;
  if (key.rateLimit) {
    const priorRate = rateLimitOf(prior?.rate_limit);
    const per = priorRate?.windowSeconds === key.rateLimit.windowSeconds && prior !== null && isObjectValue(prior.rate_limit) ? (str(prior.rate_limit.per) ?? '') : formatDurationSeconds(key.rateLimit.windowSeconds);
    rateLimit = { requests: key.rateLimit.requests, per };
  }
  return {
    id: key.id,
    name: key.name,
    environment: key.environment,
    integration: key.integration,
    service: key.service,
    mode: key.mode,
    scopes: priorSet('scopes', key.scopes),
    allowed_cidrs: priorSet('allowed_cidrs', key.allowedCidrs),
    limits: priorMap('limits', key.limits),
    rate_limit: rateLimit,
    expires_at: expiresAt,
    expires_after: prior?.expires_after ?? null,
    // Null means enabled: keep it null unless the configuration spelled it out.
    enabled: key.enabled ? (prior?.enabled === true ? true : null) : false,
    metadata: priorMap('metadata', key.metadata),
    key_prefix: key.displayPrefix,
    current_version: key.currentVersionId,
    created_at: key.createdAt,
    aws_secrets_manager: prior?.aws_secrets_manager ?? [],
    kubernetes_secret: prior?.kubernetes_secret ?? [],
    file: prior?.file ?? [],
  };
}

function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && stableJson([...a].sort()) === stableJson([...b].sort());
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a === b : ta === tb;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
