// Test support: the keywarden provider's handlers called through the framework's
// ProviderServer (the same path Terraform's gRPC calls take), with values encoded as
// Terraform sends them.
import { expect } from '@jest/globals';
import { Writable } from 'node:stream';
import { keywardenProvider } from '../../../src/provider/keywarden/index.js';
import { createLogger } from '../../../src/provider/plugin/log.js';
import { decodeValue, encodeValue } from '../../../src/provider/plugin/msgpack-codec.js';
import { ProviderServer, type WireDynamicValue } from '../../../src/provider/plugin/provider-server.js';
import { blockType, type Schema } from '../../../src/provider/plugin/schema.js';
import type { TfObject, TfValue } from '../../../src/provider/plugin/values.js';

export const keySchema = keywardenProvider.resources[0]?.schema as Schema;
export const providerSchema = keywardenProvider.schema;

export const dv = (schema: Schema, value: TfObject | null): WireDynamicValue => ({ msgpack: encodeValue(blockType(schema), value) });
export const decode = (schema: Schema, wire: unknown): TfValue => decodeValue(blockType(schema), (wire as WireDynamicValue).msgpack as Uint8Array);

export interface WireDiagnostic {
  severity: number;
  summary: string;
  detail: string;
  attribute?: { steps: Record<string, unknown>[] };
}
export const diagnosticsOf = (response: Record<string, unknown>) => (response.diagnostics ?? []) as WireDiagnostic[];
/** A diagnostic's attribute path as plain steps: `['file', 0, 'path']`. */
export const pathOf = (d: WireDiagnostic) =>
  (d.attribute?.steps ?? []).map((s) => s.attribute_name ?? (s.element_key_int !== undefined ? Number(s.element_key_int) : { key: s.element_key_string }));

/** Every attribute and block of keywarden_api_key, null or empty, overridden by `fields`. */
export function keyObject(fields: TfObject): TfObject {
  const base: TfObject = {};
  for (const name of Object.keys(keySchema.attributes)) base[name] = null;
  base.rate_limit = null;
  base.aws_secrets_manager = [];
  base.kubernetes_secret = [];
  base.file = [];
  return { ...base, ...fields };
}

/** A provider configuration object with every attribute present. */
export function providerConfig(fields: TfObject): TfObject {
  const base: TfObject = {};
  for (const name of Object.keys(providerSchema.attributes)) base[name] = null;
  return { ...base, ...fields };
}

/** Log lines of the servers made by newServer (provider logs must never hold a secret). */
export const providerLogLines: string[] = [];
const logger = createLogger(
  'provider.keywarden',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      providerLogLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
);

export function newServer(): ProviderServer<unknown> {
  return new ProviderServer(keywardenProvider, logger) as ProviderServer<unknown>;
}

/** A server configured with `fields`; fails the test on configuration diagnostics. */
export async function configuredServer(fields: TfObject): Promise<ProviderServer<unknown>> {
  const server = newServer();
  const response = await server.configureProvider({ config: dv(providerSchema, providerConfig(fields)) });
  expect(diagnosticsOf(response)).toEqual([]);
  return server;
}

/** Plans then applies a create of `config` (the planned object from the server's own plan). */
export async function planAndCreate(server: ProviderServer<unknown>, config: TfObject) {
  const plan = await server.planResourceChange({
    type_name: 'keywarden_api_key',
    prior_state: dv(keySchema, null),
    proposed_new_state: dv(keySchema, config),
    config: dv(keySchema, config),
  });
  expect(diagnosticsOf(plan)).toEqual([]);
  const apply = await server.applyResourceChange({
    type_name: 'keywarden_api_key',
    prior_state: dv(keySchema, null),
    planned_state: plan.planned_state,
    config: dv(keySchema, config),
  });
  return { planned: decode(keySchema, plan.planned_state) as TfObject, apply, state: decode(keySchema, apply.new_state) as TfObject | null };
}

/** Plans an update of `prior` to `config` as Terraform would (computed attributes proposed from the prior state). */
export async function planUpdate(server: ProviderServer<unknown>, prior: TfObject, config: TfObject) {
  const proposed: TfObject = { ...config };
  for (const name of ['id', 'key_prefix', 'current_version', 'created_at', 'mode', 'expires_at']) if ((config[name] ?? null) === null) proposed[name] = prior[name] ?? null;
  const response = await server.planResourceChange({
    type_name: 'keywarden_api_key',
    prior_state: dv(keySchema, prior),
    proposed_new_state: dv(keySchema, proposed),
    config: dv(keySchema, config),
  });
  return {
    planned: decode(keySchema, response.planned_state) as TfObject,
    requiresReplace: response.requires_replace as unknown[] | undefined,
    diagnostics: diagnosticsOf(response),
  };
}

/** Applies a planned update; fails the test on diagnostics. */
export async function applyUpdate(server: ProviderServer<unknown>, prior: TfObject, planned: TfObject, config: TfObject): Promise<TfObject> {
  const response = await server.applyResourceChange({
    type_name: 'keywarden_api_key',
    prior_state: dv(keySchema, prior),
    planned_state: dv(keySchema, planned),
    config: dv(keySchema, config),
  });
  expect(diagnosticsOf(response)).toEqual([]);
  return decode(keySchema, response.new_state) as TfObject;
}
