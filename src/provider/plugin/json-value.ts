// Terraform values from JSON: the stored state that UpgradeResourceState receives
// (`raw_state.json`) and `DynamicValue.json`. Numbers keep every digit (JSON.parse would round
// 12345678901234567890), so the JSON is read by a small parser that keeps number text.
import { numberFromText } from './numbers.js';
import { typeFromJson, type TfType } from './types.js';
import { isObjectValue, TypedValue, type TfObject, type TfValue } from './values.js';
import { ValueCodecError } from './msgpack-codec.js';

/** A JSON number as written. */
class JsonNumber {
  constructor(readonly text: string) {}
}

type JsonTree = null | boolean | string | JsonNumber | JsonTree[] | { [key: string]: JsonTree };

/**
 * Number literals JSON.parse may round or overflow: 16 or more digits, points, signs and
 * exponent letters in a row (more significant digits than a float64 keeps), or a 3-digit
 * exponent. Text without them (almost every stored state) is parsed by JSON.parse, exactly;
 * a match anywhere, even inside a string, takes the slower parser below.
 */
const ROUNDED_BY_JSON_PARSE = /\d[\d.eE+-]{15}|\d[eE][+-]?\d{3}/;

/**
 * Parses JSON text, keeping every digit of its numbers (as their text where JSON.parse would
 * round them; plain numbers otherwise). Throws SyntaxError on malformed input.
 */
export function parseJsonPrecise(text: string): unknown {
  // Every number literal has at most 15 significant digits and a small exponent: JSON.parse's
  // float64 and its shortest decimal text denote exactly the number written.
  if (!ROUNDED_BY_JSON_PARSE.test(text)) return JSON.parse(text) as unknown;
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at} of the JSON`);
  };
  const skip = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at += 1;
  };
  const value = (): JsonTree => {
    skip();
    const c = text[at];
    if (c === '{') {
      at += 1;
      const out: { [key: string]: JsonTree } = {};
      skip();
      if (text[at] === '}') return (at += 1), out;
      for (;;) {
        skip();
        if (text[at] !== '"') fail('expected a string key');
        const key = string();
        skip();
        if (text[at] !== ':') fail('expected ":"');
        at += 1;
        out[key] = value();
        skip();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') return (at += 1), out;
        else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      at += 1;
      const out: JsonTree[] = [];
      skip();
      if (text[at] === ']') return (at += 1), out;
      for (;;) {
        out.push(value());
        skip();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') return (at += 1), out;
        else fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, at)) return (at += word.length), result;
    }
    const match = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) return fail('unexpected character');
    at += match[0].length;
    return new JsonNumber(match[0]);
  };
  const string = (): string => {
    const start = at;
    at += 1;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) fail('unterminated string');
    at += 1;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const result = value();
  skip();
  if (at !== text.length) fail('unexpected trailing text');
  return result;
}

/**
 * Converts parsed JSON (from parseJsonPrecise or JSON.parse) to a value of `type`. Attributes
 * the type does not have are dropped; missing ones are null. Throws ValueCodecError on a mismatch.
 */
export function valueFromJson(type: TfType, json: unknown, path: (string | number)[] = []): TfValue {
  if (json === null || json === undefined) return null;
  if (type === 'dynamic') {
    if (!isPlainObject(json) || !('type' in json)) throw new ValueCodecError('expected a dynamic value as {"value","type"}', path);
    const concrete = typeFromJson(unwrapForType(json.type));
    if (concrete === undefined) throw new ValueCodecError('dynamic value has an unknown type', path);
    return new TypedValue(concrete, valueFromJson(concrete, json.value, path));
  }
  if (type === 'string') {
    if (typeof json === 'string') return json;
    // Terraform's own JSON decoder converts primitives to strings.
    if (json instanceof JsonNumber) return json.text;
    if (typeof json === 'number' || typeof json === 'boolean') return String(json);
    throw new ValueCodecError('expected a string', path);
  }
  if (type === 'bool') {
    if (typeof json === 'boolean') return json;
    if (json === 'true' || json === 'false') return json === 'true';
    throw new ValueCodecError('expected a bool', path);
  }
  if (type === 'number') {
    const text = json instanceof JsonNumber ? json.text : typeof json === 'number' ? String(json) : typeof json === 'string' ? json : undefined;
    const parsed = text === undefined ? undefined : numberFromText(text);
    if (parsed === undefined) throw new ValueCodecError('expected a number', path);
    return parsed;
  }
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'set' || kind === 'tuple') {
    if (!Array.isArray(json)) throw new ValueCodecError(`expected a ${kind}`, path);
    return json.map((element, i) => valueFromJson(kind === 'tuple' ? (arg[i] ?? 'dynamic') : arg, element, [...path, i]));
  }
  if (!isPlainObject(json)) throw new ValueCodecError(`expected a ${kind}`, path);
  const out: TfObject = {};
  if (kind === 'map') {
    for (const [key, element] of Object.entries(json)) out[key] = valueFromJson(arg, element, [...path, key]);
    return out;
  }
  for (const [name, attributeType] of Object.entries(arg)) out[name] = valueFromJson(attributeType, json[name], [...path, name]);
  return out;
}

/** Stored state as plain JSON data (numbers as JS numbers), the form state upgraders receive. */
export function jsonToPlain(json: unknown): unknown {
  if (json instanceof JsonNumber) {
    const parsed = numberFromText(json.text);
    return typeof parsed === 'number' ? parsed : json;
  }
  if (Array.isArray(json)) return json.map(jsonToPlain);
  if (isPlainObject(json)) return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, jsonToPlain(v)]));
  return json;
}

function unwrapForType(json: unknown): unknown {
  if (json instanceof JsonNumber) return Number(json.text);
  if (Array.isArray(json)) return json.map(unwrapForType);
  if (isPlainObject(json)) return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, unwrapForType(v)]));
  return json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isObjectValue(value);
}
