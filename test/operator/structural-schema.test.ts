// The JSON Schema → structural OpenAPI conversion, node by node, and the structural check.
import { describe, expect, it } from '@jest/globals';
import { apiKeySchema } from '../../src/spec/index.js';
import { structuralProblems, toStructural, type SchemaNode } from '../../src/operator/structural-schema.js';

describe('toStructural', () => {
  it('turns const into a one-value enum with its type', () => {
    expect(toStructural({ const: 'ApiKey' })).toEqual({ enum: ['ApiKey'], type: 'string' });
  });

  it('drops additionalProperties: false, $schema, $id, title and propertyNames', () => {
    const out = toStructural({ $schema: 'x', $id: 'y', title: 't', type: 'object', additionalProperties: false, propertyNames: { pattern: '^a' }, properties: { a: { type: 'string' } } });
    expect(out).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('makes a map of union-typed values an open object', () => {
    expect(toStructural({ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } })).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('marks an object that says nothing of its fields as open', () => {
    expect(toStructural({ type: 'object', description: 'd' })).toEqual({ type: 'object', description: 'd', 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('replaces uniqueItems on scalar lists by a set list type and drops it on others', () => {
    expect(toStructural({ type: 'array', uniqueItems: true, items: { type: 'string' } })).toEqual({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' });
    expect(toStructural({ type: 'array', uniqueItems: true, items: { type: 'object', properties: { a: { type: 'string' } } } })).toEqual({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'string' } } },
    });
  });

  it('moves a leading negative lookahead of a pattern into a CEL rule', () => {
    expect(toStructural({ type: 'string', pattern: '^(?!KW)[A-Z]+$' })).toEqual({
      type: 'string',
      pattern: '^[A-Z]+$',
      'x-kubernetes-validations': [{ rule: "!self.matches('^KW')", message: 'must not start with KW' }],
    });
  });

  it('leaves anyOf branches as bare value validations', () => {
    expect(toStructural({ type: 'object', anyOf: [{ required: ['a'] }], properties: { a: { type: 'string' } } })).toEqual({
      type: 'object',
      anyOf: [{ required: ['a'] }],
      properties: { a: { type: 'string' } },
    });
  });

  it('does not change the spec schema it reads', () => {
    const before = JSON.stringify(apiKeySchema);
    toStructural(apiKeySchema as unknown as SchemaNode);
    expect(JSON.stringify(apiKeySchema)).toBe(before);
  });
});

describe('structuralProblems', () => {
  it('finds what makes the raw spec schema unfit for a CRD', () => {
    const problems = structuralProblems(apiKeySchema.properties.spec);
    expect(problems).toEqual(
      expect.arrayContaining([
        '.: additionalProperties: false is not allowed (unknown fields are pruned)',
        '.properties.scopes: uniqueItems: true is not allowed in a CRD schema (use x-kubernetes-list-type: set)',
        '.properties.limits.additionalProperties: type must be one string (or the node must set x-kubernetes-preserve-unknown-fields)',
      ]),
    );
  });

  it('finds a missing type, a type list, $ref, lookahead patterns, properties beside additionalProperties and types inside anyOf', () => {
    expect(structuralProblems({ properties: {} })).toEqual(['.: type must be one string (or the node must set x-kubernetes-preserve-unknown-fields)']);
    expect(structuralProblems({ type: 'object', properties: { a: { type: ['string', 'null'] } } })).toEqual([
      '.properties.a: type must be one string (or the node must set x-kubernetes-preserve-unknown-fields)',
    ]);
    expect(structuralProblems({ type: 'object', $ref: '#/x' })).toEqual(['.: $ref is not allowed in a structural schema']);
    expect(structuralProblems({ type: 'string', pattern: '^(?!a)b$' })).toHaveLength(1);
    expect(structuralProblems({ type: 'object', properties: {}, additionalProperties: { type: 'string' } })).toEqual(['.: properties and additionalProperties are mutually exclusive']);
    expect(structuralProblems({ type: 'object', anyOf: [{ type: 'string' }] })).toEqual(['.anyOf[0]: type is not allowed inside anyOf']);
    expect(structuralProblems({ type: 'array' })).toEqual(['.: an array must say what its items are']);
  });

  it('accepts an open node without a type', () => {
    expect(structuralProblems({ type: 'object', additionalProperties: { 'x-kubernetes-preserve-unknown-fields': true } })).toEqual([]);
  });
});
