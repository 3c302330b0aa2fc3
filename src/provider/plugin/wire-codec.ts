// Protocol Buffers wire format for the messages in protocol.ts, driven by those same
// descriptors. Hand-written because it is small and a provider process starts 3–4 times per
// Terraform command: loading protobuf.js and @grpc/proto-loader and building their reflection
// costs more than everything else before the handshake. Tests check it against
// @grpc/proto-loader byte for byte.
//
// Decoded messages have the shape @grpc/proto-loader gives with
// { keepCase: true, longs: Number, enums: Number, defaults: false }: absent fields are absent,
// bytes are Buffers, repeated fields arrays, maps plain objects.
import type { EnumDescriptor, FieldDescriptor, MessageDescriptor, NamespaceDescriptor } from './protocol.js';

type Message = Record<string, unknown>;

interface FieldInfo {
  readonly name: string;
  readonly id: number;
  /** Scalar type name, or the resolved message/enum full name. */
  readonly type: string;
  readonly kind: 'scalar' | 'enum' | 'message';
  readonly repeated: boolean;
  /** For map fields: the key's scalar type. */
  readonly keyType?: string;
  /** Member of a oneof: written even when it holds its default value. */
  readonly inOneof: boolean;
}

interface MessageInfo {
  readonly fields: FieldInfo[];
  readonly byId: Map<number, FieldInfo>;
}

const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64']);

/** The message types of a descriptor namespace, ready to encode and decode. */
export class WireCodec {
  private readonly messages = new Map<string, MessageInfo>();
  private readonly enums = new Set<string>();

  constructor(root: NamespaceDescriptor) {
    const raw = new Map<string, { scope: string; fields: Readonly<Record<string, FieldDescriptor>>; oneofMembers: Set<string> }>();
    const visit = (namespace: NamespaceDescriptor, prefix: string) => {
      for (const [name, node] of Object.entries(namespace.nested ?? {})) {
        const full = prefix ? `${prefix}.${name}` : name;
        const n = node as Partial<MessageDescriptor> & Partial<EnumDescriptor> & NamespaceDescriptor;
        if (n.fields) {
          const oneofMembers = new Set(Object.values(n.oneofs ?? {}).flatMap((o) => o.oneof));
          raw.set(full, { scope: full, fields: n.fields, oneofMembers });
        }
        if (n.values) this.enums.add(full);
        visit(n, full);
      }
    };
    visit(root, '');
    for (const [full, message] of raw) {
      const fields = Object.entries(message.fields).map(([name, f]): FieldInfo => {
        const scalar = SCALARS.has(f.type);
        const type = scalar ? f.type : this.resolve(f.type, full, raw);
        return {
          name,
          id: f.id,
          type,
          kind: scalar ? 'scalar' : this.enums.has(type) ? 'enum' : 'message',
          repeated: f.rule === 'repeated',
          ...(f.keyType ? { keyType: f.keyType } : {}),
          inOneof: message.oneofMembers.has(name),
        };
      });
      this.messages.set(full, { fields, byId: new Map(fields.map((f) => [f.id, f])) });
    }
  }

  /** Resolves a type name as protobuf does: innermost scope first, then outwards. */
  resolve(name: string, scope: string, known: Map<string, unknown> = this.messages): string {
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i -= 1) {
      const candidate = [...parts.slice(0, i), name].join('.');
      if (known.has(candidate) || this.enums.has(candidate)) return candidate;
    }
    throw new Error(`protocol descriptor: type ${name} not found from ${scope}`);
  }

  encode(type: string, message: Message): Buffer {
    const info = this.info(type);
    const out: Buffer[] = [];
    for (const field of info.fields) {
      const value = message[field.name];
      if (value === undefined || value === null) continue;
      if (field.keyType) {
        for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
          const body = Buffer.concat([encodeScalarField(1, field.keyType, key, true), this.encodeField({ ...field, id: 2, repeated: false, inOneof: true }, entry)]);
          out.push(tag(field.id, 2), varint(body.length), body);
        }
      } else if (field.repeated) {
        for (const element of value as unknown[]) out.push(this.encodeField(field, element));
      } else {
        out.push(this.encodeField(field, value));
      }
    }
    return Buffer.concat(out);
  }

  decode(type: string, bytes: Uint8Array): Message {
    const info = this.info(type);
    const reader = new Reader(bytes);
    const out: Message = {};
    while (!reader.done()) {
      const key = reader.varint();
      const id = Math.floor(key / 8);
      const wireType = key & 7;
      const field = info.byId.get(id);
      if (!field) {
        reader.skip(wireType);
        continue;
      }
      if (field.keyType) {
        const entry = new Reader(reader.bytes());
        let entryKey: unknown = field.keyType === 'string' ? '' : 0;
        let entryValue: unknown = field.kind === 'message' ? {} : field.type === 'string' ? '' : undefined;
        while (!entry.done()) {
          const entryTag = entry.varint();
          if (entryTag >> 3 === 1) entryKey = this.readValue(entry, { ...field, type: field.keyType, kind: 'scalar' });
          else if (entryTag >> 3 === 2) entryValue = this.readValue(entry, field);
          else entry.skip(entryTag & 7);
        }
        const map = (out[field.name] ??= {}) as Record<string, unknown>;
        map[String(entryKey)] = entryValue;
      } else if (field.repeated) {
        ((out[field.name] ??= []) as unknown[]).push(this.readValue(reader, field));
      } else {
        out[field.name] = this.readValue(reader, field);
      }
    }
    return out;
  }

  private info(type: string): MessageInfo {
    const info = this.messages.get(type);
    if (!info) throw new Error(`protocol descriptor: no message ${type}`);
    return info;
  }

  private encodeField(field: FieldInfo, value: unknown): Buffer {
    if (field.kind === 'message') {
      const body = this.encode(field.type, value as Message);
      return Buffer.concat([tag(field.id, 2), varint(body.length), body]);
    }
    return encodeScalarField(field.id, field.kind === 'enum' ? 'int32' : field.type, value, field.inOneof || field.repeated);
  }

  private readValue(reader: Reader, field: FieldInfo): unknown {
    if (field.kind === 'message') return this.decode(field.type, reader.bytes());
    switch (field.kind === 'enum' ? 'int32' : field.type) {
      case 'string':
        return reader.bytes().toString('utf8');
      case 'bytes':
        return Buffer.from(reader.bytes());
      case 'bool':
        return reader.varint() !== 0;
      case 'int32':
        return reader.varint() | 0;
      case 'int64':
        return reader.signedVarint64();
      default:
        return reader.varint();
    }
  }
}

/** A scalar field; proto3 leaves default values out unless `always` (oneof members, repeated elements). */
function encodeScalarField(id: number, type: string, value: unknown, always: boolean): Buffer {
  switch (type) {
    case 'string':
    case 'bytes': {
      const body = type === 'string' ? Buffer.from(String(value), 'utf8') : Buffer.from(value as Uint8Array);
      if (body.length === 0 && !always) return Buffer.alloc(0);
      return Buffer.concat([tag(id, 2), varint(body.length), body]);
    }
    case 'bool':
      return value || always ? Buffer.concat([tag(id, 0), varint(value ? 1 : 0)]) : Buffer.alloc(0);
    default: {
      const n = Number(value);
      if (n === 0 && !always) return Buffer.alloc(0);
      return Buffer.concat([tag(id, 0), n < 0 ? negativeVarint(n) : varint(n)]);
    }
  }
}

function tag(id: number, wireType: number): Buffer {
  return varint(id * 8 + wireType);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** Negative int32/int64: ten bytes of two's complement, as protobuf writes them. */
function negativeVarint(value: number): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (rest > 0x7fn) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}

class Reader {
  private at = 0;
  private readonly buffer: Buffer;

  constructor(bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.at >= this.buffer.length;
  }

  /** An unsigned varint up to 2^53 (larger values lose precision, as with longs: Number). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buffer[this.at];
      if (byte === undefined) throw new Error('protobuf: truncated varint');
      this.at += 1;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  signedVarint64(): number {
    const start = this.at;
    const unsigned = this.varint();
    if (this.at - start < 10) return unsigned;
    // Ten bytes: negative two's complement; redo exactly.
    this.at = start;
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = BigInt(this.buffer[this.at] ?? 0);
      this.at += 1;
      value |= (byte & 0x7fn) << shift;
      if (byte < 0x80n) break;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, value));
  }

  bytes(): Buffer {
    const length = this.varint();
    const slice = this.buffer.subarray(this.at, this.at + length);
    if (slice.length !== length) throw new Error('protobuf: truncated field');
    this.at += length;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.at += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.at += 4;
    else throw new Error(`protobuf: unsupported wire type ${wireType}`);
  }
}
