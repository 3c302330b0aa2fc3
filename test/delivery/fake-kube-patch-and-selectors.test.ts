// The fake API server's patch and selector rules, checked against RFC 7386 / RFC 6902 and
// the Kubernetes label-selector grammar.
import { describe, expect, it } from '@jest/globals';
import { jsonPatch, mergePatch } from '../support/fake-kube/patch.js';
import { parseFieldSelector, parseLabelSelector } from '../support/fake-kube/selectors.js';
import { KubeStatusError } from '../support/fake-kube/status.js';

const withLabels = (labels: Record<string, string>) => ({ metadata: { name: 'x', labels } });

describe('merge patch (RFC 7386)', () => {
  it('follows the RFC examples', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(mergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(mergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(mergePatch({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'c' }, { a: ['b'] })).toEqual({ a: ['b'] });
    expect(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(mergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(mergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('adds, removes, replaces, moves, copies and tests', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    expect(
      jsonPatch(doc, [
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'add', path: '/a/b/0', value: 0 },
        { op: 'remove', path: '/a/b/1' },
        { op: 'replace', path: '/c', value: 'y' },
        { op: 'copy', from: '/c', path: '/d' },
        { op: 'move', from: '/d', path: '/a/e~1f' },
        { op: 'test', path: '/a/e~1f', value: 'y' },
      ]),
    ).toEqual({ a: { b: [0, 2, 3], 'e/f': 'y' }, c: 'y' });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
  });

  it('refuses a failed test, a missing path and an unknown operation', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(KubeStatusError);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(KubeStatusError);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }])).toThrow(KubeStatusError);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'frobnicate', path: '/a' }])).toThrow(KubeStatusError);
    expect(() => jsonPatch({ a: 1 }, { op: 'add' })).toThrow(KubeStatusError);
  });
});

describe('label selectors', () => {
  it('supports equality, inequality, set and existence requirements', () => {
    const o = withLabels({ tier: 'web', env: 'prod' });
    const matches = (s: string): boolean => parseLabelSelector(s)(o);
    expect(matches('')).toBe(true);
    expect(matches('tier=web')).toBe(true);
    expect(matches('tier==web,env=prod')).toBe(true);
    expect(matches('tier=web,env=dev')).toBe(false);
    expect(matches('tier!=db')).toBe(true);
    expect(matches('missing!=x')).toBe(true);
    expect(matches('tier in (db, web)')).toBe(true);
    expect(matches('tier notin (db,web)')).toBe(false);
    expect(matches('missing notin (a)')).toBe(true);
    expect(matches('env')).toBe(true);
    expect(matches('!env')).toBe(false);
    expect(matches('!missing')).toBe(true);
  });

  it('refuses what it cannot parse with 400', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(KubeStatusError);
  });
});

describe('field selectors', () => {
  it('compares dotted paths as strings', () => {
    const event = { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { kind: 'ApiKey', name: 'k' } };
    expect(parseFieldSelector('metadata.name=e,involvedObject.kind=ApiKey')(event)).toBe(true);
    expect(parseFieldSelector('involvedObject.name!=k')(event)).toBe(false);
    expect(parseFieldSelector('metadata.namespace==other')(event)).toBe(false);
  });
});
