// A throw-away PostgreSQL cluster for tests: initdb into a temp dir, pg_ctl start on a free
// port with a Unix socket in the same dir, stop and delete on teardown.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  return findPostgresBin()
    ? undefined
    : 'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PostgresCluster {
  /** postgres://user@127.0.0.1:port/postgres */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Create a fresh database and return its URL. */
  createDatabase(name: string): string;
  /** Stop the server, keeping the data (fast shutdown). */
  stop(): void;
  /** Start it again on the same port. */
  start(): void;
  /** Stop and delete everything. */
  destroy(): void;
}

const RUN_AS_ROOT = userInfo().uid === 0;

function run(bin: string, args: string[], dir: string): void {
  // PostgreSQL refuses to run as root: run its tools as the `postgres` user when we are root.
  const cmd = RUN_AS_ROOT ? 'runuser' : bin;
  const argv = RUN_AS_ROOT ? ['-u', 'postgres', '--', bin, ...args] : args;
  const res = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} failed (${res.status}): ${res.stderr || res.stdout}`);
  }
}

/** Starts a new cluster on a free port. Call destroy() in afterAll. */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresMissing());
  const dir = mkdtempSync(join(tmpdir(), 'kw-pg-'));
  const dataDir = join(dir, 'data');
  const user = RUN_AS_ROOT ? 'postgres' : userInfo().username;
  if (RUN_AS_ROOT) execFileSync('chown', ['postgres', dir]);
  run(join(bin, 'initdb'), ['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync'], dir);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = join(bin, 'pg_ctl');
  const start = (): void => run(pgCtl, ['-D', dataDir, '-o', opts, '-l', join(dir, 'log'), '-w', 'start'], dir);
  const stop = (): void => run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop'], dir);
  start();
  const url = `postgres://${user}@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    port,
    dataDir,
    createDatabase(name: string): string {
      run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, name], dir);
      return `postgres://${user}@127.0.0.1:${port}/${name}`;
    },
    stop(): void {
      stop();
      running = false;
    },
    start(): void {
      start();
      running = true;
    },
    destroy(): void {
      try {
        if (running) stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
