// The public face of the spec module: loading, the resolved model, the schema and its
// derived types, the load-error catalog and code frames.
export { loadSpecs, loadFromStrings } from './load.js';
export type { LoadOptions, LoadResult } from './load.js';
export { codeFrame } from './code-frame.js';
export { LOAD_ERRORS, LOAD_ERROR_LIST } from './errors.js';
export type { LoadErrorDescriptor, LoadErrorKind } from './errors.js';
export { parseDuration } from './duration.js';
export { cidrProblem } from './cidr.js';
export { cronProblem } from './cron.js';
export { formatPath } from './field-path.js';
export { didYouMean, levenshtein } from './did-you-mean.js';
export { keyName } from './expand.js';
export { DEFAULT_ENVIRONMENTS, DEFAULT_SPECS } from './project.js';
export { DEFAULT_LIMITS, parseSource } from './parse-source.js';
export type { SourceLimits, ParsedSource, ParsedDocument } from './parse-source.js';
export { SourceLocator } from './source-locator.js';
export type { Anchor } from './source-locator.js';
export { PUBLISHED_SCHEMAS, schemaText } from './published-schemas.js';
export type { SchemaName } from './published-schemas.js';
export {
  API_VERSION,
  DURATION_PATTERN,
  DEFAULT_NAMING_TEMPLATE,
  DEFAULT_NAMING_PATTERN,
  apiKeySchema,
  projectSchema,
} from './schema.js';
export type { ApiKeyDocument, ApiKeySpec, EnvironmentOverride, DeliveryEntry, ProjectDocument } from './schema.js';
export * from './model.js';
