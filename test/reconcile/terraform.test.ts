// The terraform runner with a stand-in executable (a shell script): exit codes, streamed lines,
// a missing binary, and an interrupt of this process handed to the child once, gracefully.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Terraform } from '../../src/reconcile/terraform.js';

const RUNNER = fileURLToPath(new URL('../../src/reconcile/terraform.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'kw-terraform-runner-'));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function terraform(binary: string, env: NodeJS.ProcessEnv = {}): Terraform {
  return new Terraform({ binary, cliConfigFile: join(dir, 'terraform.rc'), reattachProviders: '{"x":{}}', env: { PATH: process.env.PATH, ...env } });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('terraform runner', () => {
  it('streams stdout lines, and hands terraform the CLI configuration and the reattach value but not the key service credentials', async () => {
    const binary = script('env-echo', 'echo "cfg=$TF_CLI_CONFIG_FILE"; echo "reattach=$TF_REATTACH_PROVIDERS"; echo "key=${KEYWARDEN_API_KEY:-none}"; printf "no newline"');
    const lines: string[] = [];
    const result = await terraform(binary, { KEYWARDEN_API_KEY: 'kw_live_secret', KEYWARDEN_ENDPOINT: 'http://x' }).run(['plan'], { cwd: dir, onLine: (l) => lines.push(l) });
    expect(result.code).toBe(0);
    expect(lines).toEqual([`cfg=${join(dir, 'terraform.rc')}`, 'reattach={"x":{}}', 'key=none', 'no newline']);
  });

  it('runs init detached from the provider (no TF_REATTACH_PROVIDERS)', async () => {
    const binary = script('reattach-echo', 'echo "reattach=${TF_REATTACH_PROVIDERS:-none}"');
    expect((await terraform(binary).run(['init'], { cwd: dir, attach: false })).stdout).toBe('reattach=none\n');
  });

  it('turns a failure into KWR002 with terraform\'s message, redacted', async () => {
    const binary = script('fail', 'echo "Error: bad key kw_live_secret" >&2; exit 1');
    const runner = new Terraform({ binary, cliConfigFile: join(dir, 'terraform.rc'), redact: (t) => t.replace('kw_live_secret', '[redacted]') });
    await expect(runner.check(['plan'], { cwd: dir })).rejects.toThrow(/^KWR002 Terraform failed: terraform plan in .* exited 1:\nError: bad key \[redacted\]\n/);
  });

  it('says KWR001 when the executable does not exist', async () => {
    await expect(terraform(join(dir, 'missing')).run(['plan'], { cwd: dir })).rejects.toThrow(/^KWR001 Terraform not found/);
  });

  it('hands an interrupt of this process to terraform, which stops gracefully, and leaves this process running', async () => {
    // In a process of its own: Jest's sandbox does not deliver real signals to a module's listeners.
    // Bounded (about 60 s), so a failing run cannot leave it looping forever as an orphan.
    const binary = script('trap', "trap 'echo interrupted; exit 3' INT\necho started\ni=0\nwhile [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\nexit 4");
    const driver = join(dir, 'driver.mts');
    writeFileSync(
      driver,
      `import { Terraform } from ${JSON.stringify(RUNNER)};
const runner = new Terraform({ binary: ${JSON.stringify(binary)}, cliConfigFile: ${JSON.stringify(join(dir, 'terraform.rc'))} });
const result = await runner.run(['apply'], { cwd: ${JSON.stringify(dir)}, onLine: (line) => { if (line === 'started') process.kill(process.pid, 'SIGINT'); } });
console.log(JSON.stringify({ ...result, listeners: process.listenerCount('SIGINT'), alive: true }));
`,
    );
    const child = spawnSync(TSX, [driver], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ code: 3, stdout: 'started\ninterrupted\n', stderr: '', listeners: 0, alive: true });
  }, 60_000);
});
