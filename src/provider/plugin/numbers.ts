// Terraform numbers are arbitrary-precision. On the wire (msgpack) they arrive as an integer,
// a float64, or — when neither is exact — their decimal text. These helpers keep every digit.
import { PreciseNumber } from './values.js';

export type TfNumber = number | bigint | PreciseNumber;

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Normalises an integer: a `number` when safe, else a `bigint`. */
export function fromBigInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * A number from its decimal text: a `number` when that is exact, a `bigint` for a long
 * integer, else a PreciseNumber. Returns undefined for text that is not a number.
 */
export function numberFromText(text: string): TfNumber | undefined {
  const trimmed = text.trim();
  if (INTEGER_TEXT.test(trimmed)) return fromBigInt(BigInt(trimmed));
  if (!NUMBER_TEXT.test(trimmed)) return undefined;
  const asNumber = Number(trimmed);
  if (Number.isFinite(asNumber) && sameDecimal(String(asNumber), trimmed)) return asNumber;
  return new PreciseNumber(trimmed);
}

/** True when two numbers are equal by value, whatever their representation. */
export function sameNumber(a: TfNumber, b: TfNumber): boolean {
  return sameDecimal(String(a), String(b));
}

/** True when two decimal texts denote the same number (compares normalised mantissa and exponent). */
function sameDecimal(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  let scale = Number(exponent) - fraction.length;
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale += 1;
  }
  return `${sign}${digits}e${scale}`;
}

/** The wire form of a number for msgpack: integers as int64 where they fit, else float64 or text. */
export function numberToWire(value: TfNumber): number | bigint | string {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') {
    return value >= -(2n ** 63n) && value < 2n ** 63n ? value : value.toString();
  }
  return value.text;
}
