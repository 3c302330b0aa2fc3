import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT, apiKey, runCheck, tempProject } from './check-run.js';

describe('keywarden check: usage and load errors exit 2', () => {
  let project: { dir: string; dispose(): Promise<void> };

  beforeAll(async () => {
    project = await tempProject({
      'keywarden.yaml': PROJECT,
      'keys/clean.yaml': apiKey('clean-bot'),
      'broken/keys/broken.yaml': 'apiVersion: keywarden.dev/v1alpha1\nkind: ApiKey\nmetadata:\n  name: [broken\n',
      'broken/keys/wildcard.yaml': apiKey('wild-bot', (t) => t.replace('scopes: [invoices:read]', 'scopes: ["*"]')),
      'bad-cel/keywarden.yaml': PROJECT.replace(`expression: "'team' in key.labels"`, 'expression: "key.labels.team ==="'),
      'bad-cel/keys/clean.yaml': apiKey('clean-bot'),
    });
  });
  afterAll(async () => project.dispose());

  it('reports a YAML syntax error at its position with the same reporter and exits 2', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml', 'broken/keys'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^broken\/keys\/broken\.yaml\n {2}5:1 {2}error {2}.+ {2}KWS001\n {6}4 \| {3}name: \[broken\n {4}> 5 \|\n/);
  });

  it('exits 2 for load errors even when other files have findings, and reports both', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml', 'broken/keys', '--format', 'json'], { cwd: project.dir });
    const report = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; uri: string }>; rules: Array<{ id: string; title: string }> };
    expect(report.findings.map((f) => [f.ruleId, f.uri])).toEqual(
      expect.arrayContaining([
        ['KWS001', 'broken/keys/broken.yaml'],
        ['KW002', 'broken/keys/wildcard.yaml'],
      ]),
    );
    expect(report.rules.find((r) => r.id === 'KWS001')?.title).toBe('YAML syntax error');
    expect(run.code).toBe(2);
  });

  it('exits 2 when a CEL rule does not compile, naming the project file', async () => {
    const run = await runCheck(['--format', 'github'], { cwd: join(project.dir, 'bad-cel') });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error file=keywarden\.yaml,line=\d+,col=\d+,title=KWP004 CEL rule does not compile::/m);
  });

  it('exits 2 when a path does not exist', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml', 'no/such/file.yaml'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('KWS014');
  });

  it.each([
    [['--format', 'xml'], 'keywarden check: KWC001 Unknown report format: --format "xml" is not one of text, json, sarif, junit, github. Use --format text, json, sarif, junit or github.\n'],
    [['--fail-on', 'never'], 'keywarden check: KWC002 Unknown severity threshold: --fail-on "never" is not one of error, warning. Use --fail-on error or --fail-on warning.\n'],
    [['-', '-'], 'keywarden check: KWC004 Standard input given twice: `-` appears more than once among the paths. Give `-` at most once: standard input can be read only once.\n'],
  ])('refuses %j with a coded usage error on stderr', async (args, message) => {
    const run = await runCheck(['--project', 'keywarden.yaml', ...args], { cwd: project.dir });
    expect(run).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('exits 2 without leaving a file behind when --output cannot be written', async () => {
    const run = await runCheck(['--project', 'keywarden.yaml', '--output', 'missing-dir/report.json', '--format', 'json'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^keywarden check: KWC003 Report cannot be written: missing-dir\/report\.json: .*ENOENT.*Check that the directory of --output exists and is writable\.\n$/);
    expect(existsSync(join(project.dir, 'missing-dir'))).toBe(false);
    expect(readdirSync(project.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 2 on an unknown option', async () => {
    const run = await runCheck(['--no-such-flag'], { cwd: project.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-flag'");
  });
});
