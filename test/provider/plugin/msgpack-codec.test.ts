import { describe, expect, it } from '@jest/globals';
import { decode, Encoder, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { decodeValue, encodeValue, ValueCodecError } from '../../../src/provider/plugin/msgpack-codec.js';
import { t, type TfType } from '../../../src/provider/plugin/types.js';
import { PreciseNumber, TypedValue, UNKNOWN, Unknown, valuesEqual, type TfValue } from '../../../src/provider/plugin/values.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const roundTrip = (type: TfType, value: TfValue) => decodeValue(type, encodeValue(type, value));

describe('msgpack codec: primitive types', () => {
  it('round-trips strings, bools and numbers', () => {
    expect(roundTrip(t.string, 'héllo')).toBe('héllo');
    expect(roundTrip(t.bool, true)).toBe(true);
    expect(roundTrip(t.bool, false)).toBe(false);
    expect(roundTrip(t.number, 42)).toBe(42);
    expect(roundTrip(t.number, -7)).toBe(-7);
    expect(roundTrip(t.number, 0.1)).toBe(0.1);
  });

  it('encodes null as msgpack nil and decodes nil as null for every type', () => {
    for (const type of [t.string, t.number, t.bool, t.list(t.string), t.map(t.number), t.object({ a: t.string }), t.dynamic] as TfType[]) {
      expect(hex(encodeValue(type, null))).toBe('c0');
      expect(decodeValue(type, new Uint8Array([0xc0]))).toBeNull();
    }
  });

  it('rejects a value of the wrong type with the path to it', () => {
    expect(() => encodeValue(t.object({ a: t.list(t.number) }), { a: [1, 'two'] })).toThrow(ValueCodecError);
    try {
      decodeValue(t.object({ a: t.list(t.number) }), encode({ a: [1, true] }));
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(ValueCodecError);
      expect((error as ValueCodecError).path).toEqual(['a', 1]);
    }
  });
});

describe('msgpack codec: numbers keep their precision', () => {
  it('decodes the three wire forms Terraform uses: int, float64 and decimal text', () => {
    expect(decodeValue(t.number, encode(7))).toBe(7);
    expect(decodeValue(t.number, new Encoder({ forceFloat32: false }).encode(2.5))).toBe(2.5);
    expect(decodeValue(t.number, encode('1.5'))).toBe(1.5);
    const precise = decodeValue(t.number, encode('3.14159265358979323846264338327950288'));
    expect(precise).toBeInstanceOf(PreciseNumber);
    expect(String(precise)).toBe('3.14159265358979323846264338327950288');
  });

  it('decodes int64 values beyond 2^53 as bigint without losing digits', () => {
    const bytes = new Encoder({ useBigInt64: true }).encode(9007199254740993n);
    expect(decodeValue(t.number, bytes)).toBe(9007199254740993n);
    expect(decodeValue(t.number, encode('123456789012345678901234567890'))).toBe(123456789012345678901234567890n);
  });

  it('encodes integers beyond int64 and precise decimals as text, the form Terraform accepts', () => {
    expect(decodeValue(t.string, encodeValue(t.number, 123456789012345678901234567890n))).toBe('123456789012345678901234567890');
    expect(decodeValue(t.string, encodeValue(t.number, new PreciseNumber('0.1000000000000000000001')))).toBe('0.1000000000000000000001');
    expect(roundTrip(t.number, -(2n ** 63n))).toBe(-(2n ** 63n));
  });

  it('compares numbers by value whatever their representation', () => {
    expect(valuesEqual(t.number, 10, 10n)).toBe(true);
    expect(valuesEqual(t.number, new PreciseNumber('1.50'), 1.5)).toBe(true);
    expect(valuesEqual(t.number, new PreciseNumber('1e3'), 1000)).toBe(true);
    expect(valuesEqual(t.number, new PreciseNumber('0.10000000000000000001'), 0.1)).toBe(false);
    expect(valuesEqual(t.number, 9007199254740993n, 9007199254740992)).toBe(false);
  });
});

describe('msgpack codec: collections and structures', () => {
  it('round-trips list, set, map, tuple and nested objects', () => {
    const type = t.object({
      list: t.list(t.string),
      set: t.set(t.number),
      map: t.map(t.bool),
      tuple: t.tuple([t.string, t.number]),
      nested: t.list(t.object({ key: t.string, value: t.map(t.string) })),
    });
    const value: TfValue = {
      list: ['a', 'b'],
      set: [1, 2, 3],
      map: { yes: true, no: false },
      tuple: ['x', 1],
      nested: [{ key: 'k', value: { a: 'b' } }],
    };
    expect(roundTrip(type, value)).toEqual(value);
  });

  it('writes every attribute of an object type, absent ones as nil', () => {
    const bytes = encodeValue(t.object({ a: t.string, b: t.number }), { a: 'x' });
    expect(decode(bytes)).toEqual({ a: 'x', b: null });
  });

  it('rejects attributes the object type does not have', () => {
    expect(() => encodeValue(t.object({ a: t.string }), { a: 'x', extra: 'y' })).toThrow(/unexpected attribute "extra"/);
  });

  it('encodes dynamic values as [type JSON, value] and decodes them with their type', () => {
    const value = new TypedValue(t.list(t.string), ['a']);
    const raw = new TextDecoder().decode(encodeValue(t.dynamic, value).subarray(2, 2 + 19));
    expect(raw).toContain('["list","string"]');
    const back = roundTrip(t.object({ d: t.dynamic }), { d: value }) as { d: TypedValue };
    expect(back.d).toBeInstanceOf(TypedValue);
    expect(back.d.type).toEqual(['list', 'string']);
    expect(back.d.value).toEqual(['a']);
  });

  it('checks set equality regardless of order', () => {
    expect(valuesEqual(t.set(t.string), ['a', 'b'], ['b', 'a'])).toBe(true);
    expect(valuesEqual(t.list(t.string), ['a', 'b'], ['b', 'a'])).toBe(false);
  });
});

describe('msgpack codec: unknown values', () => {
  it('decodes extension 0 (d4 00 00) as unknown and encodes unknown the same way', () => {
    expect(decodeValue(t.string, Buffer.from('d40000', 'hex'))).toBeInstanceOf(Unknown);
    expect(hex(encodeValue(t.string, UNKNOWN))).toBe('d40000');
  });

  it('keeps unknowns inside structures, including a wholly unknown dynamic value', () => {
    const type = t.object({ id: t.string, tags: t.list(t.string), any: t.dynamic });
    const back = roundTrip(type, { id: UNKNOWN, tags: ['a', UNKNOWN], any: UNKNOWN }) as Record<string, TfValue>;
    expect(back.id).toBeInstanceOf(Unknown);
    expect((back.tags as TfValue[])[1]).toBeInstanceOf(Unknown);
    expect(back.any).toBeInstanceOf(Unknown);
  });

  it('passes a refined unknown (extension 12) through byte for byte', () => {
    // Refinement payload as Terraform writes it: a msgpack map {1: false (not null), 2: "b-" (prefix)}.
    const refinement = Buffer.from('8201c202a2622d', 'hex');
    const wire = Buffer.concat([Buffer.from([0xc7, refinement.length, 12]), refinement]);
    const decoded = decodeValue(t.string, wire);
    expect(decoded).toBeInstanceOf(Unknown);
    expect(hex((decoded as Unknown).refinement ?? new Uint8Array())).toBe(hex(refinement));
    expect(hex(encodeValue(t.string, decoded))).toBe(hex(wire));
  });

  it('treats an extension type it does not know as unknown', () => {
    expect(decodeValue(t.number, Buffer.from('d40500', 'hex'))).toBeInstanceOf(Unknown);
  });
});

describe('msgpack codec: properties', () => {
  it('round-trips any object of strings, safe integers, bools and string lists', () => {
    const type = t.object({ s: t.string, n: t.number, b: t.bool, l: t.list(t.string) });
    fc.assert(
      fc.property(
        fc.record({ s: fc.option(fc.string(), { nil: null }), n: fc.option(fc.maxSafeInteger(), { nil: null }), b: fc.boolean(), l: fc.array(fc.string()) }),
        (value) => {
          expect(roundTrip(type, value)).toEqual(value);
        },
      ),
    );
  });

  it('round-trips any float64 exactly', () => {
    fc.assert(
      // Terraform numbers have no negative zero; every other float64 must come back unchanged.
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), (n) => {
        expect(roundTrip(t.number, n)).toBe(n);
      }),
    );
  });
});
