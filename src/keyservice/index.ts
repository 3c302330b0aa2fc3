// Public face of the key service (a separate server: imports nothing else of Keywarden).
export { createKeyService, SERVICE_VERSION } from './server.js';
export type { KeyService } from './server.js';
export { DEFAULTS, LIMITS, VERIFY_STALENESS_FACTOR, resolveOptions } from './options.js';
export type { KeyServiceOptions, ResolvedOptions, RateLimitSetting, ScopeDefinition } from './options.js';
export { bootstrapAdmin, AlreadyInitializedError, UnknownAccountError } from './bootstrap.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap.js';
export { ERROR_CATALOG } from './errors.js';
export type { ErrorCode, ErrorBody, FieldError } from './errors.js';
export { VERIFY_CODES } from './key-check.js';
export type { VerifyCode } from './key-check.js';
export { MANAGEMENT_SCOPES } from './scopes.js';
export type { ManagementScope } from './scopes.js';
export type * from './api-types.js';
