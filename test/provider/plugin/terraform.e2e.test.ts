// End to end with the real terraform binary, offline: the kwtest fixture provider (built on the
// plugin framework) bundled and installed into a filesystem mirror by src/provider/install.ts.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformEnvironment, writeCliConfiguration, type InstalledProvider } from '../../../src/provider/install.js';
import { describeWith } from '../../support/prerequisite.js';
import { installKwtest, KWTEST_ADDRESS, KWTEST_VERSION } from './kwtest-install.js';

const TERRAFORM = '/usr/local/bin/terraform';
const terraformMissing = existsSync(TERRAFORM)
  ? undefined
  : `terraform not found at ${TERRAFORM}: install Terraform ≥ 1.11 (https://developer.hashicorp.com/terraform/install) to run the provider end-to-end tests`;

const SECRET = 'kwtest-write-only-plaintext-7f3a9c';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface NoteState {
  mode: string;
  type: string;
  name: string;
  instances: { attributes: Record<string, unknown> }[];
}

describeWith(terraformMissing)('kwtest provider driven by terraform', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-tf-e2e-'));
  const work = join(dir, 'work');
  const storePath = join(dir, 'notes.json');
  const cliConfig = join(dir, 'terraform.rc');
  let installed: InstalledProvider;

  const env = () => ({ ...terraformEnvironment(cliConfig), TF_DATA_DIR: join(work, '.terraform') });

  function terraform(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const result = spawnSync(TERRAFORM, [...args, '-no-color'], { cwd: work, env: { ...env(), ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
  }

  function writeConfig(main: { name: string; text: string }) {
    writeFileSync(
      join(work, 'main.tf'),
      `terraform {
  required_providers {
    kwtest = { source = "keywarden/kwtest", version = "${KWTEST_VERSION}" }
  }
}

provider "kwtest" {
  store_path = ${JSON.stringify(storePath)}
}

resource "kwtest_note" "main" {
  name   = ${JSON.stringify(main.name)}
  text   = ${JSON.stringify(main.text)}
  tags   = ["b", "a"]
  secret = ${JSON.stringify(SECRET)}
}

import {
  to = kwtest_note.seeded
  id = "n-seeded"
}

resource "kwtest_note" "seeded" {
  name = "seeded"
  text = "made before terraform"
}

data "kwtest_note" "seeded" {
  name = "seeded"
}

output "seeded_id_from_data" {
  value = data.kwtest_note.seeded.id
}
`,
    );
  }

  const stateText = () => readFileSync(join(work, 'terraform.tfstate'), 'utf8');
  const managed = (name: string) => {
    const state = JSON.parse(stateText()) as { resources: NoteState[] };
    return state.resources.find((r) => r.mode === 'managed' && r.name === name)?.instances[0]?.attributes;
  };
  const store = () => JSON.parse(readFileSync(storePath, 'utf8')) as Record<string, { name: string; text: string | null; secretSha256: string | null }>;

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    installed = await installKwtest(join(dir, 'mirror'));
    writeCliConfiguration(cliConfig, installed.mirrorDir, [KWTEST_ADDRESS]);
    writeFileSync(storePath, JSON.stringify({ 'n-seeded': { name: 'seeded', text: 'made before terraform', tags: [], secretSha256: null } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('initialises offline from the filesystem mirror and records the package hash', () => {
    writeConfig({ name: 'alpha', text: 'first' });
    const init = terraform(['init', '-input=false']);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain(`Installed keywarden/kwtest v${KWTEST_VERSION}`);
    const lock = readFileSync(join(work, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toContain(`provider "${KWTEST_ADDRESS}"`);
    expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]+"/);
  }, 120_000);

  it('applies: creates, imports and reads a data source; the write-only secret reaches the provider but never the state or trace log', () => {
    const traceLog = join(dir, 'apply-trace.log');
    const apply = terraform(['apply', '-auto-approve', '-input=false'], { TF_LOG: 'trace', TF_LOG_PATH: traceLog });
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 imported, 1 added, 0 changed, 0 destroyed.');
    expect(apply.stdout).toContain('seeded_id_from_data = "n-seeded"');
    const main = managed('main');
    expect(main).toMatchObject({ name: 'alpha', text: 'first', tags: ['a', 'b'], secret: null });
    expect(String(main?.id)).toMatch(/^n-[0-9a-f]{12}$/);
    expect(managed('seeded')).toMatchObject({ id: 'n-seeded', text: 'made before terraform' });
    expect(store()[String(main?.id)]?.secretSha256).toBe(sha256(SECRET));
    expect(stateText()).not.toContain(SECRET);
    expect(apply.output).not.toContain(SECRET);
    const trace = readFileSync(traceLog, 'utf8');
    expect(trace).toContain('ApplyResourceChange');
    expect(trace).not.toContain(SECRET);
  }, 120_000);

  it('plans no changes right after apply', () => {
    const plan = terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.status).toBe(0);
  }, 120_000);

  it('updates in place when text changes, keeping the id', () => {
    const before = managed('main')?.id;
    writeConfig({ name: 'alpha', text: 'second' });
    const apply = terraform(['apply', '-auto-approve', '-input=false']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Resources: 0 added, 1 changed, 0 destroyed.');
    expect(managed('main')).toMatchObject({ id: before, text: 'second' });
    expect(store()[String(before)]?.text).toBe('second');
  }, 120_000);

  it('replaces the note when its name changes', () => {
    const before = String(managed('main')?.id);
    writeConfig({ name: 'beta', text: 'second' });
    const apply = terraform(['apply', '-auto-approve', '-input=false']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('must be replaced');
    expect(apply.stdout).toContain('Resources: 1 added, 0 changed, 1 destroyed.');
    const after = String(managed('main')?.id);
    expect(after).not.toBe(before);
    expect(store()[before]).toBeUndefined();
    expect(store()[after]).toMatchObject({ name: 'beta', secretSha256: sha256(SECRET) });
    expect(stateText()).not.toContain(SECRET);
  }, 120_000);

  it('reports a validation error at the offending attribute, with its configuration line', () => {
    writeConfig({ name: 'Bad Name', text: 'second' });
    const plan = terraform(['plan', '-input=false']);
    expect(plan.status).toBe(1);
    expect(plan.stderr).toContain('Error: Invalid name');
    expect(plan.stderr).toContain('name   = "Bad Name"');
    expect(plan.stderr).toContain('Expected lower-case letters, digits and "-"');
  }, 120_000);

  it('destroys everything it manages', () => {
    writeConfig({ name: 'beta', text: 'second' });
    const destroy = terraform(['destroy', '-auto-approve', '-input=false']);
    expect(destroy.status).toBe(0);
    expect(destroy.stdout).toContain('Resources: 2 destroyed.');
    expect(store()).toEqual({});
  }, 120_000);

  it('serves several terraform commands from one long-running process through TF_REATTACH_PROVIDERS', async () => {
    writeFileSync(storePath, JSON.stringify({ 'n-seeded': { name: 'seeded', text: 'made before terraform', tags: [], secretSha256: null } }));
    const provider = spawn(installed.executable, ['--reattach'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => provider.on('exit', resolve));
    try {
      const line = await new Promise<string>((resolve) => provider.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      const match = /^TF_REATTACH_PROVIDERS='(.+)'\n$/.exec(line);
      expect(match).not.toBeNull();
      const value = match?.[1] ?? '';
      const parsed = JSON.parse(value) as Record<string, { Protocol: string; ProtocolVersion: number; Pid: number; Test: boolean; Addr: { Network: string } }>;
      expect(parsed[KWTEST_ADDRESS]).toMatchObject({ Protocol: 'grpc', ProtocolVersion: 6, Pid: provider.pid, Test: true, Addr: { Network: 'unix' } });

      const apply = terraform(['apply', '-auto-approve', '-input=false'], { TF_REATTACH_PROVIDERS: value });
      expect(apply.status).toBe(0);
      expect(apply.stdout).toContain('1 imported, 1 added');
      expect(provider.exitCode).toBeNull();
      const destroy = terraform(['destroy', '-auto-approve', '-input=false'], { TF_REATTACH_PROVIDERS: value });
      expect(destroy.status).toBe(0);
      expect(store()).toEqual({});
      expect(provider.exitCode).toBeNull();
    } finally {
      provider.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 120_000);
});
