// The project's own definitions of the two gRPC protocols a Terraform provider speaks:
// Terraform's plugin protocol 6 (package tfplugin6, the subset Terraform 1.11 calls) and
// go-plugin's housekeeping services (package plugin). Written from the published protocol
// descriptions; only the messages used here are declared, field numbers as published.
// Declared as protobuf.js JSON descriptors rather than .proto files, so the definitions travel
// inside a single-file bundle and cost no parsing. wire-codec.ts encodes them at run time; the
// tests load the same descriptors with @grpc/proto-loader as the reference implementation.

/** One field: number, type (scalar, message or enum name, resolved like protobuf does), repeated or map. */
export interface FieldDescriptor {
  readonly id: number;
  readonly type: string;
  readonly rule?: 'repeated';
  /** Set for `map<keyType, type>` fields. */
  readonly keyType?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}
export interface MessageDescriptor {
  readonly fields: Readonly<Record<string, FieldDescriptor>>;
  readonly oneofs?: Readonly<Record<string, { readonly oneof: readonly string[] }>>;
  readonly nested?: Readonly<Record<string, NamespaceNode>>;
}
export interface EnumDescriptor {
  readonly values: Readonly<Record<string, number>>;
}
export interface MethodDescriptor {
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream?: boolean;
  readonly responseStream?: boolean;
  readonly comment: string;
}
export interface ServiceDescriptor {
  readonly methods: Readonly<Record<string, MethodDescriptor>>;
}
/** A package or message scope: the protobuf.js JSON descriptor shape (also what @grpc/proto-loader's fromJSON reads). */
export interface NamespaceDescriptor {
  readonly nested?: Readonly<Record<string, NamespaceNode>>;
}
export type NamespaceNode = MessageDescriptor | EnumDescriptor | ServiceDescriptor | NamespaceDescriptor;

type FieldSpec = readonly [id: number, type: string, rule?: 'repeated' | 'optional'];
type MapSpec = readonly [id: number, 'map', keyType: string, valueType: string];

/** A message descriptor from `{ field: [id, type, rule?] }`; nested messages/enums go in `nested`. */
function message(
  fields: Record<string, FieldSpec | MapSpec>,
  extra: { nested?: Record<string, NamespaceNode>; oneofs?: Record<string, { oneof: string[] }> } = {},
): MessageDescriptor {
  const out: Record<string, FieldDescriptor> = {};
  for (const [name, spec] of Object.entries(fields)) {
    if (spec[1] === 'map') {
      const [id, , keyType, type] = spec as MapSpec;
      out[name] = { id, keyType, type };
    } else {
      const [id, type, rule] = spec as FieldSpec;
      out[name] = rule === 'repeated' ? { id, type, rule } : rule === 'optional' ? { id, type, options: { proto3_optional: true } } : { id, type };
    }
  }
  return { fields: out, ...(extra.oneofs ? { oneofs: extra.oneofs } : {}), ...(extra.nested ? { nested: extra.nested } : {}) };
}

/** `{ Request, Response }` pair, the shape every tfplugin6 call uses. */
function call(request: Record<string, FieldSpec | MapSpec>, response: Record<string, FieldSpec | MapSpec>, nested: Record<string, NamespaceNode> = {}): NamespaceDescriptor {
  return { nested: { Request: message(request), Response: message(response), ...nested } };
}

/** An RPC: `rpc NAME(request) returns (response)`, either side optionally a stream. */
function rpc(requestType: string, responseType: string, streams: { requestStream?: boolean; responseStream?: boolean } = {}): MethodDescriptor {
  return { requestType, responseType, ...streams, comment: '' };
}

function enumOf(values: readonly string[]): EnumDescriptor {
  return { values: Object.fromEntries(values.map((v, i) => [v, i])) };
}

const diags = (id: number): FieldSpec => [id, 'Diagnostic', 'repeated'];

const tfplugin6: NamespaceDescriptor = {
  nested: {
    DynamicValue: message({ msgpack: [1, 'bytes'], json: [2, 'bytes'] }),
    Diagnostic: message(
      { severity: [1, 'Severity'], summary: [2, 'string'], detail: [3, 'string'], attribute: [4, 'AttributePath'] },
      { nested: { Severity: enumOf(['INVALID', 'ERROR', 'WARNING']) } },
    ),
    AttributePath: message(
      { steps: [1, 'Step', 'repeated'] },
      {
        nested: {
          Step: message(
            { attribute_name: [1, 'string'], element_key_string: [2, 'string'], element_key_int: [3, 'int64'] },
            { oneofs: { selector: { oneof: ['attribute_name', 'element_key_string', 'element_key_int'] } } },
          ),
        },
      },
    ),
    RawState: message({ json: [1, 'bytes'], flatmap: [2, 'map', 'string', 'string'] }),
    StringKind: enumOf(['PLAIN', 'MARKDOWN']),
    Schema: message(
      { version: [1, 'int64'], block: [2, 'Block'] },
      {
        nested: {
          Block: message({
            version: [1, 'int64'],
            attributes: [2, 'Attribute', 'repeated'],
            block_types: [3, 'NestedBlock', 'repeated'],
            description: [4, 'string'],
            description_kind: [5, 'StringKind'],
            deprecated: [6, 'bool'],
          }),
          Attribute: message({
            name: [1, 'string'],
            type: [2, 'bytes'],
            description: [3, 'string'],
            required: [4, 'bool'],
            optional: [5, 'bool'],
            computed: [6, 'bool'],
            sensitive: [7, 'bool'],
            description_kind: [8, 'StringKind'],
            deprecated: [9, 'bool'],
            write_only: [11, 'bool'],
          }),
          NestedBlock: message(
            { type_name: [1, 'string'], block: [2, 'Block'], nesting: [3, 'NestingMode'], min_items: [4, 'int64'], max_items: [5, 'int64'] },
            { nested: { NestingMode: enumOf(['INVALID', 'SINGLE', 'LIST', 'SET', 'MAP', 'GROUP']) } },
          ),
        },
      },
    ),
    ServerCapabilities: message({ plan_destroy: [1, 'bool'], get_provider_schema_optional: [2, 'bool'], move_resource_state: [3, 'bool'] }),
    ClientCapabilities: message({ deferral_allowed: [1, 'bool'], write_only_attributes_allowed: [2, 'bool'] }),
    GetMetadata: call(
      {},
      {
        server_capabilities: [1, 'ServerCapabilities'],
        diagnostics: diags(2),
        data_sources: [3, 'TypeName', 'repeated'],
        resources: [4, 'TypeName', 'repeated'],
      },
      // DataSourceMetadata and ResourceMetadata share one shape: { type_name = 1 }.
      { TypeName: message({ type_name: [1, 'string'] }) },
    ),
    GetProviderSchema: call(
      {},
      {
        provider: [1, 'Schema'],
        resource_schemas: [2, 'map', 'string', 'Schema'],
        data_source_schemas: [3, 'map', 'string', 'Schema'],
        diagnostics: diags(4),
        provider_meta: [5, 'Schema'],
        server_capabilities: [6, 'ServerCapabilities'],
      },
    ),
    ValidateProviderConfig: call({ config: [1, 'DynamicValue'] }, { diagnostics: diags(2) }),
    ValidateResourceConfig: call(
      { type_name: [1, 'string'], config: [2, 'DynamicValue'] },
      { diagnostics: diags(1) },
    ),
    ValidateDataResourceConfig: call({ type_name: [1, 'string'], config: [2, 'DynamicValue'] }, { diagnostics: diags(1) }),
    UpgradeResourceState: call(
      { type_name: [1, 'string'], version: [2, 'int64'], raw_state: [3, 'RawState'] },
      { upgraded_state: [1, 'DynamicValue'], diagnostics: diags(2) },
    ),
    ConfigureProvider: call(
      { terraform_version: [1, 'string'], config: [2, 'DynamicValue'], client_capabilities: [3, 'ClientCapabilities'] },
      { diagnostics: diags(1) },
    ),
    ReadResource: call(
      { type_name: [1, 'string'], current_state: [2, 'DynamicValue'], private: [3, 'bytes'], provider_meta: [4, 'DynamicValue'] },
      { new_state: [1, 'DynamicValue'], diagnostics: diags(2), private: [3, 'bytes'] },
    ),
    PlanResourceChange: call(
      {
        type_name: [1, 'string'],
        prior_state: [2, 'DynamicValue'],
        proposed_new_state: [3, 'DynamicValue'],
        config: [4, 'DynamicValue'],
        prior_private: [5, 'bytes'],
        provider_meta: [6, 'DynamicValue'],
      },
      { planned_state: [1, 'DynamicValue'], requires_replace: [2, 'AttributePath', 'repeated'], planned_private: [3, 'bytes'], diagnostics: diags(4) },
    ),
    ApplyResourceChange: call(
      {
        type_name: [1, 'string'],
        prior_state: [2, 'DynamicValue'],
        planned_state: [3, 'DynamicValue'],
        config: [4, 'DynamicValue'],
        planned_private: [5, 'bytes'],
        provider_meta: [6, 'DynamicValue'],
      },
      { new_state: [1, 'DynamicValue'], private: [2, 'bytes'], diagnostics: diags(3) },
    ),
    ImportResourceState: call(
      { type_name: [1, 'string'], id: [2, 'string'] },
      { imported_resources: [1, 'ImportedResource', 'repeated'], diagnostics: diags(2) },
      { ImportedResource: message({ type_name: [1, 'string'], state: [2, 'DynamicValue'], private: [3, 'bytes'] }) },
    ),
    ReadDataSource: call(
      { type_name: [1, 'string'], config: [2, 'DynamicValue'], provider_meta: [3, 'DynamicValue'] },
      { state: [1, 'DynamicValue'], diagnostics: diags(2) },
    ),
    StopProvider: call({}, { Error: [1, 'string'] }),
    Provider: {
      methods: Object.fromEntries(
        [
          'GetMetadata',
          'GetProviderSchema',
          'ValidateProviderConfig',
          'ValidateResourceConfig',
          'ValidateDataResourceConfig',
          'UpgradeResourceState',
          'ConfigureProvider',
          'ReadResource',
          'PlanResourceChange',
          'ApplyResourceChange',
          'ImportResourceState',
          'ReadDataSource',
          'StopProvider',
        ].map((name) => [name, rpc(`${name}.Request`, `${name}.Response`)]),
      ),
    },
  },
};

// go-plugin's services: the process's stdio mirror, the connection broker and the controller.
const plugin: NamespaceDescriptor = {
  nested: {
    Empty: message({}),
    StdioData: message({ channel: [1, 'Channel'], data: [2, 'bytes'] }, { nested: { Channel: enumOf(['INVALID', 'STDOUT', 'STDERR']) } }),
    ConnInfo: message(
      { service_id: [1, 'uint32'], network: [2, 'string'], address: [3, 'string'], knock: [4, 'Knock'] },
      { nested: { Knock: message({ knock: [1, 'bool'], ack: [2, 'bool'], error: [3, 'string'] }) } },
    ),
    GRPCStdio: { methods: { StreamStdio: rpc('Empty', 'StdioData', { responseStream: true }) } },
    GRPCBroker: { methods: { StartStream: rpc('ConnInfo', 'ConnInfo', { requestStream: true, responseStream: true }) } },
    GRPCController: { methods: { Shutdown: rpc('Empty', 'Empty') } },
  },
};

/** Both protocols as one protobuf.js namespace (packages `tfplugin6` and `plugin`). */
export const PROTOCOL_DESCRIPTOR: NamespaceDescriptor = { nested: { tfplugin6, plugin } };

/** Diagnostic severities as numbered in tfplugin6. */
export const SEVERITY = { ERROR: 1, WARNING: 2 } as const;
/** String kinds as numbered in tfplugin6. */
export const STRING_KIND = { PLAIN: 0, MARKDOWN: 1 } as const;
/** Nested block modes as numbered in tfplugin6. */
export const NESTING = { single: 1, list: 2, set: 3 } as const;
