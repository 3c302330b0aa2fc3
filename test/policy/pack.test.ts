import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILTIN_RULES, DEFAULT_POLICIES_DIR } from '../../src/policy/index.js';
import { at, check, COMPLIANT, yaml } from './fixture.js';

const NO_RATE_LIMIT = COMPLIANT.replace('  rateLimit: { requests: 100, per: 1m }\n', '');

function project(...policyLines: string[]): string {
  return yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: Project', 'policy:', ...policyLines);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kw-pack-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function packDir(name: string, files: Record<string, string>): string {
  const full = path.join(dir, name);
  mkdirSync(full, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(full, file), text);
  return full;
}

describe('the default pack', () => {
  it('lives in the package\'s policies/ folder and turns every built-in rule on at its own severity', () => {
    expect(DEFAULT_POLICIES_DIR.endsWith(`${path.sep}policies${path.sep}`)).toBe(true);
    const result = check({ 'a.yaml': COMPLIANT });
    expect(result.errors).toEqual([]);
    expect(result.rules.map((r) => `${r.id}:${r.severity}`)).toEqual([
      ...BUILTIN_RULES.map((r) => `${r.id}:error`),
      'KW100:error',
      'KW101:warning',
    ]);
    for (const rule of result.rules) {
      expect(rule.title).not.toBe('');
      expect(rule.help).not.toBe('');
      expect(rule.rationale).not.toBe('');
    }
  });
});

describe('project overrides', () => {
  it('disables a rule: its findings and its descriptor go', () => {
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, project('  rules:', '    KW011: { enabled: false }'));
    expect(result.findings).toEqual([]);
    expect(result.rules.map((r) => r.id)).not.toContain('KW011');
  });

  it('changes a rule\'s severity in its findings and its descriptor', () => {
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, project('  rules:', '    KW011: { severity: warning }'));
    expect(result.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['KW011:warning']);
    expect(result.rules.find((r) => r.id === 'KW011')?.severity).toBe('warning');
  });

  it('reports a misspelt parameter with a suggestion, and keeps the default', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project('  rules:', '    KW003:', '      params: { maxLifetme: 30d }'));
    expect(at(result.errors)).toEqual(['KWP002 keywarden.yaml:6:17']);
    expect(result.errors[0]?.message).toBe('unknown field "maxLifetme" in policy.rules.KW003.params; did you mean "maxLifetime"?');
    expect(result.findings).toEqual([]);
  });

  it('reports a parameter of the wrong form at its value', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project('  rules:', '    KW004: { params: { maxInterval: forever } }'));
    expect(at(result.errors)).toEqual(['KWP002 keywarden.yaml:5:37']);
    expect(result.errors[0]?.message).toContain('policy.rules.KW004.params.maxInterval: "forever" is not valid');
  });

  it('reports settings for a rule that does not exist, with a suggestion', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project('  rules:', '    KW0111: { enabled: false }'));
    expect(at(result.errors)).toEqual(['KWP003 keywarden.yaml:5:5']);
    expect(result.errors[0]?.message).toContain('there is no rule KW0111 (did you mean KW011?)');
  });

  it('reports an unknown field of the policy section', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project('  rule:', '    KW011: { enabled: false }'));
    expect(at(result.errors)).toEqual(['KWP002 keywarden.yaml:4:3']);
    expect(result.errors[0]?.message).toContain('unknown field "rule" in policy; did you mean "rules"?');
  });
});

describe('pack directories', () => {
  it('replaces the default pack with policiesDir', () => {
    const own = packDir('only-kw011-off', {
      'pack.yaml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { enabled: false }'),
    });
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, undefined, { policiesDir: own });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('layers the project\'s packs over the default pack, in order, and the project\'s own settings last', () => {
    const first = packDir('first', { 'a.yaml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { severity: note }') });
    const second = packDir('second', { 'b.yml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { severity: warning }') });
    const layered = check({ 'a.yaml': NO_RATE_LIMIT }, project(`  packs: [${JSON.stringify(first)}, ${JSON.stringify(second)}]`));
    expect(layered.findings.map((f) => f.severity)).toEqual(['warning']);
    const overridden = check({ 'a.yaml': NO_RATE_LIMIT }, project(`  packs: [${JSON.stringify(first)}]`, '  rules:', '    KW011: { severity: error }'));
    expect(overridden.findings.map((f) => f.severity)).toEqual(['error']);
  });

  it('reports a pack directory that does not exist at its mention in the project file', () => {
    const result = check({ 'a.yaml': COMPLIANT }, project(`  packs: [${JSON.stringify(path.join(dir, 'nope'))}]`));
    expect(at(result.errors)).toEqual(['KWP001 keywarden.yaml:4:11']);
  });

  it('reports YAML errors and unknown fields in pack files with their positions', () => {
    const broken = packDir('broken', {
      'a.yaml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { enabled: false'),
      'b.yaml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rulez: {}'),
    });
    const result = check({ 'a.yaml': COMPLIANT }, undefined, { policiesDir: broken });
    const a = path.relative(process.cwd(), path.join(broken, 'a.yaml'));
    const b = path.relative(process.cwd(), path.join(broken, 'b.yaml'));
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}`)).toEqual([`KWS001 ${a}:5`, `KWP002 ${b}:3`]);
    expect(result.errors[1]?.message).toContain('unknown field "rulez" in the document; did you mean "rules"?');
  });

  it('reads a pack directory once while it is unchanged, and again when a file changes, comes or goes', () => {
    const own = packDir('changing', { 'a.yaml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { severity: note }') });
    const severity = (): string | undefined => check({ 'a.yaml': NO_RATE_LIMIT }, undefined, { policiesDir: own }).findings.find((f) => f.ruleId === 'KW011')?.severity;
    expect(severity()).toBe('note');
    // Read from memory the second time: the same answer, errors included.
    expect(severity()).toBe('note');
    writeFileSync(path.join(own, 'a.yaml'), yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { severity: warning }'));
    expect(severity()).toBe('warning');
    writeFileSync(path.join(own, 'b.yaml'), yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rules:', '  KW011: { enabled: false }'));
    expect(severity()).toBeUndefined();
    rmSync(path.join(own, 'b.yaml'));
    expect(severity()).toBe('warning');
    // A broken file's findings come back on every check, not only the first.
    writeFileSync(path.join(own, 'c.yaml'), yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: PolicyPack', 'rulez: {}'));
    for (let i = 0; i < 2; i++) expect(check({ 'a.yaml': COMPLIANT }, undefined, { policiesDir: own }).errors.map((e) => e.ruleId)).toEqual(['KWP002']);
  });

  it('takes exceptions from pack files and reports them at their position there', () => {
    const own = packDir('with-exception', {
      'exceptions.yaml': yaml(
        'apiVersion: keywarden.dev/v1alpha1',
        'kind: PolicyPack',
        'exceptions:',
        '  - { rule: KW011, key: production-order-bot, reason: batch job, expires: 2027-01-31 }',
        '  - { rule: KW011, key: staging-order-bot, reason: batch job, expires: 2027-01-31 }',
      ),
    });
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, project(`  packs: [${JSON.stringify(own)}]`));
    const file = path.relative(process.cwd(), path.join(own, 'exceptions.yaml'));
    expect(at(result.findings)).toEqual([`KW101 ${file}:5:5`]);
  });

  it('ignores a document of another kind in a pack directory, after reporting it', () => {
    const mixed = packDir('mixed', {
      'a.yaml': yaml('apiVersion: keywarden.dev/v1alpha1', 'kind: ApiKey', 'rules:', '  KW011: { enabled: false }'),
    });
    const result = check({ 'a.yaml': NO_RATE_LIMIT }, undefined, { policiesDir: mixed });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line}:${e.column}`)).toEqual(['KWP002 2:7']);
    expect(result.errors[0]?.message).toBe('kind must be "PolicyPack", not "ApiKey"');
    expect(at(result.findings)).toEqual(['KW011 a.yaml:13:5']);
  });
});

