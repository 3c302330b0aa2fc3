import { describe, expect, it } from '@jest/globals';
import { loadSpecs } from '../../src/spec/index.js';
import { checkPolicy } from '../../src/policy/index.js';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('the bundled examples', () => {
  it('examples/keys with examples/keywarden.yaml pass the default pack with no findings', async () => {
    const load = await loadSpecs([], { projectFile: 'examples/keywarden.yaml' });
    expect(load.errors).toEqual([]);
    expect(load.keys.length).toBeGreaterThan(5);
    const result = checkPolicy(load, { now: NOW });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  });
});
