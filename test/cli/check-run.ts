// Runs `keywarden check` in-process through main(), capturing what it writes, and builds
// throw-away projects for it. Shared by the check command's tests.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Working directory during the run. @default the current one */
  readonly cwd?: string;
  /** Standard input (for the path `-`). @default none */
  readonly stdin?: string;
  /** Extra environment variables during the run. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `keywarden check ...args`, with output captured and every bit of process state restored. */
export async function runCheck(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = {
    stdout: process.stdout.write,
    stderr: process.stderr.write,
    cwd: process.cwd(),
    exitCode: process.exitCode,
    stdin: Object.getOwnPropertyDescriptor(process, 'stdin'),
    env: { ...process.env },
  };
  const capture = (sink: string[]) =>
    ((chunk: string | Uint8Array) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  // Colour decisions must not depend on how the test runner was started.
  delete process.env['FORCE_COLOR'];
  delete process.env['NO_COLOR'];
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (options.stdin !== undefined) {
    Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(options.stdin)]), configurable: true });
  }
  try {
    if (options.cwd) process.chdir(options.cwd);
    const code = await main(['node', 'keywarden', 'check', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    process.chdir(saved.cwd);
    process.exitCode = saved.exitCode;
    if (saved.stdin) Object.defineProperty(process, 'stdin', saved.stdin);
    for (const name of Object.keys(process.env)) if (!(name in saved.env)) delete process.env[name];
    Object.assign(process.env, saved.env);
  }
}

/** A temp directory holding `files` (relative path → content); remove it with `dispose`. */
export async function tempProject(files: Readonly<Record<string, string>>): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'keywarden-check-test-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export const PROJECT = `apiVersion: keywarden.dev/v1alpha1
kind: Project
environments:
  production: { mode: live }
  development: { mode: test }
policy:
  customRules:
    - id: TEAM001
      title: Keys name their team
      severity: warning
      expression: "'team' in key.labels"
      message: label the key with its owning team
`;

/** An ApiKey that passes the default pack and the project's rules; `edit` rewrites its text. */
export function apiKey(name: string, edit: (text: string) => string = (t) => t): string {
  return edit(`apiVersion: keywarden.dev/v1alpha1
kind: ApiKey
metadata:
  name: ${name}-billing
  labels: { team: payments }
spec:
  integration: ${name}
  service: billing
  owner: payments-team@example.com
  scopes: [invoices:read]
  rateLimit: { requests: 1000, per: 1h }
  expiresAfter: 365d
  rotation: { every: 30d, overlap: 24h }
  environments:
    production:
      allowedCidrs: [203.0.113.0/24]
      delivery:
        - awsSecretsManager: { name: prod/${name}/billing, region: eu-west-1 }
    development:
      delivery:
        - kubernetesSecret: { namespace: dev, name: ${name}-billing, key: API_KEY }
`);
}
