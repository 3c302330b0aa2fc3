// The resolved model that the policy engine, the stack and the operator consume.
// The raw document types are derived from the JSON Schema (see schema.ts); these types
// describe what expansion produces from them: one ResolvedKey per ApiKey × environment.

/** A step in a field path: an object key or an array index. */
export type PathSegment = string | number;

/** Where something is in a source file. Lines and columns are 1-based. */
export interface Location {
  /** File path as given on the command line (relative paths stay relative); `<stdin>` for `-`. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path in the document, e.g. `spec.environments.production.scopes[1]`. */
  readonly path: string;
}

/** A duration as written (`30d`) and its length in seconds. */
export interface Duration {
  readonly text: string;
  readonly seconds: number;
}

export type EnvironmentMode = 'live' | 'test';

export type Delivery =
  | {
      readonly kind: 'awsSecretsManager';
      readonly name: string;
      readonly region?: string;
      /** KMS key that encrypts the secret; undefined: the account's aws/secretsmanager key. */
      readonly kmsKeyId?: string;
      /** Days a deleted secret can be restored; undefined: AWS's default (30). */
      readonly recoveryWindowDays?: number;
      readonly replicaRegions?: readonly string[];
      /** Resource policy, JSON text. */
      readonly policy?: string;
    }
  | { readonly kind: 'kubernetesSecret'; readonly namespace: string; readonly name: string; readonly key: string }
  | { readonly kind: 'file'; readonly path: string };

export interface Rotation {
  readonly every?: Duration;
  /** Five-field cron expression. */
  readonly schedule?: string;
  /** How long after a scheduled time a rotation may still start. */
  readonly window?: Duration;
  /** How long the previous secret version stays valid after a rotation. */
  readonly overlap?: Duration;
}

export interface RateLimit {
  readonly requests: number;
  readonly per: Duration;
}

/** One loaded ApiKey document with the means to find its nodes in the source. */
export interface SpecDocument {
  readonly file: string;
  /** 0-based index of the document within a multi-document file. */
  readonly index: number;
  /** metadata.name */
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The document as plain data (after schema validation). */
  readonly data: unknown;
  /** Location of the deepest node that exists along `path` (the document root at worst). */
  locate(path: readonly PathSegment[]): Location;
  /** Every scalar in the document with its location (used by secret scanning). */
  scalars(): Iterable<{ readonly value: string | number | boolean; readonly location: Location }>;
}

/** Fields of a resolved key that may come from the spec level or an environment override. */
export type ResolvedField =
  | 'name'
  | 'owner'
  | 'scopes'
  | 'allowedCidrs'
  | 'limits'
  | 'rateLimit'
  | 'expiresAfter'
  | 'rotation'
  | 'delivery'
  | 'environment';

/** One key: an ApiKey document expanded for one environment. */
export interface ResolvedKey {
  /** Key name, `<environment>-<integration>` unless the project's naming pattern says otherwise. */
  readonly name: string;
  readonly environment: string;
  readonly mode: EnvironmentMode;
  readonly integration: string;
  readonly service: string;
  readonly owner?: string;
  readonly scopes: readonly string[];
  /** Undefined when no allowlist is given anywhere. */
  readonly allowedCidrs?: readonly string[];
  readonly limits: Readonly<Record<string, string | number | boolean>>;
  readonly rateLimit?: RateLimit;
  readonly expiresAfter?: Duration;
  readonly rotation?: Rotation;
  readonly delivery: readonly Delivery[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly document: SpecDocument;
  /**
   * Location of a field as it applies to this key: the environment override when there is
   * one, else the spec-level value, else (field absent) the environment's own node.
   * `rest` descends further, e.g. `locate('scopes', 1)`.
   */
  locate(field: ResolvedField, ...rest: PathSegment[]): Location;
}

export interface ProjectEnvironment {
  readonly name: string;
  readonly mode: EnvironmentMode;
  readonly endpoint?: string;
  readonly awsRegion?: string;
  /** AWS shared-config profile of this environment's AWS provider in the stack. */
  readonly awsProfile?: string;
}

/** The project file's `stack` section (see the project schema), as written. */
export interface ProjectStackSettings {
  readonly split?: 'environment' | 'single';
  readonly backend?: {
    readonly s3?: {
      readonly bucket: string;
      readonly keyPrefix?: string;
      readonly region: string;
      readonly profile?: string;
      readonly encrypt?: boolean;
      readonly kmsKeyId?: string;
      readonly dynamodbTable?: string;
    };
  };
}

/** The project file (`keywarden.yaml`), resolved; defaults apply when there is none. */
export interface Project {
  /** Path of the project file, undefined when defaults are used. */
  readonly file?: string;
  /** Directory that relative paths in the project file are resolved against. */
  readonly root: string;
  readonly environments: Readonly<Record<string, ProjectEnvironment>>;
  /** Key naming pattern with `{environment}`, `{integration}`, `{service}`, `{name}` placeholders. */
  readonly naming: string;
  /** Regular expression (source text) every key name must match (policy KW007); default `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`. */
  readonly namingPattern: string;
  /** `name` from the project file, when given. */
  readonly name?: string;
  /** Integrations allowed to hold key-management and admin scopes. */
  readonly integrators: readonly string[];
  /** Scope catalog per service; services without one are not checked against a catalog. */
  readonly scopeCatalogs: Readonly<Record<string, readonly string[]>>;
  /** Spec paths (files or directories), relative to root, used when the CLI is given none. */
  readonly specs: readonly string[];
  /** Policy settings as written in the project file; interpreted by the policy module. */
  readonly policy: unknown;
  /** Stack layout and backend (`stack` in the project file); interpreted by the stack module. @default {} */
  readonly stack: ProjectStackSettings;
  /** Locate a node of the project file (for findings about the project itself). */
  locate(path: readonly PathSegment[]): Location;
}
