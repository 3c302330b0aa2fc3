// The one interface every secret destination implements. The Terraform provider delivers
// a key's first version (stage + promote); the operator's rotation state machine calls the
// steps one at a time (create → stage → test → promote → overlap → revoke). Each method is
// safe to repeat after a crash or a lost reply: repeating a finished step changes nothing.

/** One secret version of a key, as the key service returned it. */
export interface SecretVersion {
  /** The key's stable id in the key service. */
  readonly keyId: string;
  /** The version's id in the key service (unique per key, never reused). */
  readonly versionId: string;
  /** The plaintext secret. Never logged, never in an error, never in metadata. */
  readonly secret: string;
}

/** Which versions a destination holds, by key-service version id (never the secret). */
export interface DestinationState {
  /** The version consumers read now; undefined when nothing Keywarden wrote is current. */
  readonly current?: string;
  /** A version written but not yet current (staged), if any. */
  readonly pending?: string;
  /** The version that was current before the last promotion, if the destination keeps track. */
  readonly previous?: string;
}

export interface SecretDestination {
  /** Where the secret goes, e.g. `aws-secrets-manager:prod/app (eu-west-1)`. Never the secret. */
  readonly description: string;
  /**
   * Writes a version without making it current. Repeating it with the same version and
   * secret is a no-op (also once promoted); the same version id with another secret fails
   * with KW_DELIVERY_VERSION_CONFLICT. Staging a new version replaces an older pending one.
   */
  stage(version: SecretVersion): Promise<void>;
  /**
   * Makes a staged version current; the previous current version becomes previous.
   * A no-op when it is already current. KW_DELIVERY_VERSION_NOT_STAGED when it was never
   * staged here (or was discarded).
   */
  promote(versionId: string): Promise<void>;
  /**
   * Rolls back a staged version (before promotion). A no-op when it is not staged;
   * KW_DELIVERY_DISCARD_CURRENT when it is already current (after promotion only forward).
   */
  discard(versionId: string): Promise<void>;
  /** The current version id, or undefined when nothing Keywarden wrote is current. */
  current(): Promise<string | undefined>;
  /** Current, pending and previous version ids. */
  state(): Promise<DestinationState>;
}
