// The public face of the policy module: the engine, the built-in rules and the error catalog.
export { checkPolicy } from './check.js';
export type { PolicyOptions, PolicyResult } from './check.js';
export { BUILTIN_RULES } from './rules/index.js';
export { EXCEPTION_RULES, EXCEPTIONS_ANNOTATION } from './exceptions.js';
export { POLICY_ERRORS, POLICY_ERROR_LIST } from './errors.js';
export type { PolicyErrorDescriptor, PolicyErrorKind } from './errors.js';
export { DEFAULT_POLICIES_DIR } from './pack.js';
export { packDocumentSchema, projectPolicySchema } from './pack-schema.js';
export type { BuiltinRule, PolicyInput, RuleContext } from './rule.js';
export type { Finding, RuleDescriptor, Severity } from './finding.js';
