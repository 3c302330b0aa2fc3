// `npm run bench -- operator [--keys N] [--rotate R] [--workers W] [--no-baseline]`: the operator against the
// in-test servers (fake Kubernetes API server, fake Secrets Manager, the real key service on
// SQLite), all in this process on 127.0.0.1, driven through the real clients.
// - sync1000s: operator start → every one of N (default 1,000) ApiKeys applied beforehand has
//   its key created in the key service, its first version delivered to a Secrets Manager secret
//   and a Kubernetes Secret, and status Idle with the current version (wall time).
// - rotate200s: R (default 200) of them get keywarden.dev/rotate-now → every one of them is
//   rotated (create, stage, test, promote), the overlap ends (test clock moved forward, each
//   rotated key woken by an annotation as its own timer would; no wall time spent waiting) and
//   the old version is revoked (wall time).
// - syncRequests / rotateRequests: requests the fake API server and calls the fake Secrets
//   Manager served per key (watches count once).
// - rssMb: peak resident set size of the process (servers, key service and operator together).
// - baselineSync1000s: the same creates and deliveries made directly with the same clients and
//   as many in parallel as the operator has workers — the floor the sync is compared with
//   (syncVsBaseline = sync1000s / baselineSync1000s).
// The test clock stands still except where it is moved, so schedules never fire on their own.
// Progress goes to stderr; the last stdout line is the JSON figures.
import { CoreV1Api } from '@kubernetes/client-node';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecretsManagerDestination, deliver, KubernetesSecretDestination } from '../src/delivery/index.js';
import { startOperator } from '../test/operator/scenarios/harness/operator-under-test.js';
import { scenarioKey, type ScenarioKey } from '../test/operator/scenarios/harness/scenario-keys.js';
import { CONSUMER_NETWORK, World } from '../test/operator/scenarios/harness/world.js';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (ms: number): number => Math.round(ms / 10) / 100;

/** Phase and versions of every key's environment, read from the fake API server's store (no HTTP). */
function rotations(world: World, keys: readonly ScenarioKey[]): Array<Record<string, unknown> | undefined> {
  const byName = new Map(world.kube.store.list('keywarden.dev', 'apikeys', 'bench').map((o) => [String(o.metadata.name), o]));
  return keys.map((k) => {
    const status = byName.get(k.name)?.status as { environments?: Record<string, { rotation?: Record<string, unknown> }> } | undefined;
    return status?.environments?.production?.rotation;
  });
}

/** Polls until `condition` counts `total`; after 2 s without progress calls `stalled` (e.g. to end a backoff). */
async function waitFor(what: string, condition: () => number, total: number, stalled?: () => void): Promise<void> {
  let last = -1;
  let still = 0;
  for (;;) {
    const done = condition();
    if (done !== last) {
      log(`  ${what}: ${done}/${total}`);
      last = done;
      still = 0;
    }
    if (done >= total) return;
    if (++still % 20 === 0) stalled?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** createKey + delivery to both destinations for `count` keys, `parallel` at a time, with no operator. */
async function baseline(world: World, count: number, parallel: number): Promise<number> {
  const core = world.kube.kubeConfig().makeApiClient(CoreV1Api);
  const sm = new SecretsManagerClient(world.sm.clientConfig());
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < count; i = next++) {
        const created = await world.admin.createKey({
          name: `baseline-${i}`,
          environment: 'production',
          scopes: ['invoices:read'],
          allowedCidrs: [CONSUMER_NETWORK],
        });
        const version = { keyId: created.key.id, versionId: created.version.id, secret: created.secret };
        await deliver(new AwsSecretsManagerDestination({ secretId: `prod/baseline/${i}`, client: sm, region: world.sm.region }), version);
        await deliver(new KubernetesSecretDestination({ namespace: 'baseline', name: `baseline-${i}`, key: 'API_KEY', api: core }), version);
      }
    }),
  );
  const elapsed = performance.now() - started;
  sm.destroy();
  return elapsed;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const count = option(args, 'keys', 1000);
  const rotate = Math.min(count, option(args, 'rotate', 200));
  const workers = option(args, 'workers', 4);
  const world = await World.start({ keyService: { defaultRateLimit: { requests: 1_000_000, perSeconds: 3600 } } });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    let baselineMs = Number.NaN;
    if (!args.includes('--no-baseline')) {
      log(`baseline: ${count} creates + deliveries, ${workers} at a time, no operator`);
      baselineMs = await baseline(world, count, workers);
      log(`  ${seconds(baselineMs)} s`);
    }

    const keys = Array.from({ length: count }, (_, i) => scenarioKey(`bench-${String(i).padStart(4, '0')}`, { namespace: 'bench' }));
    log(`applying ${count} ApiKeys`);
    for (const key of keys) await world.applyApiKey(key.manifest);

    log(`initial sync: operator start → ${count} keys created, delivered and Idle (${workers} workers)`);
    const requestsBefore = { kube: world.kube.requests.length, sm: world.sm.calls.length };
    const syncStarted = performance.now();
    const { operator } = await startOperator(world, { direct: true, workers, resyncSeconds: 86_400 });
    await waitFor('synced', () => rotations(world, keys).filter((r) => r?.phase === 'Idle' && r.currentVersion !== undefined).length, count);
    const syncMs = performance.now() - syncStarted;
    const perKey = (n: number, keyCount: number): number => Math.round((n / keyCount) * 10) / 10;
    const syncRequests = {
      kubePerKey: perKey(world.kube.requests.length - requestsBefore.kube, count),
      secretsManagerPerKey: perKey(world.sm.calls.length - requestsBefore.sm, count),
    };
    const rotateBefore = { kube: world.kube.requests.length, sm: world.sm.calls.length };
    log(`  ${seconds(syncMs)} s`);

    const chosen = keys.slice(0, rotate);
    // A step that failed waits out its backoff on the test clock: move the clock to the retry.
    const failures = new Map<string, number>();
    let stallResyncs = 0;
    const endBackoff = (): void => {
      // No progress for 2 s: queue every key again (what the periodic resync would do later).
      stallResyncs += 1;
      operator.resyncNow();
      const retries = rotations(world, chosen)
        .filter((r) => typeof r?.retryAt === 'string')
        .map((r) => {
          const reason = (r!.lastError as { reason?: string } | undefined)?.reason ?? 'unknown';
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
          return Date.parse(String(r!.retryAt));
        });
      if (retries.length === 0) return;
      world.clock.advanceTo(new Date(Math.min(...retries)));
      operator.resyncNow();
    };
    const firstVersions = rotations(world, chosen).map((r) => String(r?.currentVersion));
    log(`rotation: rotate-now on ${rotate} keys → promoted → overlap over → old versions revoked`);
    const rotateStarted = performance.now();
    for (const key of chosen) await world.annotate(key.namespace, key.name, { 'keywarden.dev/rotate-now': 'bench' });
    await waitFor('promoted', () => rotations(world, chosen).filter((r, i) => r?.phase === 'Overlapping' && r.currentVersion !== firstVersions[i]).length, rotate, endBackoff);
    const promotedMs = performance.now() - rotateStarted;
    const overlapEnds = rotations(world, chosen).map((r) => Date.parse(String(r?.overlapUntil)));
    world.clock.advanceTo(new Date(Math.max(...overlapEnds)));
    // In a cluster each key's own wake-up timer fires at its overlap's end; here the clock jumped,
    // so each of the rotated keys is woken by touching an annotation (not resyncNow(), which would
    // also reconcile every idle key and measure that instead).
    for (const key of chosen) await world.annotate(key.namespace, key.name, { 'bench.keywarden.example/wake': 'overlap-ended' });
    await waitFor('old version revoked', () => rotations(world, chosen).filter((r) => r?.phase === 'Idle' && r.previousRevokedAt !== undefined).length, rotate, endBackoff);
    const rotateMs = performance.now() - rotateStarted;
    const rotateRequests = {
      kubePerRotatedKey: perKey(world.kube.requests.length - rotateBefore.kube, rotate),
      secretsManagerPerRotatedKey: perKey(world.sm.calls.length - rotateBefore.sm, rotate),
    };
    log(`  ${seconds(rotateMs)} s (${seconds(promotedMs)} s to promotion)`);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return {
      bench: 'operator',
      sync1000s: seconds(syncMs),
      rotate200s: seconds(rotateMs),
      rssMb: Math.round(peakRss / 1024 / 1024),
      keys: count,
      rotated: rotate,
      workers,
      promote200s: seconds(promotedMs),
      ...(Number.isNaN(baselineMs) ? {} : { baselineSync1000s: seconds(baselineMs), syncVsBaseline: Math.round((syncMs / baselineMs) * 100) / 100 }),
      syncRequests,
      rotateRequests,
      stepFailures: Object.fromEntries(failures),
      stallResyncs,
    };
  } finally {
    clearInterval(sampler);
    await world.stop();
  }
}
