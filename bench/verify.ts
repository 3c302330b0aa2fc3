// `npm run bench -- verify [--duration S] [--connections N]`: throughput and latency of
// POST /v1/verify against a bare fastify baseline, with 10,000 and with 1,000,000 keys.
//
// Every server runs in its own child process (this same file, re-run with KW_BENCH_ROLE set);
// this process only loads the databases and runs autocannon, so on a 2-core machine the
// server has one core and the load generator the other.
// Keys are loaded straight into the SQLite store in bulk transactions (through HTTP, 1M keys
// would take far too long), with secrets made and digested by the service's own key-format
// functions. Requests cycle through a pool of 10,000 valid keys spread over the whole table,
// so most lookups miss the service's short verify cache and reach the database index.
// Per-key rate limits are set far above what the run can reach.
// Full speed is autocannon (closed loop, `--connections` connections); half speed is an open-loop,
// evenly paced driver (drivePaced) at half the measured full-speed rate, after a discarded warm-up.
// Diagnostics: `--usage-flush-ms N` sets the service's usage flush interval; `--skip-1m` stops
// after the 10,000-key runs (rps1M is then null).
// `--profile DIR` writes a V8 CPU profile of each key service process to DIR (open it in
// Chrome DevTools, or summarise it with `node bench/_profile-top.mjs DIR/*.cpuprofile`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const PEPPER = 'bench-pepper-0123456789abcdef';
const PREFIX = 'kw';
const POOL_SIZE = 10_000;
const HIGH_RATE_LIMIT = { requests: 1_000_000_000, perSeconds: 3600 };
const THIS_FILE = fileURLToPath(import.meta.url);

interface LoadResult {
  readonly rps: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

function progress(msg: string): void {
  process.stderr.write(`[bench verify] ${msg}\n`);
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const duration = flag(args, '--duration', 8);
  const warmup = flag(args, '--warmup', 3);
  const connections = flag(args, '--connections', 16);
  const flushIdx = args.indexOf('--usage-flush-ms');
  usageFlushMs = flushIdx >= 0 ? Number(args[flushIdx + 1]) : undefined;
  const skip1m = args.includes('--skip-1m');
  const profileIdx = args.indexOf('--profile');
  profileDir = profileIdx >= 0 ? args[profileIdx + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kw-bench-verify-'));
  try {
    const small = join(dir, 'keys-10k.db');
    progress('loading 10,000 keys');
    const pool10k = await loadKeys(small, 10_000);

    progress('baseline: bare fastify route with a constant JSON body');
    const baseline = await startServer('baseline', small);
    const baselineRes = await drive(baseline.url, pool10k, { connections, duration, warmup });
    await baseline.stop();
    progress(`baseline: ${baselineRes.rps.toFixed(0)} req/s`);

    progress('key service, 10,000 keys: full speed');
    const svc = await startServer('service', small);
    const full = await drive(svc.url, pool10k, { connections, duration, warmup });
    progress(`10k keys: ${full.rps.toFixed(0)} req/s (p99 ${full.p99Ms} ms at full speed)`);
    const halfRate = Math.max(1, Math.floor(full.rps / 2));
    progress(`key service, 10,000 keys: half speed (${halfRate} req/s)`);
    await drivePaced(svc.url, pool10k, { connections, duration: warmup, rate: halfRate }); // warm-up, discarded
    const half = await drivePaced(svc.url, pool10k, { connections, duration, rate: halfRate });
    await svc.stop();
    progress(`10k keys at half speed: p99 ${half.p99Ms} ms`);

    const round = (n: number, d = 3): number => Number(n.toFixed(d));
    if (skip1m) {
      return { bench: 'verify', rps: round(full.rps, 0), baselineRps: round(baselineRes.rps, 0), ratio: round(full.rps / baselineRes.rps), p99Ms: half.p99Ms, rps1M: null };
    }
    const large = join(dir, 'keys-1m.db');
    progress('loading 1,000,000 keys');
    const pool1m = await loadKeys(large, 1_000_000);
    progress('key service, 1,000,000 keys: full speed');
    const svc1m = await startServer('service', large);
    const full1m = await drive(svc1m.url, pool1m, { connections, duration, warmup });
    await svc1m.stop();
    progress(`1M keys: ${full1m.rps.toFixed(0)} req/s`);

    for (const [name, r] of [['baseline', baselineRes], ['10k', full], ['10k-half', half], ['1M', full1m]] as const) {
      if (r.non2xx > 0 || r.errors > 0) progress(`WARNING ${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    }
    return {
      bench: 'verify',
      rps: round(full.rps, 0),
      baselineRps: round(baselineRes.rps, 0),
      ratio: round(full.rps / baselineRes.rps),
      p99Ms: half.p99Ms,
      rps1M: round(full1m.rps, 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Drives POST /v1/verify with bodies cycling over `pool`; a warm-up run is discarded. */
async function drive(
  url: string,
  pool: readonly string[],
  o: { connections: number; duration: number; warmup: number; overallRate?: number },
): Promise<LoadResult> {
  const bodies = pool.map((key) => JSON.stringify({ key }));
  let next = 0;
  const once = (seconds: number): Promise<autocannon.Result> =>
    autocannon({
      url,
      connections: o.connections,
      duration: seconds,
      ...(o.overallRate ? { overallRate: o.overallRate } : {}),
      requests: [
        {
          method: 'POST',
          path: '/v1/verify',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length]! }),
        },
      ],
    });
  if (o.warmup > 0) await once(o.warmup);
  const r = await once(o.duration);
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/**
 * Drives POST /v1/verify at a steady `rate` (requests/s, spread evenly over each second; at most
 * `connections` keep-alive sockets) for `duration` seconds and measures each latency from the
 * moment the request was due, so a late client or a queue counts against the service.
 * (autocannon's overallRate sends each second's quota as one full-speed burst and then pauses,
 * and its coordinated-omission correction assumes an even 1 ms interval — its p99 at "half speed"
 * is the full-speed queue, not the latency at half speed.)
 */
async function drivePaced(
  url: string,
  pool: readonly string[],
  o: { connections: number; duration: number; rate: number },
): Promise<LoadResult> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL('/v1/verify', url);
  const bodies = pool.map((key) => Buffer.from(JSON.stringify({ key })));
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  const send = (dueAt: number, body: Buffer): void => {
    inFlight++;
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.once('end', () => {
          inFlight--;
          if (res.statusCode! < 200 || res.statusCode! >= 300) non2xx++;
          else latencies.push(performance.now() - dueAt);
        });
      },
    );
    req.once('error', () => {
      inFlight--;
      errors++;
    });
    req.end(body);
  };
  const start = performance.now();
  const end = start + o.duration * 1000;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = Math.min(performance.now(), end);
      const due = Math.floor(((now - start) * o.rate) / 1000);
      for (; sent < due; sent++) send(start + (sent * 1000) / o.rate, bodies[sent % bodies.length]!);
      if (now >= end) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? Number.NaN).toFixed(2);
  progress(`  paced ${o.rate} req/s: ${latencies.length} answers, latency p50 ${at(0.5)} / p90 ${at(0.9)} / p99 ${at(0.99)} / max ${at(1)} ms`);
  const p99 = latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]! : Number.NaN;
  return { rps: latencies.length / o.duration, p99Ms: Number(p99.toFixed(2)), non2xx, errors };
}

let profileDir: string | undefined;
let usageFlushMs: number | undefined;

interface ServerChild {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts this file as a server process (`service` or `baseline`) and waits for its URL. */
function startServer(role: 'service' | 'baseline', database: string): Promise<ServerChild> {
  const profile = role === 'service' && profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', THIS_FILE], {
    env: {
      ...process.env,
      KW_BENCH_ROLE: role,
      KW_BENCH_DB: database,
      ...(usageFlushMs !== undefined ? { KW_BENCH_USAGE_FLUSH_MS: String(usageFlushMs) } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve({ url: line.slice('listening '.length), stop });
    });
    child.once('exit', (code) => reject(new Error(`${role} server exited early (code ${code})`)));
  });
}

// ---- loading keys -------------------------------------------------------------------------

/**
 * Creates an SQLite store at `file` (migrated by the store itself) with `count` keys in one
 * account, inserted in transactions of 10,000 through the store's own database handle, and
 * returns POOL_SIZE of their secrets spread evenly over the table.
 */
async function loadKeys(file: string, count: number): Promise<string[]> {
  const { openStore } = await import('../src/keyservice/store/index.js');
  const { digestKey, displayPrefix, generateKey } = await import('../src/keyservice/key-format.js');
  const { newId } = await import('../src/keyservice/store/ids.js');
  const store = await openStore({ url: `sqlite:${file}` });
  try {
    if (store.backend.kind !== 'sqlite') throw new Error('the verify bench loads an SQLite store');
    const db = store.backend.database;
    const account = await store.createAccount('bench');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insertKey = db.prepare(
      `INSERT INTO api_keys (id, account_id, name, environment, integration, service, mode, scopes, allowed_cidrs,
         limits, rate_limit, enabled, expires_at, metadata, revision, created_at, updated_at, revoked_at,
         current_version_id, display_prefix, last_used_at, usage_count)
       VALUES (?, ?, ?, 'production', 'bench', 'verify', 'live', '["invoices:read"]', '[]',
         '{}', NULL, 1, NULL, '{}', 1, ?, ?, NULL, ?, ?, NULL, 0)`,
    );
    const insertVersion = db.prepare(
      `INSERT INTO key_versions (id, key_id, account_id, number, digest, display_prefix, idempotency_key, created_at,
         overlap_until, revoked_at, last_used_at, usage_count)
       VALUES (?, ?, ?, 1, ?, ?, NULL, ?, NULL, NULL, NULL, 0)`,
    );
    const every = Math.max(1, Math.floor(count / POOL_SIZE));
    const pool: string[] = [];
    const batch = 10_000;
    const now = Date.now();
    const insertBatch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const secret = generateKey(PREFIX, 'live');
        const prefix = displayPrefix(secret);
        const keyId = newId('key');
        const versionId = newId('kver');
        insertKey.run(keyId, account.id, `bench-${i}`, now, now, versionId, prefix);
        insertVersion.run(versionId, keyId, account.id, digestKey(secret, PEPPER), prefix, now);
        if (i % every === 0 && pool.length < POOL_SIZE) pool.push(secret);
      }
    });
    for (let from = 0; from < count; from += batch) {
      insertBatch(from, Math.min(count, from + batch));
      if (process.stderr.isTTY) process.stderr.write(`\r  ${Math.min(count, from + batch).toLocaleString('en')} keys`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return pool;
  } finally {
    await store.close();
  }
}

// ---- server processes ---------------------------------------------------------------------

/** The key service on the loaded database, as `keywarden serve` would run it. */
async function serveKeyService(database: string): Promise<void> {
  const { createKeyService } = await import('../src/keyservice/index.js');
  const service = await createKeyService({
    databaseUrl: `sqlite:${database}`,
    pepper: PEPPER,
    keyPrefix: PREFIX,
    port: 0,
    defaultRateLimit: HIGH_RATE_LIMIT,
    ...(process.env.KW_BENCH_USAGE_FLUSH_MS ? { usageFlushIntervalMs: Number(process.env.KW_BENCH_USAGE_FLUSH_MS) } : {}),
  });
  const url = await service.listen();
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => void service.close().then(() => process.exit(0)));
}

/** The baseline: a bare fastify route that parses the same JSON body and answers a constant. */
async function serveBaseline(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  const answer = { valid: true, code: 'VALID' };
  app.post('/v1/verify', async () => answer);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

const role = process.env.KW_BENCH_ROLE;
if (role === 'service') await serveKeyService(process.env.KW_BENCH_DB!);
else if (role === 'baseline') await serveBaseline();
