import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseJsonPrecise, valueFromJson } from '../../../src/provider/plugin/json-value.js';
import { numberFromText } from '../../../src/provider/plugin/numbers.js';
import { t } from '../../../src/provider/plugin/types.js';
import { PreciseNumber, TypedValue } from '../../../src/provider/plugin/values.js';

describe('JSON state decoding', () => {
  it('reads stored state against the schema type, dropping attributes the type no longer has', () => {
    const json = parseJsonPrecise('{"id":"n-1","count":3,"tags":["a","b"],"labels":{"x":"y"},"gone":"old","ok":true}');
    const type = t.object({ id: t.string, count: t.number, tags: t.set(t.string), labels: t.map(t.string), ok: t.bool, missing: t.string });
    expect(valueFromJson(type, json)).toEqual({ id: 'n-1', count: 3, tags: ['a', 'b'], labels: { x: 'y' }, ok: true, missing: null });
  });

  it('keeps every digit of numbers that JSON.parse would round', () => {
    const json = parseJsonPrecise('{"big":12345678901234567890,"pi":3.14159265358979323846264338327950288,"small":-0.5}');
    const value = valueFromJson(t.object({ big: t.number, pi: t.number, small: t.number }), json) as Record<string, unknown>;
    expect(value.big).toBe(12345678901234567890n);
    expect(value.pi).toBeInstanceOf(PreciseNumber);
    expect(String(value.pi)).toBe('3.14159265358979323846264338327950288');
    expect(value.small).toBe(-0.5);
  });

  it('keeps the digits of long numbers wherever they stand: after a point, with an exponent, among plain values', () => {
    const json = parseJsonPrecise('{"id":"key_1","n":3,"mixed":123456789.12345678,"huge":1e400,"tiny":-2.5e-400,"long":-1234567890123456}');
    const value = valueFromJson(t.object({ id: t.string, n: t.number, mixed: t.number, huge: t.number, tiny: t.number, long: t.number }), json) as Record<string, unknown>;
    expect(value.n).toBe(3);
    expect(String(value.mixed)).toBe('123456789.12345678');
    expect(String(value.huge)).toBe('1e400');
    expect(String(value.tiny)).toBe('-2.5e-400');
    expect(value.long).toBe(-1234567890123456);
  });

  it('reads any number literal as the number written, whichever parser takes the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.bigInt().map(String), fc.integer().map((i) => `${i}.5e${i % 400}`)), (literal) => {
        const expected = numberFromText(literal);
        const value = valueFromJson(t.object({ n: t.number, s: t.string }), parseJsonPrecise(`{"s":"key_a1","n":${literal}}`)) as Record<string, unknown>;
        expect(String(value.n)).toBe(String(expected));
      }),
    );
  });

  it('reads dynamic values stored as {"value","type"}', () => {
    const value = valueFromJson(t.dynamic, parseJsonPrecise('{"value":["a"],"type":["list","string"]}'));
    expect(value).toEqual(new TypedValue(['list', 'string'], ['a']));
  });

  it('parses strings with escapes and rejects malformed JSON', () => {
    expect(parseJsonPrecise('["a\\"b\\u00e9", null, false]')).toEqual(['a"bé', null, false]);
    expect(() => parseJsonPrecise('{"a":1,}')).toThrow(SyntaxError);
    expect(() => parseJsonPrecise('[1] x')).toThrow(SyntaxError);
  });
});
