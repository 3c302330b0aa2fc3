import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSynth, type SynthFlags } from '../../../src/cli/commands/synth.js';
import { main } from '../../../src/cli/main.js';
import { ORDER_BOT, PROJECT } from '../../stack/fixtures.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kw-synth-cli-'));
  await mkdir(path.join(dir, 'keys'));
  await writeFile(path.join(dir, 'keys', 'order-bot.yaml'), ORDER_BOT);
  await writeFile(path.join(dir, 'keywarden.yaml'), PROJECT);
  await mkdir(path.join(dir, 'blocked', 'keys'), { recursive: true });
  await writeFile(path.join(dir, 'blocked', 'keys', 'order-bot.yaml'), ORDER_BOT.replace('scopes: [invoices:read, invoices:write]', 'scopes: ["invoices:*"]'));
  await writeFile(path.join(dir, 'blocked', 'keywarden.yaml'), PROJECT);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function synth(flags: Partial<SynthFlags>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runSynth({ project: 'keywarden.yaml', format: 'text', ...flags }, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe('keywarden synth', () => {
  it('prints one line per stack written: name, directory, number of keys', async () => {
    const run = await synth({});
    expect(run).toEqual({
      code: 0,
      stdout: 'production\tcdktf.out/stacks/production\t1\nstaging\tcdktf.out/stacks/staging\t1\ndevelopment\tcdktf.out/stacks/development\t1\n',
      stderr: '',
    });
  });

  it('prints the synthesis result as JSON with --format json, for the chosen environments and layout', async () => {
    const run = await synth({ format: 'json', split: 'single', environment: ['development'], outdir: 'out' });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.outdir).toBe(path.join(dir, 'out'));
    expect(result.stacks).toEqual([
      {
        name: 'keywarden',
        directory: path.join(dir, 'out', 'stacks', 'keywarden'),
        environments: ['development'],
        keys: [{ address: 'keywarden_api_key.development-order-bot', name: 'development-order-bot', environment: 'development', integration: 'order-bot', mode: 'test', deliveries: ['file'] }],
        providers: ['registry.terraform.io/keywarden/keywarden'],
      },
    ]);
  });

  it('exits 1 with the findings on standard error when the policy check fails, and writes nothing', async () => {
    const run = await synth({ project: 'blocked/keywarden.yaml' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('blocked/keys/order-bot.yaml:10:');
    expect(run.stderr).toContain('error KW002');
    expect(run.stderr).toContain('keywarden synth: nothing synthesized: 1 error in the policy check');
  });

  it('exits 2 when the project file does not exist', async () => {
    const run = await synth({ project: 'missing.yaml' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KWS014');
  });

  it('exits 2 for an environment the project does not define', async () => {
    const run = await synth({ environment: ['qa'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KWT002 Unknown environment');
  });

  it('is registered on the keywarden command and refuses an unknown --split', async () => {
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'keywarden', 'synth', '--split', 'sideways'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});
