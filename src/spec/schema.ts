// The JSON Schema (2020-12) of the two Keywarden documents: `kind: ApiKey` and the project
// file `keywarden.yaml` (`kind: Project`). It is the single source of truth: the document
// types below are derived from it, the loader validates with it, `keywarden schema` prints
// it, `schemas/*.schema.json` publish it for editors, and the CRD is generated from it.
// Keep it structural: no $ref, every object closed with `additionalProperties: false`
// (maps say what their values are), so unknown fields are caught and the CRD can be derived.
import type { FromSchema } from 'json-schema-to-ts';

export const API_VERSION = 'keywarden.dev/v1alpha1';

/** `30d`, `24h`, `90m`, `45s`, `2w`: one non-negative integer and one unit. */
export const DURATION_PATTERN = '^[0-9]+[smhdw]$';

/** An AWS region name, e.g. eu-west-1. */
const AWS_REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-[0-9]+$';

const durationSchema = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'A duration: an integer and a unit, s (seconds), m (minutes), h (hours), d (days) or w (weeks). Examples: 90m, 24h, 30d, 2w.',
} as const;

const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
  description: 'Lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit (a Kubernetes object name).',
} as const;

const stringMapSchema = {
  type: 'object',
  additionalProperties: { type: 'string' },
} as const;

const cidrListSchema = {
  type: 'array',
  items: { type: 'string', description: 'An IPv4 or IPv6 network in CIDR notation with no host bits set, e.g. 203.0.113.0/24 or 2001:db8::/32.' },
  description: 'Networks the key may be used from. Live keys need one (policy KW005); 0.0.0.0/0 and ::/0 are refused by policy.',
} as const;

const limitsSchema = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
  description: 'Per-key limits the service enforces, e.g. { max_payout: "55.00" }. Environment overrides merge over the spec-level map.',
} as const;

const rateLimitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'per'],
  properties: {
    requests: { type: 'integer', minimum: 1, description: 'Requests allowed per window.' },
    per: { ...durationSchema, description: 'Length of the window, e.g. 1h.' },
  },
  description: 'How many requests the key may make per window. Live keys need one (policy KW011).',
} as const;

const rotationSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    every: { ...durationSchema, description: 'Rotate this long after the previous rotation, e.g. 30d. Give `every` or `schedule`, not both.' },
    schedule: { type: 'string', description: 'Rotate on a five-field cron schedule (UTC), e.g. "0 3 * * 0". Give `every` or `schedule`, not both.' },
    window: { ...durationSchema, description: 'How long after a scheduled time a rotation may still start, e.g. 2h.' },
    overlap: { ...durationSchema, description: 'How long the previous secret version stays valid after a rotation, e.g. 24h. At least 1h and shorter than the interval (policy KW004).' },
  },
  description: 'When the secret is rotated. Replaced as a whole by an environment override.',
} as const;

const deliverySchema = {
  type: 'array',
  description: 'Where each new secret version is written. Each entry has exactly one destination.',
  items: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    properties: {
      awsSecretsManager: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'Secret name, e.g. prod/order-bot/billing.' },
          region: { type: 'string', pattern: AWS_REGION_PATTERN, description: 'AWS region; defaults to the environment\'s awsRegion.' },
          kmsKeyId: { type: 'string', minLength: 1, description: 'KMS key (id, ARN or alias/...) that encrypts the secret. Default: the account\'s aws/secretsmanager key.' },
          recoveryWindowDays: {
            type: 'integer',
            minimum: 0,
            maximum: 30,
            description: 'Days Secrets Manager keeps the secret after it is deleted, during which it can be restored: 0 (delete at once) or 7 to 30. Default: 30.',
          },
          replicaRegions: {
            type: 'array',
            items: { type: 'string', pattern: AWS_REGION_PATTERN },
            uniqueItems: true,
            description: 'Regions the secret is replicated to, e.g. [eu-central-1].',
          },
          policy: { type: 'string', minLength: 1, description: 'Resource policy of the secret: an IAM policy document as JSON text.' },
        },
        description: 'An AWS Secrets Manager secret. The stack declares it (tags integration, environment, owner, managed-by) and the key is delivered into it.',
      },
      kubernetesSecret: {
        type: 'object',
        additionalProperties: false,
        required: ['namespace', 'name', 'key'],
        properties: {
          namespace: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          key: { type: 'string', minLength: 1, description: 'Data key inside the Secret, e.g. API_KEY.' },
        },
        description: 'A key of a Kubernetes Secret.',
      },
      file: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: { type: 'string', minLength: 1, description: 'File path, relative to the project root; test-mode environments only (policy KW010).' },
        },
        description: 'A local file (mode 0600).',
      },
    },
  },
} as const;

/** Fields that the spec level sets as defaults and each environment may override. */
const keyFieldProperties = {
  owner: { type: 'string', minLength: 1, description: 'Who answers for the key: a team or a person, e.g. payments-team@example.com.' },
  scopes: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    uniqueItems: true,
    description: 'Scopes the key grants, e.g. [invoices:read]. No wildcards (policy KW002).',
  },
  limits: limitsSchema,
  rateLimit: rateLimitSchema,
  allowedCidrs: cidrListSchema,
  expiresAfter: { ...durationSchema, description: 'Lifetime of the key from its creation, e.g. 365d. Live keys need one (policy KW003).' },
  rotation: rotationSchema,
  delivery: deliverySchema,
} as const;

const environmentOverrideSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { ...nameSchema, description: 'Key name for this environment, instead of the project\'s naming template. Checked against the naming pattern (policy KW007).' },
    labels: { ...stringMapSchema, description: 'Labels merged over metadata.labels for this environment\'s key.' },
    ...keyFieldProperties,
  },
  description: 'Settings for this environment. Scalars and lists replace the spec-level value; limits and labels merge over it.',
} as const;

export const apiKeySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://keywarden.dev/schemas/apikey.schema.json',
  title: 'Keywarden ApiKey',
  description: 'One API key per integration and service, expanded to one key per environment.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', const: API_VERSION },
    kind: { type: 'string', const: 'ApiKey' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: nameSchema,
        namespace: { type: 'string', minLength: 1, description: 'Kubernetes namespace, when the document is applied as a custom resource.' },
        labels: { ...stringMapSchema, description: 'Labels, e.g. { team: payments }; CEL rules can match on them.' },
        annotations: { ...stringMapSchema, description: 'Annotations; `keywarden.dev/exceptions` holds inline policy exceptions.' },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['integration', 'service', 'environments'],
      properties: {
        integration: { ...nameSchema, description: 'The integration (client) that holds the key, e.g. order-bot.' },
        service: { ...nameSchema, description: 'The API (audience) the key is for, e.g. billing.' },
        ...keyFieldProperties,
        environments: {
          type: 'object',
          minProperties: 1,
          additionalProperties: environmentOverrideSchema,
          description: 'One entry per environment the key exists in, named as in the project file. `{}` takes every spec-level default.',
        },
      },
    },
  },
} as const;

const projectEnvironmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { type: 'string', enum: ['live', 'test'], description: 'live keys guard real data and money; test keys do not.' },
    endpoint: { type: 'string', pattern: '^https?://', description: 'Base URL of the key service for this environment.' },
    awsRegion: { type: 'string', pattern: AWS_REGION_PATTERN, description: 'Default AWS region of Secrets Manager deliveries.' },
    awsProfile: { type: 'string', minLength: 1, description: 'AWS shared-config profile the stack\'s AWS provider uses for this environment. Default: the AWS SDK\'s (AWS_PROFILE, ...).' },
  },
} as const;

const s3BackendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket', 'region'],
  properties: {
    bucket: { type: 'string', minLength: 1, description: 'S3 bucket that holds the state.' },
    keyPrefix: { type: 'string', minLength: 1, description: 'Prefix of the state objects; each stack is stored at <keyPrefix>/<stack>.tfstate. Default: keywarden.' },
    region: { type: 'string', pattern: AWS_REGION_PATTERN, description: 'Region of the bucket.' },
    profile: { type: 'string', minLength: 1, description: 'AWS shared-config profile used to reach the bucket.' },
    encrypt: { type: 'boolean', description: 'Server-side encryption of the state objects. Default: true.' },
    kmsKeyId: { type: 'string', minLength: 1, description: 'KMS key that encrypts the state objects.' },
    dynamodbTable: { type: 'string', minLength: 1, description: 'DynamoDB table used for state locking. Without it, Terraform locks with a lock file next to the state (use_lockfile, Terraform >= 1.10).' },
  },
  description: 'Keep Terraform state in S3, locked with DynamoDB or an S3 lock file.',
} as const;

const stackSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    split: {
      type: 'string',
      enum: ['environment', 'single'],
      description: 'One Terraform stack per environment (environment), or one for all (single). Default: environment.',
    },
    backend: {
      type: 'object',
      additionalProperties: false,
      properties: { s3: s3BackendSchema },
      description: 'Where Terraform keeps state. Default: local files under .keywarden/state next to this file.',
    },
  },
  description: 'How `keywarden synth` lays out the cdktf stacks.',
} as const;

export const DEFAULT_NAMING_TEMPLATE = '{environment}-{integration}';
export const DEFAULT_NAMING_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

export const projectSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://keywarden.dev/schemas/project.schema.json',
  title: 'Keywarden project file (keywarden.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { type: 'string', const: API_VERSION },
    kind: { type: 'string', const: 'Project' },
    name: { type: 'string', description: 'Name of the project, for reports.' },
    environments: {
      type: 'object',
      minProperties: 1,
      additionalProperties: projectEnvironmentSchema,
      description: 'The environments keys may exist in. Default: production (live), staging (live), development (test).',
    },
    naming: {
      type: 'object',
      additionalProperties: false,
      properties: {
        template: { type: 'string', minLength: 1, description: `Key name template with {environment}, {integration}, {service} and {name} (metadata.name). Default: ${DEFAULT_NAMING_TEMPLATE}.` },
        pattern: { type: 'string', minLength: 1, description: `Regular expression every key name must match (policy KW007). Default: ${DEFAULT_NAMING_PATTERN}.` },
      },
    },
    integrators: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      uniqueItems: true,
      description: 'Integrations allowed to hold key-management and admin scopes (policy KW009).',
    },
    scopeCatalogs: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      description: 'Known scopes per service; keys for a listed service may only use these (policy KW008).',
    },
    specs: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Spec files or directories, relative to this file, checked when no paths are given. Default: [keys].',
    },
    policy: {
      type: 'object',
      description: 'Policy settings (pack directory, rule overrides, exceptions); validated by the policy module.',
    },
    stack: stackSettingsSchema,
  },
} as const;

/** An ApiKey document as written (after schema validation). */
export type ApiKeyDocument = FromSchema<typeof apiKeySchema>;
/** The spec-level fields of an ApiKey. */
export type ApiKeySpec = ApiKeyDocument['spec'];
/** One entry of `spec.environments`. */
export type EnvironmentOverride = FromSchema<typeof environmentOverrideSchema>;
/** One entry of a `delivery` list. */
export type DeliveryEntry = FromSchema<typeof deliverySchema>[number];
/** The project file as written (after schema validation). */
export type ProjectDocument = FromSchema<typeof projectSchema>;
