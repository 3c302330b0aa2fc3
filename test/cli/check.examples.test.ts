// The CI examples must run as written: every `keywarden check` command in examples/ci/ and the
// pre-commit hook's entry, run against a copy of the shipped examples, passes and writes what
// the next step expects.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { runCheck, tempProject } from './check-run.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The arguments after `keywarden check` in every command line of `text`. */
function checkCommands(text: string): string[][] {
  const found: string[][] = [];
  for (const match of text.matchAll(/keywarden check([^\n#]*)/g)) {
    found.push((match[1] ?? '').trim().split(/\s+/).filter(Boolean));
  }
  return found;
}

describe('CI examples', () => {
  let project: { dir: string; dispose(): Promise<void> };

  beforeAll(async () => {
    project = await tempProject({});
    cpSync(join(REPO, 'examples/keywarden.yaml'), join(project.dir, 'keywarden.yaml'));
    cpSync(join(REPO, 'examples/keys'), join(project.dir, 'keys'), { recursive: true });
  });
  afterAll(async () => project.dispose());

  it('GitHub Actions: uploads the SARIF file the check writes, with security-events write permission', async () => {
    const workflow = parse(readFileSync(join(REPO, 'examples/ci/github-actions.yml'), 'utf8')) as {
      permissions: Record<string, string>;
      jobs: { check: { steps: Array<{ run?: string; uses?: string; with?: Record<string, string> }> } };
    };
    expect(workflow.permissions['security-events']).toBe('write');
    const steps = workflow.jobs.check.steps;
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    const commands = steps.flatMap((s) => (s.run ? checkCommands(s.run) : []));
    expect(commands).toEqual([
      ['--format', 'sarif', '--output', 'keywarden.sarif'],
      ['--format', 'github', '--fail-on', 'error'],
    ]);
    for (const args of commands) {
      const run = await runCheck(args, { cwd: project.dir });
      expect(run.code).toBe(0);
    }
    const sarif = JSON.parse(readFileSync(join(project.dir, upload?.with?.['sarif_file'] ?? 'missing'), 'utf8')) as { version: string };
    expect(sarif.version).toBe('2.1.0');
  });

  it('GitLab: writes the JUnit report the job publishes', async () => {
    const text = readFileSync(join(REPO, 'examples/ci/gitlab-ci.yml'), 'utf8');
    const job = (parse(text) as { keywarden: { artifacts: { reports: { junit: string } } } }).keywarden;
    const [args] = checkCommands(text);
    const run = await runCheck(args ?? [], { cwd: project.dir });
    expect(run.code).toBe(0);
    const xml = readFileSync(join(project.dir, job.artifacts.reports.junit), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="keywarden check: No problems in \d+ files \(\d+ keys checked\)" tests="\d+" failures="0" errors="0">/);
  });

  it('pre-commit: the hook checks the whole project with keywarden check', async () => {
    const hooks = parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Array<Record<string, unknown>>;
    expect(hooks).toEqual([
      expect.objectContaining({ id: 'keywarden-check', entry: 'keywarden check', language: 'node', pass_filenames: false }),
    ]);
    expect(new RegExp(String(hooks[0]?.['files'])).test('keys/order-bot.yml')).toBe(true);
    const run = await runCheck([], { cwd: project.dir });
    expect(run).toEqual({ code: 0, stdout: expect.stringMatching(/^No problems in \d+ files/), stderr: '' });
    const config = parse(readFileSync(join(REPO, 'examples/ci/pre-commit-config.yaml'), 'utf8')) as { repos: Array<{ hooks: Array<{ id: string }> }> };
    expect(config.repos[0]?.hooks[0]?.id).toBe('keywarden-check');
  });
});
