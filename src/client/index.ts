// Public face of the key service client.
export { KeywardenClient } from './keywarden-client.js';
export type {
  HealthStatus,
  KeyWithEtag,
  KeywardenClientOptions,
  ListAuditOptions,
  ListKeysOptions,
  PageOf,
  PromoteVersionOptions,
  RevokeKeyOptions,
  RotateKeyOptions,
  UpdateKeyOptions,
} from './keywarden-client.js';
export { KeywardenApiError, CLIENT_ERROR_CODES } from './api-error.js';
export type { RetryOptions } from './retry-policy.js';
export type { TlsOptions } from './tls-options.js';
export type {
  ApiKey,
  ApiKeyVersion,
  AuditEventView,
  CreateKeyRequest,
  CreateKeyResponse,
  PromoteVersionResponse,
  RotateKeyRequest,
  RotateKeyResponse,
  UpdateKeyRequest,
  VerifyRequest,
  VerifyResponse,
  WhoamiResponse,
} from '../keyservice/api-types.js';
