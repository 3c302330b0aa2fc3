// Starts N rotate-race processes, releases them together, and collects their JSON lines.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface RaceLine {
  readonly round: number;
  readonly idempotent: readonly { readonly versionId: string; readonly created: boolean }[];
  readonly plain: { readonly versionId: string; readonly created: boolean };
}

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER_SOURCE = join(HERE, 'fixtures', 'rotate-race.ts');
// Bundled once to plain JS: a TypeScript loader costs seconds per process start on a busy
// machine. It lives under node_modules/.cache so the external packages resolve from there.
const WORKER_BUNDLE = join(HERE, '..', '..', '..', 'node_modules', '.cache', 'keywarden-test', `rotate-race-${process.pid}.mjs`);
export async function raceProcesses(count: number, args: readonly string[]): Promise<RaceLine[][]> {
  mkdirSync(dirname(WORKER_BUNDLE), { recursive: true });
  await build({
    entryPoints: [WORKER_SOURCE],
    outfile: WORKER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [WORKER_BUNDLE, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    }),
  );
  const outputs = children.map((child) => {
    let stdout = '';
    let stderr = '';
    let onReady: () => void = () => {};
    let onEarlyExit: (error: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onEarlyExit = reject;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.startsWith('ready\n')) onReady();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const done = new Promise<RaceLine[]>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        const failure = new Error(`rotate-race exited with ${code ?? signal}: ${stderr}`);
        onEarlyExit(failure); // no effect once ready
        if (code !== 0) return reject(failure);
        resolve(
          stdout
            .split('\n')
            .slice(1)
            .filter((l) => l.length > 0)
            .map((l) => JSON.parse(l) as RaceLine),
        );
      });
    });
    return { child, ready, done };
  });
  for (const o of outputs) o.done.catch(() => {}); // rejections surface through the awaits below
  // A stuck child must fail the test, not hang it.
  const watchdog = setTimeout(() => {
    for (const { child } of outputs) child.kill('SIGKILL');
  }, 45_000);
  try {
    await Promise.all(outputs.map((o) => o.ready));
    for (const { child } of outputs) child.stdin.end('go\n');
    return await Promise.all(outputs.map((o) => o.done));
  } finally {
    clearTimeout(watchdog);
    for (const { child } of outputs) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(WORKER_BUNDLE, { force: true });
  }
}
