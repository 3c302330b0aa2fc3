// Two replicas of the operator against one API server, each reaching the API server and the key
// service through its own recording proxy: only the Lease holder acts (writes to Kubernetes,
// calls the key service); when it stops — gracefully (Lease released), abruptly (it stops
// renewing without releasing), or cut off from the API server — the other takes over within the
// lease time of the operators' clock, and never while the Lease is still valid.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Operator } from '../../src/operator/index.js';
import { compliantSpec, World } from './controller/harness.js';

/** Polls until `check` holds; a generous real-time deadline, as CI machines may be slow (no timing is asserted). */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!(await Promise.resolve(check()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const TEST_TIMEOUT_MS = 120_000;
const LEASE_SECONDS = 15;
const RENEW_DEADLINE_SECONDS = 10;

/** A transparent HTTP proxy that records what one replica sends, and can cut it off (503). */
class RecordingProxy {
  readonly requests: Array<{ method: string; path: string }> = [];
  blocked = false;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests that change something: every method but GET (a watch is a GET). */
  writes(pattern?: RegExp): Array<{ method: string; path: string }> {
    return this.requests.filter((r) => r.method !== 'GET' && (pattern === undefined || pattern.test(r.path)));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]! });
    if (this.blocked) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'ServiceUnavailable', code: 503 }));
      return;
    }
    const target = new URL(this.target);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders(); // a watch answers headers first and events much later
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

interface Replica {
  readonly name: string;
  readonly operator: Operator;
  readonly kube: RecordingProxy;
  readonly keys: RecordingProxy;
}

describe('two replicas on one Lease', () => {
  let world: World;
  let leases: CoordinationV1Api;
  const proxies: RecordingProxy[] = [];
  let n = 0;

  beforeAll(async () => {
    world = await new World().start();
    leases = world.kube.kubeConfig().makeApiClient(CoordinationV1Api);
  });
  afterAll(async () => {
    await world.stop();
    for (const proxy of proxies) await proxy.stop();
  });

  /** Two replicas (a then b) electing on a fresh Lease; a leads once both run. */
  async function pair(): Promise<{ a: Replica; b: Replica; leaseName: string }> {
    const leaseName = `keywarden-operator-${++n}`;
    const replica = async (name: string): Promise<Replica> => {
      const kube = new RecordingProxy(world.kube.url);
      const keys = new RecordingProxy(world.service.url);
      proxies.push(kube, keys);
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: await kube.start(), skipTLSVerify: true }],
        users: [{ name: name, token: `token-${name}` }],
        contexts: [{ name: 'fake', cluster: 'fake', user: name }],
        currentContext: 'fake',
      });
      const operator = world.operator({
        identity: name,
        kubeConfig: kc,
        keyService: { endpoint: await keys.start(), apiKey: world.service.adminKey, retry: { retries: 0 } },
        leaderElection: { leaseNamespace: 'keywarden', leaseName, leaseDurationSeconds: LEASE_SECONDS, renewDeadlineSeconds: RENEW_DEADLINE_SECONDS, retryPeriodSeconds: 0.02 },
      });
      return { name, operator, kube, keys };
    };
    const a = await replica(`replica-a-${n}`);
    await a.operator.start();
    await eventually(() => a.operator.isLeader, 'a leads');
    const b = await replica(`replica-b-${n}`);
    await b.operator.start();
    return { a, b, leaseName };
  }

  const holder = async (leaseName: string): Promise<string> => (await leases.readNamespacedLease({ namespace: 'keywarden', name: leaseName })).spec?.holderIdentity ?? '';
  /** A few election rounds of real time (the retry period is 20 ms). */
  const rounds = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));
  const rotateCalls = (replica: Replica): number => replica.keys.writes(/\/rotate$/).length;

  async function forceRotation(name: string, value: string): Promise<void> {
    await world.annotate(name, { 'keywarden.dev/rotate-now': value });
  }

  it('only the leader acts: the follower writes nothing to Kubernetes and never calls the key service', async () => {
    const { a, b, leaseName } = await pair();
    await world.createApiKey('replicas-one', compliantSpec('replicas-one-bot'));
    await eventually(async () => (await world.condition('replicas-one', 'Ready'))?.status === 'True', 'Ready');
    await forceRotation('replicas-one', 'first');
    await eventually(() => rotateCalls(a) > 0, 'a rotates the key');
    await rounds();
    b.operator.resyncNow();
    await b.operator.idle();
    expect([a.operator.isLeader, b.operator.isLeader]).toEqual([true, false]);
    expect(await holder(leaseName)).toBe(a.name);
    expect(a.keys.writes().length).toBeGreaterThan(0);
    expect(a.kube.writes(/\/apikeys\//).length).toBeGreaterThan(0);
    expect(b.keys.requests).toEqual([]);
    expect(b.kube.writes()).toEqual([]);
    // The follower's cache is warm all the same: it watched the ApiKey and the Lease.
    expect(b.kube.requests.some((r) => r.path.endsWith('/apikeys'))).toBe(true);
    expect(b.kube.requests.some((r) => r.path.endsWith(`/leases/${leaseName}`))).toBe(true);
    expect(await b.operator.metrics.registry.getSingleMetricAsString('keywarden_operator_leader')).toContain('keywarden_operator_leader 0');
    await a.operator.stop();
    await b.operator.stop();
  }, TEST_TIMEOUT_MS);

  it('after a graceful stop the other replica takes over at once (the Lease is released) and acts', async () => {
    const { a, b, leaseName } = await pair();
    await world.createApiKey('replicas-two', compliantSpec('replicas-two-bot'));
    await eventually(async () => (await world.condition('replicas-two', 'Ready'))?.status === 'True', 'Ready');
    await a.operator.stop();
    const clockAtStop = world.now.getTime();
    await eventually(() => b.operator.isLeader, 'b leads');
    expect(world.now.getTime()).toBe(clockAtStop); // no lease had to run out
    expect(await holder(leaseName)).toBe(b.name);
    const before = a.keys.requests.length + a.kube.requests.length;
    await forceRotation('replicas-two', 'after-graceful');
    await eventually(() => rotateCalls(b) > 0, 'b rotates the key');
    expect(a.keys.requests.length + a.kube.requests.length).toBe(before);
    await b.operator.stop();
  }, TEST_TIMEOUT_MS);

  it('after an abrupt stop (no release) the other replica waits for the lease to run out, then takes over and acts', async () => {
    const { a, b, leaseName } = await pair();
    await world.createApiKey('replicas-three', compliantSpec('replicas-three-bot'));
    await eventually(async () => (await world.condition('replicas-three', 'Ready'))?.status === 'True', 'Ready');
    await a.operator.abandon();
    expect(await holder(leaseName)).toBe(a.name);
    // The Lease is still valid by the operators' clock: b keeps waiting, whatever the number of rounds.
    world.now = new Date(world.now.getTime() + (LEASE_SECONDS - 1) * 1000);
    await rounds();
    expect(b.operator.isLeader).toBe(false);
    expect(b.keys.requests).toEqual([]);
    // Once the lease duration has passed since a's last renewal, b takes the Lease.
    world.now = new Date(world.now.getTime() + 2000);
    await eventually(() => b.operator.isLeader, 'b leads after the lease ran out');
    expect(await holder(leaseName)).toBe(b.name);
    await forceRotation('replicas-three', 'after-abrupt');
    await eventually(() => rotateCalls(b) > 0, 'b rotates the key');
    expect(rotateCalls(a)).toBe(0);
    await b.operator.stop();
  }, TEST_TIMEOUT_MS);

  it('a leader cut off from the API server steps down after the renew deadline, before the other takes over; it does not take the Lease back', async () => {
    const { a, b, leaseName } = await pair();
    await world.createApiKey('replicas-four', compliantSpec('replicas-four-bot'));
    await eventually(async () => (await world.condition('replicas-four', 'Ready'))?.status === 'True', 'Ready');
    a.kube.blocked = true;
    a.keys.blocked = true;
    world.now = new Date(world.now.getTime() + (RENEW_DEADLINE_SECONDS + 1) * 1000);
    await eventually(() => !a.operator.isLeader, 'a steps down');
    await rounds();
    // Between the renew deadline and the end of the lease nobody leads: never two leaders.
    expect(b.operator.isLeader).toBe(false);
    world.now = new Date(world.now.getTime() + (LEASE_SECONDS - RENEW_DEADLINE_SECONDS) * 1000);
    await eventually(() => b.operator.isLeader, 'b leads');
    a.kube.blocked = false;
    a.keys.blocked = false;
    await rounds();
    expect([a.operator.isLeader, b.operator.isLeader]).toEqual([false, true]);
    expect(await holder(leaseName)).toBe(b.name);
    const aRotations = rotateCalls(a);
    await forceRotation('replicas-four', 'after-partition');
    await eventually(() => rotateCalls(b) > 0, 'b rotates the key');
    expect(rotateCalls(a)).toBe(aRotations);
    await a.operator.stop();
    await b.operator.stop();
  }, TEST_TIMEOUT_MS);
});
