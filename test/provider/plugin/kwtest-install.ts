// Test support: the kwtest fixture provider bundled and installed into a throw-away filesystem
// mirror, plus a go-plugin style launcher for handshake tests.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { installProvider, type InstalledProvider } from '../../../src/provider/install.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../src/provider/plugin/serve.js';

export const KWTEST_ADDRESS = 'registry.terraform.io/keywarden/kwtest';
export const KWTEST_VERSION = '0.1.0';

/** Bundles test/fixtures/provider/kwtest and installs it under `mirrorDir`. */
export function installKwtest(mirrorDir: string): Promise<InstalledProvider> {
  return installProvider({
    entry: new URL('../../fixtures/provider/kwtest/main.ts', import.meta.url).pathname,
    mirrorDir,
    address: KWTEST_ADDRESS,
    version: KWTEST_VERSION,
  });
}

export interface StartedPlugin {
  readonly child: ChildProcessWithoutNullStreams;
  /** The first stdout line. */
  readonly handshake: string;
  /** Everything on stdout when the handshake line arrived. */
  readonly stdoutSoFar: string;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Starts the provider as Terraform would (magic cookie, protocol versions, optional client cert) and waits for the handshake. */
export function startPlugin(executable: string, extraEnv: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<StartedPlugin> {
  const child = spawn(executable, args, {
    env: { PATH: process.env.PATH, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', ...extraEnv },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve({ child, handshake: stdout.slice(0, newline), stdoutSoFar: stdout, exited, stderr: () => stderr });
    });
    void exited.then((code) => reject(new Error(`provider exited (${code}) before its handshake: ${stderr}`)));
  });
}
