// Terraform values in TypeScript: null, unknown (possibly refined), strings, numbers that keep
// their precision, bools, lists/sets/tuples (arrays), maps/objects (plain objects) and values of
// type `dynamic` that carry their own type.
import { sameNumber } from './numbers.js';
import type { TfType } from './types.js';

/**
 * A value not known until apply. Terraform may refine it ("not null", "has prefix b-"): the
 * refinement's msgpack bytes are kept as received and sent back unchanged.
 */
export class Unknown {
  constructor(
    /** The msgpack extension payload of a refined unknown (extension type 12); undefined when plain. */
    readonly refinement?: Uint8Array,
  ) {}
}

/** The plain unknown value, for plans that compute an attribute at apply. */
export const UNKNOWN = new Unknown();

/**
 * A number that a JavaScript number cannot hold exactly (Terraform sends such numbers as their
 * decimal text): kept as that text, e.g. "3.14159265358979323846264338327950288".
 */
export class PreciseNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A value of an attribute typed `dynamic`: its concrete type travels with it. */
export class TypedValue {
  constructor(
    readonly type: TfType,
    readonly value: TfValue,
  ) {}
}

/** An object or map value. */
export interface TfObject {
  [key: string]: TfValue;
}

/** Any Terraform value. Numbers: `number` when exact, `bigint` for large integers, else PreciseNumber. */
export type TfValue = null | Unknown | string | number | bigint | PreciseNumber | boolean | TfValue[] | TfObject | TypedValue;

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

/** True when the value and everything inside it is known. */
export function isWhollyKnown(value: TfValue): boolean {
  if (value instanceof Unknown) return false;
  if (value instanceof TypedValue) return isWhollyKnown(value.value);
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  if (isObjectValue(value)) return Object.values(value).every(isWhollyKnown);
  return true;
}

/** True for a plain object/map value (not null, an array, or one of the value classes). */
export function isObjectValue(value: unknown): value is TfObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Plain objects only, from any realm (test runners use their own), including null-prototype ones.
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** Deep equality of two values of the same type; sets compare regardless of order. */
export function valuesEqual(type: TfType, a: TfValue, b: TfValue): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof Unknown || b instanceof Unknown) return a instanceof Unknown && b instanceof Unknown;
  if (type === 'number') {
    return sameNumber(a as number | bigint | PreciseNumber, b as number | bigint | PreciseNumber);
  }
  if (type === 'string' || type === 'bool') return a === b;
  if (type === 'dynamic') {
    if (!(a instanceof TypedValue) || !(b instanceof TypedValue)) return false;
    return JSON.stringify(a.type) === JSON.stringify(b.type) && valuesEqual(a.type, a.value, b.value);
  }
  const [kind, arg] = type;
  if (kind === 'list' || kind === 'tuple') {
    const left = a as TfValue[];
    const right = b as TfValue[];
    return (
      left.length === right.length &&
      left.every((v, i) => valuesEqual(kind === 'list' ? arg : (arg[i] ?? 'dynamic'), v, right[i] ?? null))
    );
  }
  if (kind === 'set') {
    const left = a as TfValue[];
    const right = [...(b as TfValue[])];
    if (left.length !== right.length) return false;
    return left.every((v) => {
      const index = right.findIndex((w) => valuesEqual(arg, v, w));
      if (index < 0) return false;
      right.splice(index, 1);
      return true;
    });
  }
  const left = a as TfObject;
  const right = b as TfObject;
  if (kind === 'map') {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((k) => k in right && valuesEqual(arg, left[k] ?? null, right[k] ?? null));
  }
  return Object.entries(arg).every(([name, attributeType]) => valuesEqual(attributeType, left[name] ?? null, right[name] ?? null));
}
