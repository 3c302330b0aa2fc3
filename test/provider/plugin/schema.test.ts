import { describe, expect, it } from '@jest/globals';
import { Diagnostics } from '../../../src/provider/plugin/diagnostics.js';
import { planChange, shapeState } from '../../../src/provider/plugin/plan.js';
import { blockType, schemaProblems, schemaToProto, type Schema } from '../../../src/provider/plugin/schema.js';
import { t } from '../../../src/provider/plugin/types.js';
import { matches, oneOf, validateBlock } from '../../../src/provider/plugin/validate.js';
import { Unknown } from '../../../src/provider/plugin/values.js';

const schema: Schema = {
  version: 2,
  attributes: {
    id: { type: t.string, computed: true },
    created_at: { type: t.string, computed: true, planModifiers: ['useStateForUnknown'] },
    mode: { type: t.string, required: true, planModifiers: ['requiresReplace'], validators: [oneOf(['live', 'test'])] },
    scopes: { type: t.set(t.string), optional: true },
    token: { type: t.string, optional: true, sensitive: true, writeOnly: true },
  },
  blocks: {
    file: { nesting: 'list', maxItems: 2, block: { attributes: { path: { type: t.string, required: true, validators: [matches(/^\//, 'an absolute path')] } } } },
    rate_limit: { nesting: 'single', block: { attributes: { requests: { type: t.number, required: true } } } },
    label: { nesting: 'set', block: { attributes: { key: { type: t.string, required: true, validators: [matches(/^[a-z]+$/, 'lower-case letters')] } } } },
  },
};

describe('schema declarations', () => {
  it('derive the value type: nested list/set blocks as collections of objects, single blocks as objects', () => {
    expect(blockType(schema)).toEqual([
      'object',
      {
        id: 'string',
        created_at: 'string',
        mode: 'string',
        scopes: ['set', 'string'],
        token: 'string',
        file: ['list', ['object', { path: 'string' }]],
        rate_limit: ['object', { requests: 'number' }],
        label: ['set', ['object', { key: 'string' }]],
      },
    ]);
  });

  it('convert to the protocol message with nesting modes, limits and the schema version', () => {
    const proto = schemaToProto(schema) as { version: number; block: { block_types: Record<string, unknown>[] } };
    expect(proto.version).toBe(2);
    expect(proto.block.block_types).toEqual([
      expect.objectContaining({ type_name: 'file', nesting: 2, max_items: 2 }),
      expect.objectContaining({ type_name: 'rate_limit', nesting: 1 }),
      expect.objectContaining({ type_name: 'label', nesting: 3 }),
    ]);
  });

  it('report every contradiction at once, naming each attribute', () => {
    const problems = schemaProblems(
      {
        attributes: {
          a: { type: t.string },
          b: { type: t.string, writeOnly: true, computed: true },
          c: { type: t.string, optional: true, planModifiers: ['useStateForUnknown'] },
        },
        blocks: { nested: { nesting: 'single', block: { attributes: { d: { type: t.string, required: true, optional: true } } } } },
      },
      'r',
    );
    expect(problems).toEqual([
      'r.a: set one of required, optional, computed',
      'r.b: a write-only attribute cannot be computed',
      'r.c: useStateForUnknown needs a computed attribute',
      'r.nested.d: required excludes optional and computed',
    ]);
  });
});

describe('validation inside nested blocks', () => {
  it('points at list elements by index and at set blocks by name, collecting every failure', () => {
    const diagnostics = new Diagnostics();
    validateBlock(
      schema,
      { mode: 'prod', file: [{ path: '/ok' }, { path: 'relative' }], label: [{ key: 'BAD' }], rate_limit: null, scopes: null },
      [],
      diagnostics,
    );
    expect(diagnostics.items.map((d) => [d.summary, d.path])).toEqual([
      ['Invalid mode', ['mode']],
      ['Invalid path', ['file', 1, 'path']],
      ['Invalid key', ['label', 'key']],
    ]);
  });
});

describe('planning and state shape', () => {
  const prior = { id: 'k-1', created_at: '2026-01-01', mode: 'live', scopes: ['a'], token: null, file: [], rate_limit: null, label: [] };

  it('marks computed attributes unknown on an update unless they keep their state', () => {
    const proposed = { ...prior, scopes: ['a', 'b'] };
    const { planned, requiresReplace } = planChange(schema, prior, proposed, { ...proposed, id: null, created_at: null });
    expect(planned.id).toBeInstanceOf(Unknown);
    expect(planned.created_at).toBe('2026-01-01');
    expect(requiresReplace).toEqual([]);
  });

  it('ignores a write-only value when deciding whether anything changed', () => {
    const { planned } = planChange(schema, prior, { ...prior, token: 'new-secret' }, { ...prior, id: null, created_at: null, token: 'new-secret' });
    expect(planned).toEqual(prior);
  });

  it('fills missing attributes, keeps nested list blocks as empty lists, and reports what is still unknown', () => {
    const { state, unknown } = shapeState(schema, { mode: 'test', token: 'leak?' }, { id: new Unknown() });
    expect(state).toEqual({ id: expect.any(Unknown), created_at: null, mode: 'test', scopes: null, token: null, file: [], rate_limit: null, label: [] });
    expect(unknown).toEqual(['id']);
  });
});
