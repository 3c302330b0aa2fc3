// Wire types of the HTTP API, derived from the route schemas (never written twice).
// Clients may `import type` from here; the file has no runtime content of its own.
import type { FromSchema } from 'json-schema-to-ts';
import type {
  auditEventSchema,
  auditListSchema,
  auditQuerySchema,
  createdKeySchema,
  createKeyBodySchema,
  errorSchema,
  keyListSchema,
  keySchema,
  listKeysQuerySchema,
  promoteBodySchema,
  promotedVersionSchema,
  rotateBodySchema,
  rotatedKeySchema,
  scopeCatalogSchema,
  updateKeyBodySchema,
  verifyBodySchema,
  verifyResultSchema,
  versionListSchema,
  versionSchema,
  whoamiSchema,
} from './schemas.js';

export type ApiKey = FromSchema<typeof keySchema>;
export type ApiKeyVersion = FromSchema<typeof versionSchema>;
export type ApiError = FromSchema<typeof errorSchema>;
export type CreateKeyRequest = FromSchema<typeof createKeyBodySchema>;
export type CreateKeyResponse = FromSchema<typeof createdKeySchema>;
export type UpdateKeyRequest = FromSchema<typeof updateKeyBodySchema>;
export type ListKeysQuery = FromSchema<typeof listKeysQuerySchema>;
export type ListKeysResponse = FromSchema<typeof keyListSchema>;
export type RotateKeyRequest = NonNullable<FromSchema<typeof rotateBodySchema>>;
export type RotateKeyResponse = FromSchema<typeof rotatedKeySchema>;
export type PromoteVersionRequest = NonNullable<FromSchema<typeof promoteBodySchema>>;
export type PromoteVersionResponse = FromSchema<typeof promotedVersionSchema>;
export type ListVersionsResponse = FromSchema<typeof versionListSchema>;
export type WhoamiResponse = FromSchema<typeof whoamiSchema>;
export type VerifyRequest = FromSchema<typeof verifyBodySchema>;
export type VerifyResponse = FromSchema<typeof verifyResultSchema>;
export type AuditEventView = FromSchema<typeof auditEventSchema>;
export type AuditQuery = FromSchema<typeof auditQuerySchema>;
export type ListAuditResponse = FromSchema<typeof auditListSchema>;
export type ScopeCatalogResponse = FromSchema<typeof scopeCatalogSchema>;
