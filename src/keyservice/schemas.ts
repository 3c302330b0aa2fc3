// The HTTP API's JSON Schemas: the single source of truth for validation, response
// serialization (fast-json-stringify), /openapi.json and the wire types (api-types.ts).
// Every schema is `as const` so json-schema-to-ts can derive its type.
import { LIMITS } from './options.js';
import { SCOPE_PATTERN } from './scopes.js';
import { VERIFY_CODES } from './key-check.js';

const NAME = { type: 'string', minLength: 1, maxLength: LIMITS.nameLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const LABEL = { type: 'string', minLength: 1, maxLength: LIMITS.nameLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const NULLABLE_LABEL = { ...LABEL, type: ['string', 'null'] } as const;
const TIMESTAMP = { type: 'string', format: 'date-time' } as const;
const NULLABLE_TIMESTAMP = { type: ['string', 'null'], format: 'date-time' } as const;
const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const scopeListSchema = {
  type: 'array',
  maxItems: LIMITS.scopes,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: LIMITS.scopeLength, pattern: SCOPE_PATTERN },
} as const;

export const cidrListSchema = {
  type: 'array',
  maxItems: LIMITS.cidrs,
  uniqueItems: true,
  items: { type: 'string', minLength: 2, maxLength: 64 },
} as const;

export const limitsSchema = {
  type: 'object',
  maxProperties: LIMITS.limitsEntries,
  propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' },
  additionalProperties: { type: ['string', 'number', 'boolean'], maxLength: LIMITS.metadataValueLength },
} as const;

export const metadataSchema = {
  type: 'object',
  maxProperties: LIMITS.metadataEntries,
  propertyNames: { maxLength: 64 },
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'], maxLength: LIMITS.metadataValueLength },
} as const;

export const rateLimitSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['requests', 'windowSeconds'],
  properties: {
    requests: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    windowSeconds: { type: 'integer', minimum: 1, maximum: 31 * 24 * 3600 },
  },
} as const;

export const keyStatusSchema = { type: 'string', enum: ['active', 'disabled', 'expired', 'revoked'] } as const;
export const modeSchema = { type: 'string', enum: ['live', 'test'] } as const;

/** A key as the API shows it: never its secret (always `********`). */
export const keySchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id', 'name', 'account', 'environment', 'integration', 'service', 'mode', 'scopes', 'allowedCidrs', 'limits',
    'rateLimit', 'enabled', 'status', 'expiresAt', 'metadata', 'revision', 'displayPrefix', 'secret', 'currentVersionId',
    'createdAt', 'updatedAt', 'revokedAt', 'lastUsedAt', 'usageCount',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    account: { type: 'string' },
    environment: { type: 'string' },
    integration: { type: ['string', 'null'] },
    service: { type: ['string', 'null'] },
    mode: modeSchema,
    scopes: { type: 'array', items: { type: 'string' } },
    allowedCidrs: { type: 'array', items: { type: 'string' } },
    limits: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    rateLimit: rateLimitSchema,
    enabled: { type: 'boolean' },
    status: keyStatusSchema,
    expiresAt: NULLABLE_TIMESTAMP,
    metadata: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    revision: { type: 'integer' },
    displayPrefix: { type: 'string' },
    secret: { type: 'string', const: '********' },
    currentVersionId: { type: 'string' },
    createdAt: TIMESTAMP,
    updatedAt: TIMESTAMP,
    revokedAt: NULLABLE_TIMESTAMP,
    lastUsedAt: NULLABLE_TIMESTAMP,
    usageCount: { type: 'integer' },
  },
} as const;

export const versionStatusSchema = { type: 'string', enum: ['active', 'rotated_out', 'revoked'] } as const;

/** One secret version (never the secret). */
export const versionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'keyId', 'number', 'displayPrefix', 'status', 'createdAt', 'overlapUntil', 'revokedAt', 'lastUsedAt', 'usageCount'],
  properties: {
    id: { type: 'string' },
    keyId: { type: 'string' },
    number: { type: 'integer' },
    displayPrefix: { type: 'string' },
    status: versionStatusSchema,
    createdAt: TIMESTAMP,
    overlapUntil: NULLABLE_TIMESTAMP,
    revokedAt: NULLABLE_TIMESTAMP,
    lastUsedAt: NULLABLE_TIMESTAMP,
    usageCount: { type: 'integer' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        docs: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;

export const ratelimitStateSchema = {
  type: 'object',
  required: ['limit', 'remaining', 'reset'],
  properties: {
    limit: { type: 'integer' },
    remaining: { type: 'integer' },
    /** Window reset, epoch milliseconds. */
    reset: { type: 'integer' },
  },
} as const;

export const keyIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: ID },
} as const;

export const versionParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'versionId'],
  properties: { id: ID, versionId: ID },
} as const;

const KEY_FIELDS = {
  name: NAME,
  environment: LABEL,
  integration: NULLABLE_LABEL,
  service: NULLABLE_LABEL,
  scopes: scopeListSchema,
  allowedCidrs: cidrListSchema,
  limits: limitsSchema,
  rateLimit: rateLimitSchema,
  enabled: { type: 'boolean' },
  expiresAt: NULLABLE_TIMESTAMP,
  metadata: metadataSchema,
} as const;

export const createKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'environment'],
  properties: { ...KEY_FIELDS, mode: modeSchema },
} as const;

/** A created key: the key and, this once, its secret. */
export const createdKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'secret'],
  properties: { key: keySchema, version: versionSchema, secret: { type: 'string' } },
} as const;

export const updateKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: KEY_FIELDS,
} as const;

export const listKeysQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Exact name: the account's non-revoked key of that name (a page of 0 or 1 item). */
    name: NAME,
    environment: LABEL,
    integration: LABEL,
    service: LABEL,
    status: keyStatusSchema,
    /** Page size (decimal digits; query strings are not coerced). */
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
    cursor: { type: 'string', minLength: 1, maxLength: 512 },
  },
} as const;

export const keyListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: keySchema }, nextCursor: { type: ['string', 'null'] } },
} as const;

/** A duration such as `24h`: `<n>s|m|h|d`. */
const OVERLAP = { type: 'string', pattern: '^[0-9]{1,7}[smhd]$' } as const;

export const rotateBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    /** How long the previous secrets stay valid once the new one is promoted: `<n>s|m|h|d`, e.g. `24h`; `0s` revokes them at once. Unused when deferred (the promotion names its own). */
    overlap: OVERLAP,
    /** `immediate` (default): the new version is current at once and older ones start their overlap. `deferred`: the new version is valid at once but older ones keep no end until `POST …/versions/{versionId}/promote`. */
    promotion: { type: 'string', enum: ['immediate', 'deferred'] },
  },
} as const;

export const promoteBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    /** How long the older secrets stay valid from now: `<n>s|m|h|d`, default `24h`; `0s` revokes them at once. Never extends an earlier, shorter end. */
    overlap: OVERLAP,
  },
} as const;

/** A promoted version: the key (the version is now current) and the older versions still valid, with their ends. */
export const promotedVersionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'previous'],
  properties: {
    key: keySchema,
    version: versionSchema,
    previous: { type: 'array', items: versionSchema },
  },
} as const;

export const rotatedKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'replayed'],
  properties: {
    key: keySchema,
    version: versionSchema,
    /** The new secret; absent when an Idempotency-Key replay returns the earlier version. */
    secret: { type: 'string' },
    replayed: { type: 'boolean' },
  },
} as const;

export const versionListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: versionSchema } },
} as const;

export const whoamiSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['keyId', 'name', 'account', 'environment', 'mode', 'scopes', 'ratelimit'],
  properties: {
    keyId: { type: 'string' },
    name: { type: 'string' },
    account: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
    },
    environment: { type: 'string' },
    mode: modeSchema,
    scopes: { type: 'array', items: { type: 'string' } },
    ratelimit: ratelimitStateSchema,
  },
} as const;

export const verifyBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: {
    key: { type: 'string', maxLength: 1024 },
    requiredScopes: { type: 'array', maxItems: LIMITS.scopes, items: { type: 'string', maxLength: LIMITS.scopeLength } },
    /** Where the key is being used; a key with an allowlist fails closed without it. */
    ip: { type: 'string', maxLength: 64 },
  },
} as const;

export const verifyResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['valid', 'code'],
  properties: {
    valid: { type: 'boolean' },
    code: { type: 'string', enum: VERIFY_CODES },
    keyId: { type: 'string' },
    account: { type: 'string' },
    environment: { type: 'string' },
    mode: modeSchema,
    scopes: { type: 'array', items: { type: 'string' } },
    limits: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    missingScopes: { type: 'array', items: { type: 'string' } },
    ratelimit: ratelimitStateSchema,
  },
} as const;

export const forwardAuthQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Comma-separated scopes the key must hold. */
    requiredScopes: { type: 'string', maxLength: 2048 },
  },
} as const;

export const auditEventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'at', 'account', 'action', 'actorKeyId', 'keyId', 'ip', 'requestId', 'outcome', 'details'],
  properties: {
    id: { type: 'string' },
    at: TIMESTAMP,
    account: { type: ['string', 'null'] },
    action: { type: 'string' },
    actorKeyId: { type: ['string', 'null'] },
    keyId: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    requestId: { type: ['string', 'null'] },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const auditQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    action: { type: 'string', maxLength: 64 },
    keyId: ID,
    actorKeyId: ID,
    outcome: { type: 'string', enum: ['success', 'failure'] },
    since: TIMESTAMP,
    until: TIMESTAMP,
    /** Every account's events (needs accounts:admin). */
    allAccounts: { type: 'string', enum: ['true', 'false'] },
    /** Page size (decimal digits; query strings are not coerced). */
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
    cursor: { type: 'string', minLength: 1, maxLength: 512 },
  },
} as const;

export const auditListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: auditEventSchema }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const scopeCatalogSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'description', 'management'],
        properties: { name: { type: 'string' }, description: { type: 'string' }, management: { type: 'boolean' } },
      },
    },
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;
