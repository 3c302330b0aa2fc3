import { describe, expect, it } from '@jest/globals';
import { fromJSON } from '@grpc/proto-loader';
import type * as grpc from '@grpc/grpc-js';
import { PROTOCOL_DESCRIPTOR } from '../../../src/provider/plugin/protocol.js';
import { serviceDefinitions } from '../../../src/provider/plugin/services.js';

// @grpc/proto-loader (protobuf.js) reading the same descriptors is the reference: the
// hand-written codec must produce bytes it reads back identically, and read what it writes.
// (proto3 leaves fields holding their default value out; protobuf.js writes them when they are
// set explicitly. Both are valid, so samples avoid explicit defaults where bytes are compared.)
const reference = fromJSON(PROTOCOL_DESCRIPTOR, { keepCase: true, longs: Number, enums: Number, defaults: false, oneofs: false });
const ours = serviceDefinitions().provider;
const theirs = reference['tfplugin6.Provider'] as grpc.ServiceDefinition;

function method(name: string) {
  const mine = ours[name];
  const other = theirs[name];
  if (!mine || !other) throw new Error(`no method ${name}`);
  return { mine, other };
}

const schemaResponse = {
  provider: { block: { attributes: [{ name: 'endpoint', type: Buffer.from('"string"'), optional: true, description: 'URL', description_kind: 1 }] } },
  resource_schemas: {
    kwtest_note: {
      version: 3,
      block: {
        version: 3,
        attributes: [
          { name: 'id', type: Buffer.from('"string"'), computed: true },
          { name: 'secret', type: Buffer.from('"string"'), optional: true, sensitive: true, write_only: true },
        ],
        block_types: [{ type_name: 'delivery', nesting: 2, max_items: 4, block: { attributes: [{ name: 'path', type: Buffer.from('"string"'), required: true }] } }],
      },
    },
    other: { block: {} },
  },
  diagnostics: [
    {
      severity: 1,
      summary: 'Invalid name',
      detail: 'Expected lower case',
      attribute: { steps: [{ attribute_name: 'limits' }, { element_key_string: 'rps' }, { element_key_int: 0 }, { element_key_int: 7 }] },
    },
  ],
  server_capabilities: { get_provider_schema_optional: true },
};

describe('protobuf wire codec against @grpc/proto-loader', () => {
  it('writes a schema response (nested messages, maps, enums, bytes, oneofs) that the reference reads back unchanged', () => {
    const { mine, other } = method('GetProviderSchema');
    const decoded = other.responseDeserialize(mine.responseSerialize(schemaResponse));
    expect(decoded).toEqual(schemaResponse);
  });

  it('writes the same bytes as the reference for messages without maps', () => {
    const { mine, other } = method('PlanResourceChange');
    const response = {
      planned_state: { msgpack: Buffer.from('81a16964d40000', 'hex') },
      requires_replace: [{ steps: [{ attribute_name: 'name' }] }, { steps: [{ attribute_name: 'tags' }, { element_key_int: 0 }] }],
      planned_private: Buffer.from('private'),
      diagnostics: [{ severity: 2, summary: 'careful' }],
    };
    expect(Buffer.from(mine.responseSerialize(response)).toString('hex')).toBe(Buffer.from(other.responseSerialize(response)).toString('hex'));
  });

  it('reads requests as the reference writes them, including negative and large int64 values', () => {
    const { mine, other } = method('UpgradeResourceState');
    const request = { type_name: 'kwtest_note', version: 2 ** 40, raw_state: { json: Buffer.from('{"a":1}'), flatmap: { a: '1', b: '' } } };
    expect(mine.requestDeserialize(other.requestSerialize(request))).toEqual(request);
    const negative = { type_name: 'x', version: -5 };
    expect(mine.requestDeserialize(other.requestSerialize(negative))).toEqual(negative);
    expect(other.requestDeserialize(mine.requestSerialize(negative))).toEqual(negative);
  });

  it('skips fields it does not declare (newer protocol versions)', () => {
    const { mine } = method('ReadResource');
    // type_name "a", then an undeclared field 9 (varint) and 10 (bytes), then private "p".
    const bytes = Buffer.from([0x0a, 0x01, 0x61, 0x48, 0x96, 0x01, 0x52, 0x02, 0x01, 0x02, 0x1a, 0x01, 0x70]);
    expect(mine.requestDeserialize(bytes)).toEqual({ type_name: 'a', private: Buffer.from('p') });
  });

  it('round-trips every provider call through the reference in both directions', () => {
    const samples: Record<string, Record<string, unknown>> = {
      ApplyResourceChange: { type_name: 't', prior_state: { msgpack: Buffer.from([0xc0]) }, planned_state: { json: Buffer.from('{}') }, config: { msgpack: Buffer.from([0x80]) } },
      ImportResourceState: { type_name: 't', id: 'n-1' },
      ConfigureProvider: { terraform_version: '1.11.4', config: { msgpack: Buffer.from([0x80]) }, client_capabilities: { write_only_attributes_allowed: true } },
      ReadDataSource: { type_name: 'd', config: { msgpack: Buffer.from([0x80]) } },
    };
    for (const [name, request] of Object.entries(samples)) {
      const { mine, other } = method(name);
      expect(other.requestDeserialize(mine.requestSerialize(request))).toEqual(request);
      expect(mine.requestDeserialize(other.requestSerialize(request))).toEqual(request);
    }
    const { mine, other } = method('ImportResourceState');
    const response = { imported_resources: [{ type_name: 't', state: { msgpack: Buffer.from([0x80]) } }], diagnostics: [] };
    expect(other.responseDeserialize(mine.responseSerialize(response))).toEqual({ imported_resources: response.imported_resources });
  });
});
