// The public face of the stack module: in-process synthesis, the KeysStack construct, the
// generated provider bindings and the error catalog.
export { synthesize, stackLayout, declareStacks, providerAddress, APP_CONTEXT } from './synthesize.js';
export type { SynthOptions, StackLayoutOptions, StackLayout, SynthResult, SynthesizedStack, SynthesizedKey, DeliveryKind } from './synthesize.js';
export { KeysStack, backendOf, blockingFindings, terraformId } from './keys-stack.js';
export type { KeysStackProps, StackBackend, DeclaredKey } from './keys-stack.js';
export { apiKeyConfigOf, keyMetadata, KEY_METADATA } from './api-key-config.js';
export { secretConfigOf, SECRET_TAGS } from './aws-secret.js';
export { STACK_DEFAULTS } from './defaults.js';
export { PolicyBlockedError, StackError, STACK_ERRORS } from './errors.js';
export type { StackErrorDescriptor, StackErrorKind } from './errors.js';
export * as bindings from './bindings/index.js';
