// JSON Schema (2020-12) of policy settings: a pack file (`kind: PolicyPack`), the project
// file's `policy` section, and inline exceptions (`keywarden.dev/exceptions`). Compiled once.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { API_VERSION } from '../spec/index.js';

/** Rule ids a custom rule may not take: the built-in series. */
export const CUSTOM_RULE_ID_PATTERN = '^(?!KW)[A-Za-z][A-Za-z0-9_.-]*$';
/** `2027-01-31`, or a full RFC 3339 instant. */
export const EXPIRY_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$';

const severitySchema = { enum: ['error', 'warning', 'note'], description: 'error, warning or note.' } as const;
const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const ruleSettingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', description: 'false turns the rule off.' },
    severity: severitySchema,
    params: { type: 'object', description: 'Parameters of the rule; each rule documents its own.' },
  },
} as const;

const rulesSchema = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' },
  additionalProperties: ruleSettingSchema,
  description: 'Settings per rule id (built-in or custom).',
} as const;

export const RESOLVED_FIELDS = ['name', 'owner', 'scopes', 'allowedCidrs', 'limits', 'rateLimit', 'expiresAfter', 'rotation', 'delivery', 'environment'] as const;

const customRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'expression'],
  anyOf: [{ required: ['message'] }, { required: ['messageExpression'] }],
  properties: {
    id: { type: 'string', pattern: CUSTOM_RULE_ID_PATTERN, description: 'Permanent id, e.g. ACME001; ids starting with KW are reserved for built-in rules.' },
    title: { type: 'string', minLength: 1 },
    severity: severitySchema,
    help: { type: 'string' },
    rationale: { type: 'string' },
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kinds: { type: 'array', items: { enum: ['ApiKey'] } },
        modes: { type: 'array', items: { enum: ['live', 'test'] } },
        environments: stringList,
        services: stringList,
        integrations: stringList,
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    expression: { type: 'string', minLength: 1, description: 'CEL; true means the key complies.' },
    message: { type: 'string', minLength: 1 },
    messageExpression: { type: 'string', minLength: 1 },
    field: { enum: RESOLVED_FIELDS, description: 'The key field the finding points at; default: the environment.' },
  },
} as const;

const exceptionProperties = {
  rule: { type: 'string', minLength: 1, description: 'Rule id the exception applies to.' },
  key: { type: 'string', minLength: 1, description: 'Resolved key name, e.g. production-order-bot.' },
  spec: { type: 'string', minLength: 1, description: 'metadata.name of an ApiKey: all its environments.' },
  environment: { type: 'string', minLength: 1, description: 'Environment name: all keys in it (combine with spec to narrow).' },
  reason: { type: 'string', pattern: '\\S', description: 'Why the rule does not apply; required.' },
  expires: { type: 'string', pattern: EXPIRY_PATTERN, description: 'Last day the exception applies (UTC), YYYY-MM-DD.' },
} as const;

const exceptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'reason', 'expires'],
  anyOf: [{ required: ['key'] }, { required: ['spec'] }, { required: ['environment'] }],
  properties: exceptionProperties,
} as const;

/** Inline exceptions: the spec is the annotated document, so a target is optional. */
const inlineExceptionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'reason', 'expires'],
  properties: { rule: exceptionProperties.rule, key: exceptionProperties.key, environment: exceptionProperties.environment, reason: exceptionProperties.reason, expires: exceptionProperties.expires },
} as const;

const settingsProperties = {
  rules: rulesSchema,
  customRules: { type: 'array', items: customRuleSchema, description: 'Rules written in CEL.' },
  exceptions: { type: 'array', items: exceptionSchema, description: 'Exceptions, each with a reason and an expiry date.' },
} as const;

export const packDocumentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://keywarden.dev/schemas/policy-pack.schema.json',
  title: 'Keywarden policy pack',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { const: API_VERSION },
    kind: { const: 'PolicyPack' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, description: { type: 'string' } },
    },
    ...settingsProperties,
  },
} as const;

export const projectPolicySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    packs: { ...stringList, description: 'Pack directories (relative to the project file) layered over the default pack, in order.' },
    ...settingsProperties,
  },
} as const;

export const inlineExceptionsSchema = { type: 'array', items: inlineExceptionSchema } as const;

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });

export const validatePackDocument: ValidateFunction = ajv.compile(packDocumentSchema);
export const validateProjectPolicy: ValidateFunction = ajv.compile(projectPolicySchema);
export const validateInlineExceptions: ValidateFunction = ajv.compile(inlineExceptionsSchema);

const paramsValidators = new Map<string, ValidateFunction>();

/** The validator of one rule's `params` overrides (compiled once per rule). */
export function paramsValidator(ruleId: string, properties: Readonly<Record<string, unknown>>): ValidateFunction {
  let validate = paramsValidators.get(ruleId);
  if (!validate) {
    validate = ajv.compile({ type: 'object', additionalProperties: false, properties });
    paramsValidators.set(ruleId, validate);
  }
  return validate;
}
