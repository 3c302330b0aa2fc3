// Plan modifiers inside nested blocks: requiresReplace on a whole nested block, and on
// attributes at any depth (paths through single blocks, list indexes, set blocks).
import { describe, expect, it } from '@jest/globals';
import { toProtoPath } from '../../../src/provider/plugin/diagnostics.js';
import { planChange } from '../../../src/provider/plugin/plan.js';
import { schemaProblems, type Schema } from '../../../src/provider/plugin/schema.js';
import { t } from '../../../src/provider/plugin/types.js';
import type { TfObject } from '../../../src/provider/plugin/values.js';

const schema: Schema = {
  attributes: { name: { type: t.string, required: true } },
  blocks: {
    // The whole block replaces.
    network: { nesting: 'single', planModifiers: ['requiresReplace'], block: { attributes: { cidr: { type: t.string, required: true } } } },
    // Only `region` replaces; `label` updates in place.
    target: {
      nesting: 'list',
      block: {
        attributes: { region: { type: t.string, required: true, planModifiers: ['requiresReplace'] }, label: { type: t.string, optional: true } },
        blocks: { owner: { nesting: 'single', block: { attributes: { team: { type: t.string, required: true, planModifiers: ['requiresReplace'] } } } } },
      },
    },
    zone: { nesting: 'set', block: { attributes: { id: { type: t.string, required: true, planModifiers: ['requiresReplace'] }, note: { type: t.string, optional: true } } } },
  },
};

const target = (region: string, label: string | null, team: string | null = null): TfObject => ({ region, label, owner: team === null ? null : { team } });
const prior: TfObject = {
  name: 'a',
  network: { cidr: '10.0.0.0/8' },
  target: [target('eu', 'x', 'blue'), target('us', 'y')],
  zone: [{ id: 'z1', note: 'n' }],
};
const replaceOf = (planned: TfObject) => planChange(schema, prior, planned, planned).requiresReplace;

describe('requiresReplace in nested blocks', () => {
  it('replaces on any change of a block marked requiresReplace, reported at the block', () => {
    expect(replaceOf({ ...prior, network: { cidr: '10.1.0.0/16' } })).toEqual([['network']]);
    expect(replaceOf({ ...prior, network: null })).toEqual([['network']]);
  });

  it('replaces when an attribute marked requiresReplace changes in a list element, at its index', () => {
    expect(replaceOf({ ...prior, target: [target('eu', 'x', 'blue'), target('ap', 'y')] })).toEqual([['target', 1, 'region']]);
  });

  it('updates in place when only unmarked attributes of nested blocks change', () => {
    expect(replaceOf({ ...prior, target: [target('eu', 'changed', 'blue'), target('us', 'y')], zone: [{ id: 'z1', note: 'changed' }] })).toEqual([]);
  });

  it('follows single blocks nested in list elements', () => {
    expect(replaceOf({ ...prior, target: [target('eu', 'x', 'red'), target('us', 'y')] })).toEqual([['target', 0, 'owner', 'team']]);
  });

  it('treats an added list element as a change from nothing', () => {
    expect(replaceOf({ ...prior, target: [...(prior.target as TfObject[]), target('sa', null)] })).toEqual([['target', 2, 'region']]);
  });

  it('reports set blocks as a whole when a marked attribute of an element is new or gone', () => {
    expect(replaceOf({ ...prior, zone: [{ id: 'z2', note: 'n' }] })).toEqual([['zone']]);
    expect(replaceOf({ ...prior, zone: [] })).toEqual([['zone']]);
  });

  it('asks for no replacement on create', () => {
    expect(planChange(schema, null, prior, prior).requiresReplace).toEqual([]);
  });

  it('turns nested paths into tfplugin6 attribute paths with element indexes', () => {
    expect(toProtoPath(['target', 1, 'region'])).toEqual({ steps: [{ attribute_name: 'target' }, { element_key_int: 1 }, { attribute_name: 'region' }] });
  });

  it('accepts the declaration', () => {
    expect(schemaProblems(schema, 'test')).toEqual([]);
  });
});
