// The status of an ApiKey custom resource, as a structural OpenAPI schema (it goes into the CRD
// as written) and the TypeScript type derived from it. The operator owns status; the rotation
// state machine's state is persisted in `status.environments.<name>.rotation`. Only version ids
// and times are ever stored here, never a secret.
import type { FromSchema } from 'json-schema-to-ts';

/** The rotation phases, in the order a successful rotation passes through them. */
export const ROTATION_PHASES = ['Idle', 'Creating', 'Staging', 'Testing', 'Promoting', 'Overlapping', 'RevokingOld', 'RollingBack'] as const;

/** Condition types an ApiKey carries. */
export const CONDITION_TYPES = ['Ready', 'PolicyCompliant', 'RotationHealthy'] as const;

const timeSchema = { type: 'string', format: 'date-time' } as const;

/** metav1.Condition. */
export const conditionSchema = {
  type: 'object',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: { type: 'string', maxLength: 316, description: 'Ready, PolicyCompliant or RotationHealthy.' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    observedGeneration: { type: 'integer', minimum: 0, description: 'metadata.generation the condition was computed from.' },
    lastTransitionTime: { ...timeSchema, description: 'When status last changed.' },
    reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$', description: 'CamelCase reason, e.g. RotationFailed.' },
    message: { type: 'string', maxLength: 32768, description: 'Human-readable detail; never a secret.' },
  },
} as const;

/** The rotation state machine's persisted state (see src/operator/rotation/). */
export const rotationStateSchema = {
  type: 'object',
  required: ['phase', 'attempt'],
  properties: {
    phase: { type: 'string', enum: ROTATION_PHASES, description: 'Where the rotation is.' },
    currentVersion: { type: 'string', description: 'Version id consumers read now (promoted).' },
    previousVersion: { type: 'string', description: 'Version id that was current before the last promotion; revoked after the overlap.' },
    previousRevokedAt: { ...timeSchema, description: 'When the previous version was revoked (absent while it is still valid).' },
    lastRotation: { ...timeSchema, description: 'When the last rotation was promoted (or the key was adopted/created).' },
    rotationId: { type: 'string', description: 'Deterministic id of the rotation in flight; the key service idempotency key.' },
    scheduledAt: { ...timeSchema, description: 'The scheduled time the rotation in flight serves.' },
    pendingVersion: { type: 'string', description: 'Version id created by the rotation in flight, not yet promoted.' },
    overlapUntil: { ...timeSchema, description: 'The previous version stays valid until then.' },
    attempt: { type: 'integer', minimum: 0, description: 'Failed attempts of the rotation in flight.' },
    retryAt: { ...timeSchema, description: 'The next attempt starts no earlier than this (exponential backoff).' },
    forcedBy: { type: 'string', description: 'Value of the keywarden.dev/rotate-now annotation last acted on.' },
    lastError: {
      type: 'object',
      required: ['reason', 'message'],
      properties: {
        reason: { type: 'string', description: 'CamelCase reason, e.g. StageFailed.' },
        message: { type: 'string', description: 'What failed; never a secret.' },
      },
    },
  },
} as const;

export const environmentStatusSchema = {
  type: 'object',
  properties: {
    keyName: { type: 'string', description: 'Key name in the key service.' },
    keyId: { type: 'string', description: 'Key id in the key service.' },
    nextRotation: { ...timeSchema, description: 'When the next scheduled rotation is due.' },
    observedGeneration: { type: 'integer', minimum: 0, description: 'metadata.generation this environment was last reconciled at.' },
    rotation: rotationStateSchema,
  },
} as const;

export const apiKeyStatusSchema = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer', minimum: 0 },
    environmentNames: { type: 'string', description: 'Comma-separated environment names (for kubectl get).' },
    nextRotation: { ...timeSchema, description: 'Earliest next rotation over all environments (for kubectl get).' },
    conditions: {
      type: 'array',
      items: conditionSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
    environments: {
      type: 'object',
      additionalProperties: environmentStatusSchema,
      description: 'Per environment: key id, versions, rotation phase and times.',
    },
  },
} as const;

export type Condition = FromSchema<typeof conditionSchema>;
export type PersistedRotationState = FromSchema<typeof rotationStateSchema>;
export type EnvironmentStatus = FromSchema<typeof environmentStatusSchema>;
export type ApiKeyStatus = FromSchema<typeof apiKeyStatusSchema>;
