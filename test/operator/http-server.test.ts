// The operator's /metrics, /healthz and /readyz: what a Prometheus scrape and the kubelet's
// probes get, as the checks change.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Counter, Registry } from 'prom-client';
import { createOperatorHttpServer, type OperatorHttpServer } from '../../src/operator/http-server.js';
import { OperatorMetrics } from '../../src/operator/operator-metrics.js';

describe('the operator HTTP server', () => {
  const metrics = new OperatorMetrics({ defaultMetrics: true });
  const extra = new Registry();
  const reviews = new Counter({ name: 'keywarden_operator_admission_reviews_total', help: 'reviews', labelNames: ['outcome'], registers: [extra] });
  const state = { synced: false, webhook: true, alive: true };
  let server: OperatorHttpServer;
  let url: string;

  beforeAll(async () => {
    server = createOperatorHttpServer({
      host: '127.0.0.1',
      port: 0,
      registries: [metrics.registry, extra],
      liveness: { operator: () => state.alive },
      readiness: { informers: () => state.synced, webhook: () => state.webhook},
    });
    url = await server.listen();
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the operator metrics and those of other registries in the Prometheus text format', async () => {
    metrics.rotations.inc({ result: 'promoted' });
    metrics.leader.set(1);
    reviews.inc({ outcome: 'refused' });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('keywarden_operator_rotations_total{result="promoted"} 1');
    expect(text).toContain('keywarden_operator_leader 1');
    expect(text).toContain('keywarden_operator_admission_reviews_total{outcome="refused"} 1');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('is not ready until every readiness check passes, and says which one fails', async () => {
    let res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('[-]informers failed\n[+]webhook ok\nreadyz check failed\n');
    state.synced = true;
    res = await fetch(`${url}/readyz`);
    expect([res.status, await res.text()]).toEqual([200, 'ok\n']);
    res = await fetch(`${url}/readyz?verbose`);
    expect(await res.text()).toBe('[+]informers ok\n[+]webhook ok\nreadyz check passed\n');
    state.webhook = false;
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    state.webhook = true;
  });

  it('answers /healthz from the liveness checks alone', async () => {
    state.synced = false;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    state.alive = false;
    const res = await fetch(`${url}/healthz`);
    expect([res.status, await res.text()]).toEqual([503, '[-]operator failed\nhealthz check failed\n']);
    state.alive = true;
  });

  it('answers 404 naming its paths for any other path, and 405 for other methods', async () => {
    const res = await fetch(`${url}/debug/pprof`);
    expect([res.status, await res.text()]).toEqual([404, '404 not found: this port serves /metrics, /healthz, /readyz\n']);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${url}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('serves only what it is given: a probes-only port has no /metrics; a check that throws counts as failed', async () => {
    const probes = createOperatorHttpServer({
      host: '127.0.0.1',
      port: 0,
      liveness: { operator: () => true },
      readiness: {
        cache: () => {
          throw new Error('not built');
        },
      },
    });
    const base = await probes.listen();
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect([ready.status, await ready.text()]).toEqual([503, '[-]cache failed\nreadyz check failed\n']);
    } finally {
      await probes.close();
    }
  });
});
