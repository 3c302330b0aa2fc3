// The plugin framework's public face: declare a provider with resources and data sources,
// then `main(definition)` in the executable's entry file.
export { defineProvider } from './definitions.js';
export type { CallContext, ConfiguredContext, DataSource, ProviderDefinition, RawState, Resource } from './definitions.js';
export { Diagnostics } from './diagnostics.js';
export { createLogger } from './log.js';
export type { Logger, LogLevel } from './log.js';
export type { AttributePath, Diagnostic, PathStep } from './diagnostics.js';
export { blockType, schemaToProto } from './schema.js';
export type { Attribute, Block, BlockPlanModifier, NestedBlock, PlanModifier, Schema, Validator } from './schema.js';
export { t, typeFromJson, typeToJson } from './types.js';
export type { TfType } from './types.js';
export { isObjectValue, isUnknown, isWhollyKnown, PreciseNumber, TypedValue, UNKNOWN, Unknown, valuesEqual } from './values.js';
export type { TfObject, TfValue } from './values.js';
export { decodeValue, encodeValue, ValueCodecError } from './msgpack-codec.js';
export { parseJsonPrecise, valueFromJson } from './json-value.js';
export { matches, oneOf } from './validate.js';
export { ProviderServer } from './provider-server.js';
export { generateCertificate } from './certificate.js';
export { main, serve, serveReattach, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION } from './serve.js';
export type { ProviderSource, ReattachHandle, ServeOptions } from './serve.js';
export { serviceDefinitions } from './services.js';
export type { Services } from './services.js';
