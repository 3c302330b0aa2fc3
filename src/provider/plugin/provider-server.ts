// The tfplugin6.Provider service in terms of the definitions: each handler takes the request
// as decoded by wire-codec.ts and returns the response object. No transport here (see
// grpc-server.ts), so the handlers can be exercised directly.
import type { CallContext, ConfiguredContext, DataSource, ProviderDefinition, Resource } from './definitions.js';
import { Diagnostics, toProtoDiagnostic, toProtoPath } from './diagnostics.js';
import { createLogger, type Logger } from './log.js';
import { jsonToPlain, parseJsonPrecise, valueFromJson } from './json-value.js';
import { decodeValue, encodeValue, ValueCodecError } from './msgpack-codec.js';
import { planChange, shapeState } from './plan.js';
import { blockType, schemaProblems, schemaToProto, type Schema } from './schema.js';
import { validateBlock } from './validate.js';
import { isObjectValue, type TfObject, type TfValue } from './values.js';

/** tfplugin6.DynamicValue as decoded from the wire. */
export interface WireDynamicValue {
  msgpack?: Uint8Array | null;
  json?: Uint8Array | null;
}

type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

/** Capabilities announced to Terraform. */
const SERVER_CAPABILITIES = { plan_destroy: false, get_provider_schema_optional: true, move_resource_state: false };

export class ProviderServer<D> {
  private providerData: { value: D } | undefined;
  private stop = new AbortController();
  private readonly resources = new Map<string, Resource<D>>();
  private readonly dataSources = new Map<string, DataSource<D>>();

  constructor(
    readonly definition: ProviderDefinition<D>,
    /** @default hclog JSON lines on stderr, module `provider.<type name>` */
    private readonly log: Logger = createLogger(`provider.${definition.typeName}`),
  ) {
    const problems = schemaProblems(definition.schema, 'provider');
    for (const r of definition.resources) {
      this.resources.set(r.typeName, r);
      problems.push(...schemaProblems(r.schema, r.typeName));
    }
    for (const d of definition.dataSources ?? []) {
      this.dataSources.set(d.typeName, d);
      problems.push(...schemaProblems(d.schema, `data.${d.typeName}`));
    }
    // A broken declaration is a programming error: fail at start, not in front of a user.
    if (problems.length > 0) throw new Error(`invalid provider schema:\n  ${problems.join('\n  ')}`);
  }

  getMetadata(): Response {
    return {
      server_capabilities: SERVER_CAPABILITIES,
      diagnostics: [],
      resources: [...this.resources.keys()].map((type_name) => ({ type_name })),
      data_sources: [...this.dataSources.keys()].map((type_name) => ({ type_name })),
    };
  }

  getProviderSchema(): Response {
    return {
      provider: schemaToProto(this.definition.schema),
      resource_schemas: Object.fromEntries([...this.resources].map(([name, r]) => [name, schemaToProto(r.schema)])),
      data_source_schemas: Object.fromEntries([...this.dataSources].map(([name, d]) => [name, schemaToProto(d.schema)])),
      diagnostics: [],
      server_capabilities: SERVER_CAPABILITIES,
    };
  }

  async validateProviderConfig(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const config = this.decodeObject(this.definition.schema, request.config);
      validateBlock(this.definition.schema, config, [], ctx.diagnostics);
      return {};
    });
  }

  async validateResourceConfig(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const resource = this.resource(request.type_name);
      const config = this.decodeObject(resource.schema, request.config);
      validateBlock(resource.schema, config, [], ctx.diagnostics);
      await resource.validate?.(config, ctx);
      return {};
    });
  }

  async validateDataResourceConfig(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const dataSource = this.dataSource(request.type_name);
      const config = this.decodeObject(dataSource.schema, request.config);
      validateBlock(dataSource.schema, config, [], ctx.diagnostics);
      await dataSource.validate?.(config, ctx);
      return {};
    });
  }

  async configureProvider(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const config = this.decodeObject(this.definition.schema, request.config);
      const value = await this.definition.configure({ config, terraformVersion: String(request.terraform_version ?? '') }, ctx);
      if (!ctx.diagnostics.hasErrors()) this.providerData = { value };
      return {};
    });
  }

  async upgradeResourceState(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const resource = this.resource(request.type_name);
      const raw = request.raw_state as { json?: Uint8Array | null } | undefined;
      if (!raw?.json || raw.json.length === 0) {
        ctx.diagnostics.error('Unsupported state format', `${resource.typeName}: only JSON state is supported; the flatmap format predates Terraform 0.12.`);
        return {};
      }
      const target = resource.schema.version ?? 0;
      let version = Number(request.version ?? 0);
      let json = parseJsonPrecise(Buffer.from(raw.json).toString('utf8'));
      if (version > target) {
        ctx.diagnostics.error(
          'State is newer than this provider',
          `${resource.typeName} state has schema version ${version}; this provider knows up to ${target}. Use a newer provider version.`,
        );
        return {};
      }
      while (version < target) {
        const upgrade = resource.upgradeState?.[version];
        if (!upgrade) {
          ctx.diagnostics.error('Cannot upgrade state', `${resource.typeName} has no state upgrader from schema version ${version}.`);
          return {};
        }
        json = upgrade(jsonToPlain(json) as Record<string, unknown>);
        version += 1;
      }
      const value = valueFromJson(blockType(resource.schema), json);
      const { state } = shapeState(resource.schema, isObjectValue(value) ? value : {});
      return { upgraded_state: this.encode(resource.schema, state) };
    });
  }

  async readResource(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const resource = this.resource(request.type_name);
      const current = this.decodeObject(resource.schema, request.current_state);
      const configured = this.configured(ctx);
      const next = await attempt(ctx, () => resource.read({ state: current }, configured));
      if (next === undefined || ctx.diagnostics.hasErrors()) return { new_state: this.encode(resource.schema, current), private: request.private };
      return { new_state: this.encode(resource.schema, next === null ? null : shapeState(resource.schema, next, current).state), private: request.private };
    });
  }

  async planResourceChange(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const resource = this.resource(request.type_name);
      const prior = this.decodeNullableObject(resource.schema, request.prior_state);
      const proposed = this.decodeNullableObject(resource.schema, request.proposed_new_state);
      const config = this.decodeNullableObject(resource.schema, request.config);
      if (proposed === null || config === null) {
        return { planned_state: request.proposed_new_state, planned_private: request.prior_private };
      }
      let { planned, requiresReplace } = planChange(resource.schema, prior, proposed, config);
      if (resource.modifyPlan) {
        const modified = await resource.modifyPlan({ config, prior, planned }, this.configured(ctx));
        if (modified) planned = shapeState(resource.schema, modified, planned).state;
      }
      return {
        planned_state: this.encode(resource.schema, planned),
        requires_replace: requiresReplace.map(toProtoPath),
        planned_private: request.prior_private,
      };
    });
  }

  async applyResourceChange(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const resource = this.resource(request.type_name);
      const prior = this.decodeNullableObject(resource.schema, request.prior_state);
      const planned = this.decodeNullableObject(resource.schema, request.planned_state);
      const config = this.decodeNullableObject(resource.schema, request.config) ?? {};
      const configured = this.configured(ctx);
      if (planned === null) {
        if (prior !== null) await attempt(ctx, () => resource.delete({ prior }, configured));
        // On failure the object still exists: keep it in state.
        return { new_state: this.encode(resource.schema, ctx.diagnostics.hasErrors() ? prior : null) };
      }
      const result = await attempt(ctx, () =>
        prior === null ? resource.create({ config, planned }, configured) : resource.update({ config, planned, prior }, configured),
      );
      if (result === undefined || ctx.diagnostics.hasErrors()) {
        // Failed create: nothing exists. Failed update: the prior object still does.
        return { new_state: this.encode(resource.schema, prior), private: request.planned_private };
      }
      const { state, unknown } = shapeState(resource.schema, result, planned);
      if (unknown.length > 0) {
        ctx.diagnostics.error('Provider left values unknown', `${resource.typeName}: ${unknown.join(', ')} must be known after apply. This is a bug in the provider.`);
        return { new_state: this.encode(resource.schema, prior), private: request.planned_private };
      }
      return { new_state: this.encode(resource.schema, state), private: request.planned_private };
    });
  }

  async importResourceState(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const resource = this.resource(request.type_name);
      if (!resource.importState) {
        ctx.diagnostics.error('Import not supported', `${resource.typeName} cannot be imported.`);
        return {};
      }
      const id = String(request.id ?? '');
      const found = await resource.importState(id, this.configured(ctx));
      if (ctx.diagnostics.hasErrors()) return {};
      if (found === null) {
        ctx.diagnostics.error('Cannot import non-existent remote object', `${resource.typeName} "${id}" was not found. Check the id.`);
        return {};
      }
      return { imported_resources: [{ type_name: resource.typeName, state: this.encode(resource.schema, shapeState(resource.schema, found).state) }] };
    });
  }

  async readDataSource(request: Request): Promise<Response> {
    return this.run('diagnostics', async (ctx) => {
      const dataSource = this.dataSource(request.type_name);
      const config = this.decodeObject(dataSource.schema, request.config);
      const result = await dataSource.read({ config }, this.configured(ctx));
      if (ctx.diagnostics.hasErrors()) return {};
      const { state, unknown } = shapeState(dataSource.schema, result, config);
      if (unknown.length > 0) {
        ctx.diagnostics.error('Provider left values unknown', `data.${dataSource.typeName}: ${unknown.join(', ')} must be known. This is a bug in the provider.`);
        return {};
      }
      return { state: this.encode(dataSource.schema, state) };
    });
  }

  stopProvider(): Response {
    this.stop.abort();
    // A long-running (reattached) provider serves later commands with a fresh signal.
    this.stop = new AbortController();
    return { Error: '' };
  }

  /** Runs a handler with a fresh diagnostics collector; any throw becomes an error diagnostic. */
  private async run(field: 'diagnostics', handler: (ctx: CallContext) => Promise<Response>): Promise<Response> {
    const diagnostics = new Diagnostics();
    let response: Response = {};
    try {
      response = await handler({ diagnostics, signal: this.stop.signal, log: this.log });
    } catch (error) {
      if (error instanceof ValueCodecError) diagnostics.error('Value does not match the schema', error.message, error.path);
      else if (error instanceof UsageError) diagnostics.error(error.message, error.detail);
      else diagnostics.error('Provider error', error instanceof Error ? error.message : String(error));
    }
    for (const d of diagnostics.items) {
      // Summaries and paths only: details may quote configuration values.
      this.log.log(d.severity === 'error' ? 'error' : 'warn', d.summary, d.path ? { path: d.path.map((step) => (typeof step === 'object' ? step.key : String(step))).join('.') } : {});
    }
    return { ...response, [field]: diagnostics.items.map(toProtoDiagnostic) };
  }

  private configured(ctx: CallContext): ConfiguredContext<D> {
    if (!this.providerData) throw new UsageError('Provider not configured', 'ConfigureProvider must succeed before resources are used.');
    return { ...ctx, providerData: this.providerData.value };
  }

  private resource(typeName: unknown): Resource<D> {
    const found = this.resources.get(String(typeName));
    if (!found) throw new UsageError('Unknown resource type', `This provider has no resource type "${String(typeName)}".`);
    return found;
  }

  private dataSource(typeName: unknown): DataSource<D> {
    const found = this.dataSources.get(String(typeName));
    if (!found) throw new UsageError('Unknown data source', `This provider has no data source "${String(typeName)}".`);
    return found;
  }

  private decodeNullableObject(schema: Schema, wire: unknown): TfObject | null {
    const dv = wire as WireDynamicValue | null | undefined;
    let value: TfValue = null;
    if (dv?.msgpack && dv.msgpack.length > 0) value = decodeValue(blockType(schema), dv.msgpack);
    else if (dv?.json && dv.json.length > 0) value = valueFromJson(blockType(schema), parseJsonPrecise(Buffer.from(dv.json).toString('utf8')));
    return isObjectValue(value) ? value : null;
  }

  private decodeObject(schema: Schema, wire: unknown): TfObject {
    return this.decodeNullableObject(schema, wire) ?? {};
  }

  private encode(schema: Schema, value: TfObject | null): WireDynamicValue {
    return { msgpack: encodeValue(blockType(schema), value) };
  }
}

/** Runs a resource operation; a throw becomes an error diagnostic and the result undefined. */
async function attempt<T>(ctx: CallContext, operation: () => Promise<T>): Promise<T | undefined> {
  try {
    return await operation();
  } catch (error) {
    ctx.log.debug('resource operation failed', { error: error instanceof Error ? error.name : typeof error });
    ctx.diagnostics.error('Provider error', error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/** A request the provider cannot serve (unknown type, not configured): reported as a diagnostic. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}
