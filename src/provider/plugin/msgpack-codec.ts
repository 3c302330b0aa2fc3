// Terraform values <-> msgpack, the encoding of every `DynamicValue` Terraform exchanges with a
// provider. Objects carry every attribute of their type (nil for null); unknown values are
// msgpack extensions (type 0; type 12 for refined unknowns, whose bytes are passed through).
import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { fromBigInt, numberFromText, numberToWire, type TfNumber } from './numbers.js';
import { typeFromJson, typeToJson, type TfType } from './types.js';
import { isObjectValue, PreciseNumber, TypedValue, Unknown, type TfObject, type TfValue } from './values.js';

/** Extension type of a plain unknown value. */
const UNKNOWN_EXT = 0;
/** Extension type of a refined unknown value (Terraform ≥ 1.6). */
const REFINED_UNKNOWN_EXT = 12;

/** A value that does not match the type it was decoded or encoded against. */
export class ValueCodecError extends Error {
  constructor(
    message: string,
    /** Where in the value: attribute names and element indexes/keys. */
    readonly path: readonly (string | number)[],
  ) {
    super(path.length > 0 ? `${message} at ${path.join('.')}` : message);
    this.name = 'ValueCodecError';
  }
}

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: UNKNOWN_EXT,
  encode: (input) => (input instanceof Unknown && input.refinement === undefined ? new Uint8Array([0]) : null),
  decode: () => new Unknown(),
});
extensionCodec.register({
  type: REFINED_UNKNOWN_EXT,
  encode: (input) => (input instanceof Unknown && input.refinement !== undefined ? input.refinement : null),
  decode: (data) => new Unknown(Uint8Array.from(data)),
});

const encoder = new Encoder({ extensionCodec, useBigInt64: true });
const decoder = new Decoder({ extensionCodec, useBigInt64: true });

/** Encodes a value of `type` to msgpack bytes. Throws ValueCodecError when the value does not fit. */
export function encodeValue(type: TfType, value: TfValue): Uint8Array {
  return encoder.encode(toWire(type, value, []));
}

/** Decodes msgpack bytes as a value of `type`. Throws ValueCodecError when they do not fit. */
export function decodeValue(type: TfType, bytes: Uint8Array): TfValue {
  return fromWire(type, decoder.decode(bytes), []);
}

/** The msgpack bytes of a whole null value (`DynamicValue` of a removed resource). */
export const NULL_MSGPACK = new Uint8Array([0xc0]);

function toWire(type: TfType, value: TfValue, path: (string | number)[]): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Unknown) return value;
  if (type === 'dynamic') {
    if (!(value instanceof TypedValue)) throw new ValueCodecError('a dynamic value needs its type (TypedValue)', path);
    if (value.value === null || value.value instanceof Unknown) return toWire(value.type, value.value, path);
    return [new TextEncoder().encode(typeToJson(value.type)), toWire(value.type, value.value, path)];
  }
  if (type === 'string') {
    if (typeof value !== 'string') throw new ValueCodecError(`expected a string, got ${describe(value)}`, path);
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new ValueCodecError(`expected a bool, got ${describe(value)}`, path);
    return value;
  }
  if (type === 'number') {
    if (typeof value === 'number' || typeof value === 'bigint' || value instanceof PreciseNumber) return numberToWire(value);
    throw new ValueCodecError(`expected a number, got ${describe(value)}`, path);
  }
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'set') {
    if (!Array.isArray(value)) throw new ValueCodecError(`expected a ${kind}, got ${describe(value)}`, path);
    return value.map((element, i) => toWire(arg, element, [...path, i]));
  }
  if (kind === 'tuple') {
    if (!Array.isArray(value) || value.length !== arg.length) throw new ValueCodecError(`expected a tuple of ${arg.length}`, path);
    return value.map((element, i) => toWire(arg[i] ?? 'dynamic', element, [...path, i]));
  }
  if (!isObjectValue(value)) throw new ValueCodecError(`expected a ${kind}, got ${describe(value)}`, path);
  const out: Record<string, unknown> = {};
  if (kind === 'map') {
    for (const [key, element] of Object.entries(value)) out[key] = toWire(arg, element, [...path, key]);
    return out;
  }
  for (const name of Object.keys(value)) {
    if (!(name in arg)) throw new ValueCodecError(`unexpected attribute "${name}"`, path);
  }
  for (const [name, attributeType] of Object.entries(arg)) out[name] = toWire(attributeType, value[name] ?? null, [...path, name]);
  return out;
}

function fromWire(type: TfType, raw: unknown, path: (string | number)[]): TfValue {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Unknown) return raw;
  // Any other extension Terraform may add later also stands for an unknown value.
  if (raw instanceof ExtData) return new Unknown(raw.type === REFINED_UNKNOWN_EXT && raw.data instanceof Uint8Array ? raw.data : undefined);
  if (type === 'dynamic') {
    if (!Array.isArray(raw) || raw.length !== 2 || !(raw[0] instanceof Uint8Array)) {
      throw new ValueCodecError('expected a dynamic value as [type JSON, value]', path);
    }
    const concrete = typeFromJson(JSON.parse(new TextDecoder().decode(raw[0])));
    if (concrete === undefined) throw new ValueCodecError('dynamic value has an unknown type', path);
    return new TypedValue(concrete, fromWire(concrete, raw[1], path));
  }
  if (type === 'string') {
    if (typeof raw === 'string') return raw;
    throw new ValueCodecError(`expected a string, got ${typeof raw}`, path);
  }
  if (type === 'bool') {
    if (typeof raw === 'boolean') return raw;
    throw new ValueCodecError(`expected a bool, got ${typeof raw}`, path);
  }
  if (type === 'number') return wireNumber(raw, path);
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'set' || kind === 'tuple') {
    if (!Array.isArray(raw)) throw new ValueCodecError(`expected a ${kind}, got ${typeof raw}`, path);
    return raw.map((element, i) => fromWire(kind === 'tuple' ? (arg[i] ?? 'dynamic') : arg, element, [...path, i]));
  }
  if (typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new ValueCodecError(`expected a ${kind}, got ${typeof raw}`, path);
  }
  const source = raw as Record<string, unknown>;
  const out: TfObject = {};
  if (kind === 'map') {
    for (const [key, element] of Object.entries(source)) out[key] = fromWire(arg, element, [...path, key]);
    return out;
  }
  for (const [name, attributeType] of Object.entries(arg)) out[name] = fromWire(attributeType, source[name], [...path, name]);
  return out;
}

function wireNumber(raw: unknown, path: (string | number)[]): TfNumber {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return fromBigInt(raw);
  if (typeof raw === 'string') {
    const parsed = numberFromText(raw);
    if (parsed !== undefined) return parsed;
  }
  throw new ValueCodecError(`expected a number, got ${typeof raw}`, path);
}

function describe(value: TfValue): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof TypedValue) return 'a typed value';
  if (value instanceof PreciseNumber) return 'a number';
  return typeof value;
}
