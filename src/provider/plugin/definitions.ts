// What a provider, a resource and a data source implement to plug into the framework.
// Values arrive decoded against the schema (see values.ts) and are returned the same way; the
// framework does the protocol, the msgpack, planning defaults, write-only scrubbing and
// diagnostics.
import type { Diagnostics } from './diagnostics.js';
import type { Logger } from './log.js';
import type { Schema } from './schema.js';
import type { TfObject } from './values.js';

/** Passed to every call: where to report problems, the signal Terraform's StopProvider aborts, and a logger. */
export interface CallContext {
  readonly diagnostics: Diagnostics;
  readonly signal: AbortSignal;
  /** Lines Terraform shows with TF_LOG; never log secrets. */
  readonly log: Logger;
}

/** A call made after ConfigureProvider: also carries what `configure` returned. */
export interface ConfiguredContext<D> extends CallContext {
  readonly providerData: D;
}

/** The stored form of an older state, as plain JSON data, for an upgrader. */
export type RawState = Record<string, unknown>;

export interface Resource<D> {
  /** e.g. `keywarden_api_key`; must start with the provider's type name and `_`. */
  readonly typeName: string;
  readonly schema: Schema;
  /** Extra checks beyond the schema's validators. `config` may hold unknown values: skip those. */
  validate?(config: TfObject, ctx: CallContext): void | Promise<void>;
  /**
   * Adjusts the plan the framework computed (computed attributes unknown, plan modifiers
   * applied). Return the new planned object, or nothing to keep it. `prior` is null on create.
   */
  modifyPlan?(request: { config: TfObject; prior: TfObject | null; planned: TfObject }, ctx: ConfiguredContext<D>): TfObject | void | Promise<TfObject | void>;
  /** Creates the object. `config` holds write-only values; the returned state must not. */
  create(request: { config: TfObject; planned: TfObject }, ctx: ConfiguredContext<D>): Promise<TfObject>;
  /** Refreshes the state; null when the object no longer exists (Terraform then plans to create it). */
  read(request: { state: TfObject }, ctx: ConfiguredContext<D>): Promise<TfObject | null>;
  /** Updates in place (called only when no requiresReplace attribute changed). */
  update(request: { config: TfObject; planned: TfObject; prior: TfObject }, ctx: ConfiguredContext<D>): Promise<TfObject>;
  delete(request: { prior: TfObject }, ctx: ConfiguredContext<D>): Promise<void>;
  /** State for `terraform import` / `import {}` blocks by id; Terraform reads it afterwards. Null: not found. */
  importState?(id: string, ctx: ConfiguredContext<D>): Promise<TfObject | null>;
  /**
   * State upgraders by the version they upgrade FROM: `{ 0: (v0) => v1 }`. Each receives the
   * stored JSON of that version; they run in order up to `schema.version`.
   */
  readonly upgradeState?: Readonly<Record<number, (state: RawState) => RawState>>;
}

export interface DataSource<D> {
  readonly typeName: string;
  readonly schema: Schema;
  validate?(config: TfObject, ctx: CallContext): void | Promise<void>;
  /** Reads the data; returns the whole object (configuration attributes plus computed ones). */
  read(request: { config: TfObject }, ctx: ConfiguredContext<D>): Promise<TfObject>;
}

export interface ProviderDefinition<D> {
  /** The provider's type name, e.g. `keywarden`. */
  readonly typeName: string;
  /** Full source address, e.g. `registry.terraform.io/keywarden/keywarden` (used by reattach mode). */
  readonly address: string;
  /** Schema of the `provider "NAME" {}` block. */
  readonly schema: Schema;
  /** Turns the provider configuration into what resources receive as `providerData`. */
  configure(request: { config: TfObject; terraformVersion: string }, ctx: CallContext): D | Promise<D>;
  readonly resources: readonly Resource<D>[];
  /** @default [] */
  readonly dataSources?: readonly DataSource<D>[];
}

/** Identity helper that lets TypeScript infer `D` across the whole provider definition. */
export function defineProvider<D>(definition: ProviderDefinition<D>): ProviderDefinition<D> {
  return definition;
}
