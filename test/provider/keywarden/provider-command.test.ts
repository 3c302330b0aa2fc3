// `keywarden provider install` and the executable it installs: the mirror layout, the CLI
// configuration it prints, the go-plugin handshake, and the long-running --reattach mode
// (`keywarden provider serve --reattach` runs the same code in the CLI's process).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runProviderInstall } from '../../../src/cli/commands/provider.js';
import { PROVIDER_ADDRESS, PROVIDER_VERSION } from '../../../src/provider/keywarden/index.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../src/provider/plugin/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-provider-cli-'));
const mirror = join(dir, 'mirror');
const executable = join(mirror, 'registry.terraform.io/keywarden/keywarden', PROVIDER_VERSION, `linux_${process.arch === 'x64' ? 'amd64' : process.arch}`, `terraform-provider-keywarden_v${PROVIDER_VERSION}`);

function sink(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk.toString());
      done();
    },
  });
}

/** Starts the executable and resolves with its first stdout line; the child is returned for cleanup. */
function firstLine(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(executable, args, { env: { PATH: process.env.PATH, PLUGIN_UNIX_SOCKET_DIR: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    void exited.then((code) => reject(new Error(`exited ${code} before a line: ${stderr}`)));
  });
  return { child, line, exited, stderr: () => stderr };
}

describe('keywarden provider install', () => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let code = -1;
  beforeAll(async () => {
    code = await runProviderInstall({ dir: mirror, printConfig: true, configFile: join(dir, 'terraform.rc') }, { stdout: sink(stdout), stderr: sink(stderr) });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lays the bundled provider out in the mirror and prints the CLI configuration that selects it', () => {
    expect(code).toBe(0);
    expect(statSync(executable).mode & 0o111).not.toBe(0);
    expect(existsSync(join(executable, '..', 'provider.bundle.mjs'))).toBe(true);
    const printed = stdout.join('');
    expect(printed).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(printed).toContain(`include = [${JSON.stringify(PROVIDER_ADDRESS)}]`);
    expect(readFileSync(join(dir, 'terraform.rc'), 'utf8')).toBe(printed);
    expect(stderr.join('')).toContain(`Installed ${PROVIDER_ADDRESS} ${PROVIDER_VERSION}`);
  });

  it('answers Terraform\'s handshake with one protocol-6 line naming its unix socket', async () => {
    const run = firstLine([], { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' });
    try {
      expect(await run.line).toMatch(/^1\|6\|unix\|\/.+\/plugin\.sock\|grpc\|$/);
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  }, 60_000);

  it('explains itself and exits 1 when started by hand', async () => {
    const run = firstLine([], {});
    await expect(run.line).rejects.toThrow(/exited 1/);
    expect(run.stderr()).toContain('It is not meant to be run by hand');
  }, 60_000);

  it('serves long-running with --reattach, printing the TF_REATTACH_PROVIDERS value, and stops on SIGTERM', async () => {
    const run = firstLine(['--reattach'], {});
    try {
      const match = /^TF_REATTACH_PROVIDERS='(.+)'$/.exec(await run.line);
      const value = JSON.parse(match?.[1] ?? '{}') as Record<string, { ProtocolVersion: number; Pid: number; Addr: { Network: string; String: string } }>;
      expect(value[PROVIDER_ADDRESS]).toMatchObject({ ProtocolVersion: 6, Pid: run.child.pid, Addr: { Network: 'unix' } });
      expect(existsSync(value[PROVIDER_ADDRESS]?.Addr.String ?? '')).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  }, 60_000);
});
