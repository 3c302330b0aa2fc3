// Leader election on a Lease, through the real client against the in-test API server, with a
// controlled clock: only one replica leads; when it stops renewing, another takes over once the
// lease has run out; a released lease is taken at once; racing candidates never both win.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { LeaderElector } from '../../src/operator/leader-election.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';

describe('leader election on a Lease', () => {
  let server: FakeKubeApiServer;
  let api: CoordinationV1Api;
  let n = 0;
  let clock = new Date('2026-01-01T00:00:00Z').getTime();
  const advance = (ms: number): void => {
    clock += ms;
  };

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    api = server.kubeConfig().makeApiClient(CoordinationV1Api);
  });
  afterAll(async () => {
    await server.stop();
  });

  function pair() {
    const name = `lease-${++n}`;
    const log: string[] = [];
    const make = (identity: string) =>
      new LeaderElector({
        api,
        namespace: 'keywarden',
        name,
        identity,
        now: () => new Date(clock),
        retryPeriodMs: 5,
        onStartedLeading: () => log.push(`${identity} started`),
        onStoppedLeading: () => log.push(`${identity} stopped`),
      });
    return { a: make('pod-a'), b: make('pod-b'), name, log };
  }

  it('lets only the first candidate lead while it renews', async () => {
    const { a, b, log } = pair();
    await a.tick();
    await b.tick();
    for (let i = 0; i < 5; i++) {
      advance(2000);
      await a.tick();
      await b.tick();
    }
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(log).toEqual(['pod-a started']);
  });

  it('hands over when the leader stops renewing, only after the lease duration, and the old leader steps down after its renew deadline', async () => {
    const { a, b, name, log } = pair();
    await a.tick();
    advance(14_000);
    await b.tick();
    expect(b.isLeader).toBe(false);
    advance(1000);
    await b.tick();
    expect(b.isLeader).toBe(true);
    const lease = await api.readNamespacedLease({ namespace: 'keywarden', name });
    expect(lease.spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    // pod-a comes back after 15 s without a renewal: past its renew deadline, it steps down.
    await a.tick();
    expect([a.isLeader, b.isLeader]).toEqual([false, true]);
    expect(log).toEqual(['pod-a started', 'pod-b started', 'pod-a stopped']);
  });

  it('keeps leading through failed renewals shorter than the renew deadline and steps down after it', async () => {
    const { a, log } = pair();
    await a.tick();
    // Each round makes one request (the read), so two faults fail exactly the next two rounds.
    server.injectFault({ path: /leases/, code: 500, reason: 'InternalError', times: 2 });
    advance(9000);
    await a.tick();
    expect(a.isLeader).toBe(true);
    advance(1000);
    await a.tick();
    expect(a.isLeader).toBe(false);
    expect(log).toEqual(['pod-a started', 'pod-a stopped']);
    // The API server is back: it holds its own unexpired lease again.
    await a.tick();
    expect(a.isLeader).toBe(true);
  });

  it('counts the renew deadline from the renewTime it wrote, not from when a slow renewal answered', async () => {
    const name = `lease-${++n}`;
    // The clock moves on while the renewal is on its way (a slow API server, or time passing
    // while the answer is in flight): the lease others see was renewed at the earlier instant.
    const slow = Object.create(api) as CoordinationV1Api;
    let slowdownMs = 0;
    slow.replaceNamespacedLease = async (...args: Parameters<CoordinationV1Api['replaceNamespacedLease']>) => {
      const answer = await api.replaceNamespacedLease(...args);
      advance(slowdownMs);
      return answer;
    };
    const a = new LeaderElector({ api: slow, namespace: 'keywarden', name, identity: 'pod-a', now: () => new Date(clock) });
    await a.tick();
    slowdownMs = 10_000;
    await a.tick(); // renewTime written at t, answered at t + 10 s
    expect(a.isLeader).toBe(true);
    server.injectFault({ path: /leases/, code: 500, reason: 'InternalError', times: 1 });
    await a.tick(); // fails at t + 10 s: the renew deadline has passed since t
    expect(a.isLeader).toBe(false);
  });

  it('releases the lease on stop so the other replica takes over at once', async () => {
    const { a, b, log } = pair();
    await a.tick();
    await a.stop();
    await b.tick();
    expect([a.isLeader, b.isLeader]).toEqual([false, true]);
    expect(log).toEqual(['pod-a started', 'pod-a stopped', 'pod-b started']);
  });

  it('never lets two racing candidates both win an expired lease', async () => {
    for (let round = 0; round < 5; round++) {
      const { a, b } = pair();
      await Promise.all([a.tick(), b.tick()]);
      expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    }
  });

  it('treats API errors as a lost round instead of throwing', async () => {
    const { a } = pair();
    server.injectFault({ path: /leases/, code: 500, reason: 'InternalError', times: 1 });
    await expect(a.tryAcquireOrRenew()).resolves.toBe(false);
    await expect(a.tryAcquireOrRenew()).resolves.toBe(true);
  });

  it('runs rounds on its own once started and stops cleanly', async () => {
    const { a, b } = pair();
    a.start();
    b.start();
    while (!a.isLeader && !b.isLeader) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    await Promise.all([a.stop(), b.stop()]);
    expect([a.isLeader, b.isLeader]).toEqual([false, false]);
  });
});
