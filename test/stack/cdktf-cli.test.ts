import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { synthesize } from '../../src/stack/index.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kw-cdktf-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npx cdktf synth (cdktf.json at the top level)', () => {
  it('writes the same stacks as the in-process synthesis', async () => {
    const outdir = path.join(dir, 'cli');
    // The cdktf CLI runs cdktf.json's app, src/stack/cdktf-app.ts, on examples/keywarden.yaml.
    await run(path.join(ROOT, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', outdir], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', CI: '1', TF_CLI_CONFIG_FILE: '/dev/null', FORCE_COLOR: '0' },
      timeout: 120_000,
    });
    const inProcess = await synthesize({ project: path.join(ROOT, 'examples', 'keywarden.yaml'), outdir: path.join(dir, 'in-process') });
    for (const stack of inProcess.stacks) {
      const viaCli = JSON.parse(await readFile(path.join(outdir, 'stacks', stack.name, 'cdk.tf.json'), 'utf8'));
      const direct = JSON.parse(await readFile(path.join(stack.directory, 'cdk.tf.json'), 'utf8'));
      // Only the local backend's path differs: it is relative to each output directory.
      expect(path.resolve(path.join(outdir, 'stacks', stack.name), viaCli.terraform.backend.local.path)).toBe(path.resolve(stack.directory, direct.terraform.backend.local.path));
      delete viaCli.terraform.backend;
      delete direct.terraform.backend;
      expect(viaCli).toEqual(direct);
    }
  }, 180_000);
});
