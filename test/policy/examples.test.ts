import { describe, expect, it } from '@jest/globals';
import { loadSpecs } from '../../src/spec/index.js';
import { BUILTIN_RULES, checkPolicy } from '../../src/policy/index.js';

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

  it('examples/violations makes every built-in rule fire, with a custom rule and both kinds of exception finding', async () => {
    const load = await loadSpecs([], { projectFile: 'examples/violations/keywarden.yaml' });
    expect(load.errors).toEqual([]);
    const result = checkPolicy(load, { now: NOW });
    expect(result.errors).toEqual([]);
    const fired = new Set(result.findings.map((f) => f.ruleId));
    for (const rule of BUILTIN_RULES) expect([rule.id, fired.has(rule.id)]).toEqual([rule.id, true]);
    expect([...fired].filter((id) => !id.startsWith('KW0')).sort()).toEqual(['ACME001', 'KW100', 'KW101']);
    for (const f of result.findings) expect(f.file.startsWith('examples/violations/')).toBe(true);
  });
});
