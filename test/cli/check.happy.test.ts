import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT, apiKey, runCheck, tempProject } from './check-run.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('keywarden check: clean runs and findings', () => {
  let project: { dir: string; dispose(): Promise<void> };

  beforeAll(async () => {
    project = await tempProject({
      'keywarden.yaml': PROJECT,
      'keys/clean.yaml': apiKey('clean-bot'),
      'keys/wildcard.yaml': apiKey('wild-bot', (t) => t.replace('scopes: [invoices:read]', 'scopes: [invoices:read, "invoices:*"]')),
      'keys/unlabelled.yaml': apiKey('quiet-bot', (t) => t.replace('  labels: { team: payments }\n', '')),
      'clean-only/keys/clean.yaml': apiKey('clean-bot'),
      'warning-only/keys/unlabelled.yaml': apiKey('quiet-bot', (t) => t.replace('  labels: { team: payments }\n', '')),
      'lenient-pack/pack.yaml': [
        'apiVersion: keywarden.dev/v1alpha1',
        'kind: PolicyPack',
        'rules:',
        '  KW002: { severity: warning }',
        '',
      ].join('\n'),
    });
  });
  afterAll(async () => project.dispose());

  it('passes the shipped examples with exit 0 and a one-line summary (npm start)', async () => {
    const run = await runCheck(['--project', 'examples/keywarden.yaml'], { cwd: REPO });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^No problems in \d+ files \(\d+ keys checked\)\n$/);
    expect(run.code).toBe(0);
  });

  it('exits 0 on a clean spec and says how much it checked', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml', 'clean-only/keys'], { cwd: project.dir });
    expect(run).toEqual({ code: 0, stdout: 'No problems in 2 files (2 keys checked)\n', stderr: '' });
  });

  it('exits 1 on an error finding and reports it in text grouped by file', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml'], { cwd: project.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('keys/wildcard.yaml\n');
    expect(run.stdout).toMatch(/ {2}10:\d+ {2}error {2}.*invoices:\*.* {2}KW002\n/);
    expect(run.stdout).toContain('> 10 |   scopes: [invoices:read, "invoices:*"]');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\d+ errors?, 2 warnings in 2 files \(6 keys checked\)$/);
    expect(run.stderr).toBe('');
  });

  it('fails on warnings only when --fail-on warning', async () => {
    const lenient = await runCheck(['--project', 'keywarden.yaml', 'warning-only/keys', '--format', 'json'], { cwd: project.dir });
    const report = JSON.parse(lenient.stdout) as { summary: { warnings: number; errors: number; failed: boolean }; findings: Array<{ ruleId: string }> };
    expect(report.summary).toMatchObject({ errors: 0, warnings: 2, failed: false });
    expect(report.findings.map((f) => f.ruleId)).toEqual(['TEAM001', 'TEAM001']);
    expect(lenient.code).toBe(0);
    const strict = await runCheck(['--project', 'keywarden.yaml', 'warning-only/keys', '--fail-on', 'warning'], { cwd: project.dir });
    expect(strict.code).toBe(1);
  });

  it('uses the pack given with --policies instead of the default one', async () => {
    const args = ['--project', 'keywarden.yaml', 'keys/wildcard.yaml', '--format', 'json'];
    const strict = JSON.parse((await runCheck(args, { cwd: project.dir })).stdout) as { findings: Array<{ ruleId: string; severity: string }> };
    expect(strict.findings.find((f) => f.ruleId === 'KW002')?.severity).toBe('error');
    const run = await runCheck([...args, '--policies', 'lenient-pack'], { cwd: project.dir });
    const lenient = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; severity: string }> };
    expect(lenient.findings.filter((f) => f.ruleId === 'KW002').map((f) => f.severity)).toEqual(['warning']);
    expect(run.code).toBe(0);
  });

  it('writes the report to --output atomically and logs the outcome to stderr', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml', '--format', 'sarif', '--output', 'out/keywarden.sarif'], {
      cwd: await mkdir(join(project.dir, 'out'), { recursive: true }).then(() => project.dir),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^keywarden check: \d+ errors?, 2 warnings in 2 files \(6 keys checked\) \(sarif report written to out\/keywarden\.sarif\)\n$/);
    const log = JSON.parse(readFileSync(join(project.dir, 'out/keywarden.sarif'), 'utf8')) as {
      version: string;
      runs: Array<{ tool: { driver: { version: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]?.tool.driver.version).toBe('0.1.0');
    expect(log.runs[0]?.tool.driver.rules.map((r) => r.id)).toEqual(expect.arrayContaining(['KW001', 'KW011', 'TEAM001']));
    const wildcard = log.runs[0]?.results.find((r) => r.ruleId === 'KW002');
    expect(wildcard?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('keys/wildcard.yaml');
    expect(readdirSync(join(project.dir, 'out'))).toEqual(['keywarden.sarif']);
  });

  it('reads a spec from standard input for the path -', async () => {
    const wildcard = apiKey('stdin-bot', (t) => t.replace('scopes: [invoices:read]', 'scopes: ["*"]'));
    const run = await runCheck(['--project', 'keywarden.yaml', '-', '--format', 'json'], { cwd: project.dir, stdin: wildcard });
    const report = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; file: string; line: number }> };
    expect(report.findings.filter((f) => f.ruleId === 'KW002')).toEqual([expect.objectContaining({ file: '<stdin>', line: 10 })]);
    expect(run.code).toBe(1);
  });

  it('annotates GitHub with repository-relative paths when run below the repository root', async () => {
    const repo = await tempProject({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'platform/keywarden.yaml': PROJECT,
      'platform/keys/wildcard.yaml': apiKey('wild-bot', (t) => t.replace('scopes: [invoices:read]', 'scopes: ["invoices:*"]')),
    });
    try {
      const run = await runCheck(['--format', 'github'], { cwd: join(repo.dir, 'platform') });
      expect(run.code).toBe(1);
      expect(run.stdout.split('\n').filter((l) => l.includes('KW002'))).toEqual([
        expect.stringMatching(/^::error file=platform\/keys\/wildcard\.yaml,line=10,col=\d+,title=KW002 [^:]+::/),
      ]);
      expect(run.stderr).toMatch(/^keywarden check: 1 error, 0 warnings in 1 file \(2 keys checked\)\n$/);
    } finally {
      await repo.dispose();
    }
  });

  it('colours the text report on a terminal only when colour is not turned off', async () => {
    const plain = await runCheck(['--project', 'keywarden.yaml'], { cwd: project.dir });
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runCheck(['--project', 'keywarden.yaml'], { cwd: project.dir, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[31merror\u001b[39m');
    const toFile = await runCheck(['--project', 'keywarden.yaml', '--output', 'report.txt'], { cwd: project.dir, env: { FORCE_COLOR: '1' } });
    expect(readFileSync(join(project.dir, 'report.txt'), 'utf8')).not.toContain('\u001b[');
    expect(toFile.code).toBe(1);
    expect(existsSync(join(project.dir, 'report.txt'))).toBe(true);
  });
});
