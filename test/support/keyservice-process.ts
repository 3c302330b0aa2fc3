// Runs `node bin/keywarden.js serve …` as a child process (the compiled CLI: `npm run build`
// first; `npm test` does) and waits for its `{"msg":"listening","url":…}` log line (logged at
// level info: a log level above info hides it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'keywarden.js');

/** Why a service process cannot start here (dist/ not built), or undefined when it can. */
export function keyserviceBuildMissing(): string | undefined {
  return existsSync(join(ROOT, 'dist', 'cli', 'main.js'))
    ? undefined
    : 'dist/ is not built: run `npm run build` (npm test does it before Jest)';
}

export interface KeyserviceProcess {
  /** `http://127.0.0.1:PORT` from the listening line. */
  readonly url: string;
  readonly child: ChildProcess;
  /** Every line the process wrote so far (stdout and stderr), for diagnostics. */
  readonly lines: readonly string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnKeyserviceOptions {
  /** `--database` value (SQLite path or postgres:// URL). */
  readonly database: string;
  /** Further `serve` arguments. */
  readonly args?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the listening line, in milliseconds. @default 20000 */
  readonly readyTimeoutMs?: number;
}

/** Starts `keywarden serve --port 0 --database …` and resolves once it listens. */
export function spawnKeyservice(options: SpawnKeyserviceOptions): Promise<KeyserviceProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--database', options.database, ...(options.args ?? [])],
    { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exitedPromise;
    clearTimeout(timer);
  };

  return new Promise<KeyserviceProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(500).then(() => reject(new Error(`${why}\n--- service output ---\n${lines.join('\n')}`)));
    };
    const timer = setTimeout(
      () => fail(`keywarden serve did not log "listening" within ${options.readyTimeoutMs ?? 20000} ms`),
      options.readyTimeoutMs ?? 20_000,
    );
    const onLine = (line: string): void => {
      lines.push(line);
      if (settled || !line.startsWith('{')) return;
      try {
        const rec = JSON.parse(line) as { msg?: unknown; url?: unknown };
        if (rec.msg === 'listening' && typeof rec.url === 'string') {
          settled = true;
          clearTimeout(timer);
          resolve({ url: rec.url, child, lines, stop });
        }
      } catch {
        // not a JSON log line
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => fail(`keywarden serve exited early (code ${code}, signal ${signal})`));
    child.once('error', (err) => fail(`could not start keywarden serve: ${err.message}`));
  });
}
