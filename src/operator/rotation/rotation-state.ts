// The data of the rotation state machine: its state (persisted in the ApiKey's status, so a
// restarted operator resumes where it stopped), what it observes, and the effects it asks for
// as plain data. The state holds version ids and times only, never a secret.
import type { PersistedRotationState } from '../status-schema.js';

export type RotationPhase = PersistedRotationState['phase'];

/** The persisted state; times are RFC 3339 strings (UTC). */
export type RotationState = PersistedRotationState;

/** When and how a key is rotated (from the spec's `rotation`, see rotationPolicy()). */
export interface RotationPolicy {
  /** Rotate this long after the last successful rotation, in seconds. Give this or `schedule`. */
  readonly everySeconds?: number;
  /** Five-field cron expression (UTC); due at the first occurrence after the last rotation. */
  readonly schedule?: string;
  /** With `schedule`: how long after an occurrence a rotation may still start, in seconds. @default unlimited */
  readonly windowSeconds?: number;
  /** How long the previous version stays valid after promotion, in seconds. @default 86400 (24h) */
  readonly overlapSeconds: number;
  /** A version is never current longer than this, whatever the schedule says, in seconds. @default none */
  readonly maxLifetimeSeconds?: number;
}

/** What the executor reports after carrying out the actions of one step. */
export type StepOutcome =
  | {
      /** The phase and rotation the actions were asked for; an outcome for another one is ignored. */
      readonly phase: RotationPhase;
      readonly rotationId?: string;
      readonly ok: true;
      /** createVersion: the id of the version the key service created (or replayed). */
      readonly versionId?: string;
    }
  | {
      readonly phase: RotationPhase;
      readonly rotationId?: string;
      readonly ok: false;
      /** CamelCase, e.g. KeyServiceUnavailable, SecretUnavailable, StageFailed, VerifyRefused. */
      readonly reason: string;
      /** What failed; never a secret. */
      readonly message: string;
      /** createVersion: the version was created but its secret is not at hand (a replay after a crash). */
      readonly versionId?: string;
    };

export interface Observation {
  /** The key's id in the key service. */
  readonly keyId: string;
  readonly policy: RotationPolicy;
  /** Value of the keywarden.dev/rotate-now annotation, when present. A value not acted on yet forces a rotation. */
  readonly forceToken?: string;
  /** The outcome of the actions the previous step asked for; absent after a restart or on a resync. */
  readonly outcome?: StepOutcome;
}

/**
 * An effect, executed later by the executor with the injected key-service client and
 * destinations. Every action is safe to repeat.
 */
export type RotationAction =
  /** POST /v1/keys/:id/rotate (deferred promotion) with Idempotency-Key = rotationId; keep the secret in memory only. */
  | { readonly type: 'createVersion'; readonly keyId: string; readonly rotationId: string }
  /** SecretDestination.stage on every destination (secret from the executor's memory). */
  | { readonly type: 'stage'; readonly keyId: string; readonly rotationId: string; readonly versionId: string }
  /** Verify the staged secret against the key service's verify endpoint. */
  | { readonly type: 'verify'; readonly keyId: string; readonly rotationId: string; readonly versionId: string }
  /**
   * SecretDestination.promote on every destination, then the key service's promote: the version
   * becomes current there and the older ones stay valid `overlapSeconds` from now.
   */
  | { readonly type: 'promote'; readonly keyId: string; readonly rotationId: string; readonly versionId: string; readonly overlapSeconds: number }
  /** SecretDestination.discard on every destination (rollback only). */
  | { readonly type: 'discard'; readonly keyId: string; readonly rotationId: string; readonly versionId: string }
  /** Revoke one version in the key service. */
  | { readonly type: 'revokeVersion'; readonly keyId: string; readonly rotationId: string; readonly versionId: string };

export interface StepResult {
  readonly state: RotationState;
  /** Effects to execute now, in order; empty when the machine waits. */
  readonly actions: readonly RotationAction[];
  /** When to call step() again if nothing else happens (a retry, the end of the overlap, the next rotation). */
  readonly wakeAt?: string;
}
