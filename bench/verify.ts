// `npm run bench -- verify [--rounds N] [--duration S] [--warmup S] [--connections N]`: throughput
// and latency of POST /v1/verify against a bare fastify baseline, with 10,000 and with 1,000,000 keys.
//
// Every server runs in its own child process (this same file, re-run with KW_BENCH_ROLE set);
// this process only loads the databases and runs the load generators, so on a 2-core machine
// the server has one core and the load generator the other — the same for baseline and service.
// Keys are loaded straight into the SQLite store in bulk transactions (through HTTP, 1M keys
// would take far too long), with secrets made and digested by the service's own key-format
// functions. Requests cycle through a pool of 10,000 valid keys spread over the whole table
// (the working set of hot keys: the service's verify cache holds it after the warm-up).
// Per-key rate limits are set far above what the run can reach.
// The three servers (baseline, service on 10k keys, service on 1M keys) run side by side and
// are driven in turn, `--rounds` times (3) with the order rotated, so a machine shared with
// other work slows all of them alike; the figures are medians over the rounds and the ranges
// (min, max) show the spread. Each server also reports the CPU time it spent per answered
// request (process.cpuUsage over the measured run, via IPC): `cpuRatio` = baseline CPU per
// request ÷ service CPU per request, which contention distorts far less than requests/s.
// Every full-speed run starts with a discarded warm-up: one pass over the pool, then `--warmup` s.
// Full speed is autocannon (closed loop, `--connections` connections); half speed is an open-loop,
// evenly paced driver (drivePaced) at half the round's full-speed rate, after a discarded warm-up.
// Diagnostics: `--usage-flush-ms N` sets the service's usage flush interval; `--skip-1m` leaves
// out the 1,000,000-key server (rps1M is then null); KW_BENCH_SERVICE_OPTIONS='{"…":…}' merges
// options into createKeyService (e.g. `{"verifyCacheTtlMs":0}` measures without the cache).
// The paced driver also reports its own send lag (how late it sent against the schedule): on a
// busy machine the load generator is late too, and that lateness is part of the latencies; and
// the share of a core the server used meanwhile (near 100 %: "half speed" was more than the
// server could do at that moment, and the latencies are those of a queue).
// KW_BENCH_LOOP_DELAY=1 makes the service report its worst event-loop delay each second (over 10 ms)
// and every GC pause over 5 ms on stderr, to tell stalls of the service from those of the machine.
// `--profile DIR` writes a V8 CPU profile of each measured run (not of the warm-ups) to DIR, named
// after the server, the run and its requests/s or p99 (open them in Chrome DevTools, or summarise
// them with `node bench/_profile-top.mjs DIR/*.cpuprofile`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
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
  /** Server CPU time (user + system) per answered request, µs; NaN when unknown. */
  readonly cpuUsPerRequest: number;
}

function progress(msg: string): void {
  process.stderr.write(`[bench verify] ${msg}\n`);
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const round = (n: number, d = 3): number => Number(n.toFixed(d));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const range = (xs: readonly number[], d = 3): [number, number] => [round(Math.min(...xs), d), round(Math.max(...xs), d)];

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const duration = flag(args, '--duration', 8);
  const warmup = flag(args, '--warmup', 3);
  const connections = flag(args, '--connections', 16);
  const rounds = flag(args, '--rounds', 3);
  const flushIdx = args.indexOf('--usage-flush-ms');
  usageFlushMs = flushIdx >= 0 ? Number(args[flushIdx + 1]) : undefined;
  const skip1m = args.includes('--skip-1m');
  const profileIdx = args.indexOf('--profile');
  profileDir = profileIdx >= 0 ? args[profileIdx + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kw-bench-verify-'));
  const servers: ServerChild[] = [];
  try {
    const small = join(dir, 'keys-10k.db');
    progress('loading 10,000 keys');
    const pool10k = await loadKeys(small, 10_000);
    const large = join(dir, 'keys-1m.db');
    let pool1m: string[] = [];
    if (!skip1m) {
      progress('loading 1,000,000 keys');
      pool1m = await loadKeys(large, 1_000_000);
    }
    const baseline = await startServer('baseline', small);
    servers.push(baseline);
    const svc = await startServer('service', small, 'service-10k');
    servers.push(svc);
    const svc1m = skip1m ? undefined : await startServer('service', large, 'service-1m');
    if (svc1m) servers.push(svc1m);

    const results = { baseline: [] as LoadResult[], svc: [] as LoadResult[], svc1m: [] as LoadResult[], half: [] as LoadResult[] };
    type Run = readonly [name: string, go: () => Promise<void>];
    const runs: Run[] = [
      ['baseline (bare fastify route, constant JSON)', async () => void results.baseline.push(await drive(baseline, pool10k, { connections, duration, warmup }))],
      ['key service, 10,000 keys', async () => void results.svc.push(await drive(svc, pool10k, { connections, duration, warmup }))],
      ...(svc1m ? [['key service, 1,000,000 keys', async () => void results.svc1m.push(await drive(svc1m, pool1m, { connections, duration, warmup }))] as Run] : []),
    ];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < runs.length; i++) {
        const [name, go] = runs[(r + i) % runs.length]!;
        await go();
        const last = name.startsWith('baseline') ? results.baseline.at(-1)! : name.includes('1,000,000') ? results.svc1m.at(-1)! : results.svc.at(-1)!;
        progress(`round ${r + 1}/${rounds} ${name}: ${last.rps.toFixed(0)} req/s, ${last.cpuUsPerRequest.toFixed(1)} µs CPU/request (p99 ${last.p99Ms} ms at full speed)`);
      }
      const halfRate = Math.max(1, Math.floor(results.svc.at(-1)!.rps / 2));
      progress(`round ${r + 1}/${rounds} key service, 10,000 keys: half speed (${halfRate} req/s)`);
      await drivePaced(svc, pool10k, { connections, duration: warmup, rate: halfRate }); // warm-up, discarded
      if (profileDir !== undefined) await svc.ask('profile-start');
      results.half.push(await drivePaced(svc, pool10k, { connections, duration, rate: halfRate }));
      if (profileDir !== undefined) {
        const file = join(profileDir, `${svc.name}-${++profiles}-half-speed-${results.half.at(-1)!.p99Ms}ms-p99.cpuprofile`);
        await svc.ask('profile-stop', file);
        progress(`  profile: ${file}`);
      }
    }

    for (const [name, rs] of Object.entries(results)) {
      for (const r of rs) if (r.non2xx > 0 || r.errors > 0) progress(`WARNING ${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    }
    const ratios = results.svc.map((s, i) => s.rps / results.baseline[i]!.rps);
    const ratios1m = results.svc1m.map((s, i) => s.rps / results.svc[i]!.rps);
    const cpu = (rs: readonly LoadResult[]): number => round(median(rs.map((r) => r.cpuUsPerRequest)), 1);
    return {
      bench: 'verify',
      rps: round(median(results.svc.map((r) => r.rps)), 0),
      baselineRps: round(median(results.baseline.map((r) => r.rps)), 0),
      ratio: round(median(ratios)),
      p99Ms: round(median(results.half.map((r) => r.p99Ms)), 2),
      rps1M: svc1m ? round(median(results.svc1m.map((r) => r.rps)), 0) : null,
      rounds,
      ratioRange: range(ratios),
      p99MsRange: range(results.half.map((r) => r.p99Ms), 2),
      rps1MRatio: svc1m ? round(median(ratios1m)) : null,
      rps1MRatioRange: svc1m ? range(ratios1m) : null,
      cpuUsPerRequest: { baseline: cpu(results.baseline), service: cpu(results.svc), service1M: svc1m ? cpu(results.svc1m) : null },
      cpuRatio: round(cpu(results.baseline) / cpu(results.svc)),
    };
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Drives POST /v1/verify with bodies cycling over `pool`; a warm-up run is discarded. */
async function drive(server: ServerChild, pool: readonly string[], o: { connections: number; duration: number; warmup: number }): Promise<LoadResult> {
  const bodies = pool.map((key) => JSON.stringify({ key }));
  let next = 0;
  const once = (length: { duration: number } | { amount: number }): Promise<autocannon.Result> =>
    autocannon({
      url: server.url,
      connections: o.connections,
      ...length,
      requests: [
        {
          method: 'POST',
          path: '/v1/verify',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length]! }),
        },
      ],
    });
  // Warm-up, discarded: every key of the pool once (the service's verify cache then holds the
  // working set, as it would in steady use), then `warmup` seconds.
  await once({ amount: bodies.length });
  if (o.warmup > 0) await once({ duration: o.warmup });
  if (profileDir !== undefined) await server.ask('profile-start');
  const cpuBefore = await server.cpuMicros();
  const r = await once({ duration: o.duration });
  const cpuAfter = await server.cpuMicros();
  if (profileDir !== undefined) {
    const file = join(profileDir, `${server.name}-${++profiles}-${Math.round(r.requests.average)}rps-${r.requests.total}req.cpuprofile`);
    await server.ask('profile-stop', file);
    progress(`  profile: ${file}`);
  }
  return {
    rps: r.requests.average,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuUsPerRequest: r.requests.total > 0 ? (cpuAfter - cpuBefore) / r.requests.total : Number.NaN,
  };
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
  server: ServerChild,
  pool: readonly string[],
  o: { connections: number; duration: number; rate: number },
): Promise<LoadResult> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL('/v1/verify', server.url);
  const cpuBefore = await server.cpuMicros();
  const bodies = pool.map((key) => Buffer.from(JSON.stringify({ key })));
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  const sendLags: number[] = [];
  const send = (dueAt: number, body: Buffer): void => {
    inFlight++;
    sendLags.push(performance.now() - dueAt);
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
  const busy = (await server.cpuMicros()) - cpuBefore;
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? Number.NaN).toFixed(2);
  progress(`  paced ${o.rate} req/s: ${latencies.length} answers, latency p50 ${at(0.5)} / p90 ${at(0.9)} / p99 ${at(0.99)} / max ${at(1)} ms`);
  // How late this driver itself sent (a busy machine delays the load generator too; that lateness is in the latencies).
  sendLags.sort((a, b) => a - b);
  const lag = (q: number): string => (sendLags[Math.min(sendLags.length - 1, Math.floor(sendLags.length * q))] ?? Number.NaN).toFixed(2);
  progress(`  paced ${o.rate} req/s: the driver's own send lag p50 ${lag(0.5)} / p99 ${lag(0.99)} / max ${lag(1)} ms`);
  // Near 100 %, the rate was more than the server could do at that moment (the machine slowed
  // down since the full-speed run): the latencies are a queue's, not the service's at half load.
  progress(`  paced ${o.rate} req/s: the server process used ${((100 * busy) / (o.duration * 1e6)).toFixed(0)} % of a core (${(busy / Math.max(1, sent)).toFixed(1)} µs CPU per request)`);
  const p99 = latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]! : Number.NaN;
  return { rps: latencies.length / o.duration, p99Ms: Number(p99.toFixed(2)), non2xx, errors, cpuUsPerRequest: Number.NaN };
}

let profileDir: string | undefined;
let profiles = 0;
let usageFlushMs: number | undefined;

interface ServerChild {
  /** `baseline`, `service-10k` or `service-1m` (profile file names). */
  readonly name: string;
  readonly url: string;
  /** The server process's CPU time so far (user + system), µs. */
  cpuMicros(): Promise<number>;
  /** Sends a request to the server process over IPC and waits for its answer. */
  ask(what: string, arg?: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts this file as a server process (`service` or `baseline`) and waits for its URL. */
function startServer(role: 'service' | 'baseline', database: string, name: string = role): Promise<ServerChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', THIS_FILE], {
    env: {
      ...process.env,
      KW_BENCH_ROLE: role,
      KW_BENCH_DB: database,
      ...(usageFlushMs !== undefined ? { KW_BENCH_USAGE_FLUSH_MS: String(usageFlushMs) } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const ask = (what: string, arg?: string): Promise<unknown> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve((m as { answer?: unknown }).answer));
      child.send({ what, arg });
    });
  const cpuMicros = async (): Promise<number> => Number(await ask('cpu'));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve({ name, url: line.slice('listening '.length), cpuMicros, ask, stop });
    });
    child.once('exit', (code) => reject(new Error(`${role} server exited early (code ${code})`)));
  });
}

/** Diagnostic (KW_BENCH_LOOP_DELAY=1): the server's worst event-loop delay each second, and each GC over 5 ms, on stderr. */
function reportLoopDelay(): void {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  setInterval(() => {
    if (h.max > 10e6) progress(`  server loop delay max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms`);
    h.reset();
  }, 1000).unref();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > 5) progress(`  server GC ${(e as { detail?: { kind?: number } }).detail?.kind ?? '?'} ${e.duration.toFixed(1)} ms`);
  }).observe({ entryTypes: ['gc'] });
}

/**
 * Answers the parent's requests: `cpu`, this process's CPU time (the figures per request);
 * `profile-start` and `profile-stop` (with the file to write), a V8 CPU profile in between.
 */
function answerParent(): void {
  const { Session } = inspector;
  let session: InstanceType<typeof Session> | undefined;
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session!.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  process.on('message', (m) => {
    const { what, arg } = m as { what: string; arg?: string };
    const answer = (value: unknown): void => void process.send?.({ answer: value });
    if (what === 'cpu') {
      const usage = process.cpuUsage();
      answer(usage.user + usage.system);
    } else if (what === 'profile-start') {
      session = new Session();
      session.connect();
      void post('Profiler.enable').then(() => post('Profiler.start')).then(() => answer(true));
    } else if (what === 'profile-stop') {
      void post('Profiler.stop').then((result) => {
        mkdirSync(dirname(arg!), { recursive: true });
        writeFileSync(arg!, JSON.stringify((result as { profile: unknown }).profile));
        session!.disconnect();
        answer(true);
      });
    }
  });
  // The IPC channel must not keep the process alive after SIGTERM.
  process.channel?.unref();
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
    ...(process.env.KW_BENCH_SERVICE_OPTIONS ? (JSON.parse(process.env.KW_BENCH_SERVICE_OPTIONS) as object) : {}),
  });
  const url = await service.listen();
  answerParent();
  if (process.env.KW_BENCH_LOOP_DELAY) reportLoopDelay();
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
  answerParent();
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

const role = process.env.KW_BENCH_ROLE;
if (role === 'service') await serveKeyService(process.env.KW_BENCH_DB!);
else if (role === 'baseline') await serveBaseline();
