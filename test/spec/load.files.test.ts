import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadSpecs } from '../../src/spec/index.js';

function apiKey(integration: string, environments = 'production: {}'): string {
  return [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: ApiKey',
    'metadata:',
    `  name: ${integration}-billing`,
    'spec:',
    `  integration: ${integration}`,
    '  service: billing',
    `  environments: { ${environments} }`,
    '',
  ].join('\n');
}

let root: string;

function write(relative: string, text: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'keywarden-spec-'));
  write('keys/b.yaml', apiKey('bravo'));
  write('keys/a.yml', `${apiKey('alpha')}---\n${apiKey('alpha2')}`);
  write('keys/nested/c.yaml', apiKey('charlie'));
  write('keys/keywarden.yaml', 'not: a spec\n');
  write('keys/notes.txt', 'not yaml\n');
  write('keys/.hidden/d.yaml', apiKey('delta'));
  write('empty/README.md', '# nothing here\n');
  write('project/keywarden.yaml', [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: Project',
    'environments:',
    '  prod: { mode: live, awsRegion: eu-west-1 }',
    '  dev: { mode: test }',
    'specs: [specs]',
    '',
  ].join('\n'));
  write('project/specs/x.yaml', apiKey('xray', 'prod: {}, dev: {}'));
  write('cwd-project/keywarden.yaml', 'apiVersion: keywarden.dev/v1alpha1\nkind: Project\nenvironments: { qa: { mode: test } }\n');
  write('cwd-project/keys/q.yaml', apiKey('quebec', 'qa: {}'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadSpecs', () => {
  it('walks directories recursively in name order, reading *.yaml and *.yml but not keywarden.yaml, hidden directories or other files', async () => {
    const result = await loadSpecs(['keys'], { cwd: root });
    expect(result.errors).toEqual([]);
    expect(result.documents.map((d) => `${d.file}#${d.index}`)).toEqual([
      path.join('keys', 'a.yml#0'),
      path.join('keys', 'a.yml#1'),
      path.join('keys', 'b.yaml#0'),
      path.join('keys', 'nested', 'c.yaml#0'),
    ]);
    expect(result.keys.map((k) => k.name)).toEqual(['production-alpha', 'production-alpha2', 'production-bravo', 'production-charlie']);
    expect([...result.sources.keys()]).toEqual([path.join('keys', 'a.yml'), path.join('keys', 'b.yaml'), path.join('keys', 'nested', 'c.yaml')]);
  });

  it('keeps the order of the paths given and names files as given', async () => {
    const result = await loadSpecs(['keys/nested/c.yaml', 'keys/b.yaml'], { cwd: root });
    expect(result.documents.map((d) => d.file)).toEqual(['keys/nested/c.yaml', 'keys/b.yaml']);
  });

  it('reports a path that does not exist as a load error and loads the rest', async () => {
    const result = await loadSpecs(['keys/missing.yaml', 'keys/b.yaml'], { cwd: root });
    expect(result.errors).toEqual([
      { ruleId: 'KWS014', severity: 'error', message: 'keys/missing.yaml does not exist', file: 'keys/missing.yaml', line: 1, column: 1, path: '' },
    ]);
    expect(result.keys.map((k) => k.name)).toEqual(['production-bravo']);
  });

  it('warns about a directory without spec files', async () => {
    const result = await loadSpecs(['empty'], { cwd: root });
    expect(result.errors.map((e) => `${e.ruleId} ${e.severity} ${e.file}`)).toEqual(['KWS017 warning empty']);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const result = await loadSpecs(['keys/b.yaml'], { cwd: root, maxFileBytes: 10 });
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}:${e.column}`)).toEqual(['KWS010 keys/b.yaml:1:1']);
    expect(result.sources.size).toBe(0);
  });

  it('reads standard input for "-", named <stdin> in findings', async () => {
    const text = apiKey('stdin-bot').replace('integration: stdin-bot', 'integraton: stdin-bot');
    const result = await loadSpecs(['-'], { cwd: root, readStdin: async () => text });
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}:${e.column}`)).toEqual(['KWS006 <stdin>:5:1', 'KWS003 <stdin>:6:3']);
    expect(result.sources.get('<stdin>')).toBe(text);
  });

  it('uses the project file given, its environments, and its specs relative to its directory', async () => {
    const result = await loadSpecs([], { cwd: root, projectFile: 'project/keywarden.yaml' });
    expect(result.errors).toEqual([]);
    expect(result.project.file).toBe('project/keywarden.yaml');
    expect(result.project.root).toBe(path.join(root, 'project'));
    expect(result.keys.map((k) => `${k.name} ${k.mode} ${k.document.file}`)).toEqual([
      `prod-xray live ${path.join('project', 'specs', 'x.yaml')}`,
      `dev-xray test ${path.join('project', 'specs', 'x.yaml')}`,
    ]);
    expect(result.sources.has('project/keywarden.yaml')).toBe(true);
  });

  it('finds keywarden.yaml in the working directory when no project file is given', async () => {
    const result = await loadSpecs([], { cwd: path.join(root, 'cwd-project') });
    expect(result.errors).toEqual([]);
    expect(result.project.file).toBe('keywarden.yaml');
    expect(result.keys.map((k) => `${k.name} ${k.mode}`)).toEqual(['qa-quebec test']);
  });

  it('uses the default environments and keys/ when there is no project file', async () => {
    const result = await loadSpecs([], { cwd: root });
    expect(result.project.file).toBeUndefined();
    expect(Object.values(result.project.environments).map((e) => `${e.name}:${e.mode}`)).toEqual(['production:live', 'staging:live', 'development:test']);
    expect(result.keys).toHaveLength(4);
  });

  it('reports a missing project file', async () => {
    const result = await loadSpecs(['keys/b.yaml'], { cwd: root, projectFile: 'nope/keywarden.yaml' });
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}`)).toEqual(['KWS014 nope/keywarden.yaml']);
    expect(result.keys).toHaveLength(1);
  });
});

describe('the examples', () => {
  it('load without errors: five integrations in three environments', async () => {
    const result = await loadSpecs([], { projectFile: 'examples/keywarden.yaml' });
    expect(result.errors).toEqual([]);
    expect(result.documents).toHaveLength(5);
    expect(result.keys).toHaveLength(15);
    expect(new Set(result.keys.map((k) => k.environment))).toEqual(new Set(['production', 'staging', 'development']));
    for (const key of result.keys) {
      const kinds = key.delivery.map((d) => d.kind);
      if (key.mode === 'live') expect(kinds).not.toContain('file');
      else expect(kinds).toEqual(['file']);
    }
  });
});

describe('standard input', () => {
  it('refuses standard input over the size limit', async () => {
    const result = await loadSpecs(['-'], { cwd: root, maxFileBytes: 100, readStdin: async () => `# ${'x'.repeat(200)}\n` });
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}:${e.column}`)).toEqual(['KWS010 <stdin>:1:1']);
  });

  it('reports a failure to read standard input', async () => {
    const result = await loadSpecs(['-'], { cwd: root, readStdin: async () => Promise.reject(new Error('EIO')) });
    expect(result.errors).toEqual([
      { ruleId: 'KWS019', severity: 'error', message: 'standard input cannot be read: EIO', file: '<stdin>', line: 1, column: 1, path: '' },
    ]);
  });
});

describe('standard input of the process', () => {
  it('is read for "-" when no reader is given', async () => {
    const { spawnSync } = await import('node:child_process');
    const repo = path.resolve(import.meta.dirname, '../..');
    const script = [
      `const { loadSpecs } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'src/spec/index.ts')).href)});`,
      "const r = await loadSpecs(['-']);",
      "process.stdout.write(JSON.stringify({ keys: r.keys.map((k) => k.name), errors: r.errors.map((e) => e.ruleId + ' ' + e.file) }));",
    ].join('\n');
    const tsx = pathToFileURL(path.join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
    // Run in the temporary directory: no keywarden.yaml there, so the default environments apply.
    const run = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      input: apiKey('piped', 'production: {}, development: {}'),
      encoding: 'utf8',
      cwd: root,
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ keys: ['production-piped', 'development-piped'], errors: [] });
  });
});

describe('editor modelines in the examples', () => {
  it('name the published schema of each file\'s kind, by a path that exists', async () => {
    const { readdirSync, readFileSync, existsSync } = await import('node:fs');
    const files = ['examples/keywarden.yaml', ...readdirSync('examples/keys').map((f) => `examples/keys/${f}`)];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
      expect(modeline).not.toBeNull();
      const target = path.resolve(path.dirname(file), modeline?.[1] ?? '');
      expect(existsSync(target)).toBe(true);
      const expected = /^kind: Project$/m.test(text) ? 'project.schema.json' : 'apikey.schema.json';
      expect(`${file} -> ${path.basename(target)}`).toBe(`${file} -> ${expected}`);
    }
  });
});
