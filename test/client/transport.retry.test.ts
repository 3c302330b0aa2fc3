import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { KeywardenApiError } from '../../src/client/api-error.js';
import { backoffDelayMs, parseRetryAfterMs, resolveRetryOptions } from '../../src/client/retry-policy.js';
import { Transport } from '../../src/client/transport.js';
import { freePort } from '../support/postgres.js';

// A tiny local service that fails in scripted ways: each route answers from a queue of
// statuses, records when each request arrived, and then answers 200.
interface Script {
  statuses: number[];
  headers?: Record<string, string>;
  arrivals: number[];
}

describe('client transport: retries and backoff', () => {
  let app: FastifyInstance;
  let endpoint: string;
  const scripts = new Map<string, Script>();

  function script(name: string, statuses: number[], headers?: Record<string, string>): Script {
    const s: Script = { statuses, arrivals: [], ...(headers ? { headers } : {}) };
    scripts.set(name, s);
    return s;
  }

  beforeAll(async () => {
    app = Fastify();
    app.all('/s/:name', async (req, reply) => {
      const s = scripts.get((req.params as { name: string }).name)!;
      s.arrivals.push(performance.now());
      const status = s.statuses.shift();
      if (status === undefined) return { ok: true, attempt: s.arrivals.length };
      for (const [h, v] of Object.entries(s.headers ?? {})) reply.header(h, v);
      const code = status === 429 ? 'rate_limit_exceeded' : status === 503 ? 'service_unavailable' : 'conflict';
      return reply
        .code(status)
        .send({ error: { code, message: `scripted ${status}`, requestId: `req-${s.arrivals.length}` } });
    });
    endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

  it('retries an idempotent request after 503 and returns the later success', async () => {
    const s = script('a', [503, 503]);
    const t = new Transport({ endpoint, retry: fast });
    const res = await t.request<{ attempt: number }>({ method: 'GET', path: '/s/a', idempotent: true });
    expect(res.status).toBe(200);
    expect(res.body.attempt).toBe(3);
    expect(s.arrivals).toHaveLength(3);
  });

  it('waits at least Retry-After seconds before retrying a 429', async () => {
    // Backoff is zero here, so any wait comes from Retry-After alone.
    const s = script('b', [429], { 'retry-after': '1' });
    const t = new Transport({ endpoint, retry: { retries: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    await t.request({ method: 'GET', path: '/s/b', idempotent: true });
    expect(s.arrivals).toHaveLength(2);
    expect(s.arrivals[1]! - s.arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  it('fails at once when Retry-After is longer than the client will wait', async () => {
    const s = script('c', [429], { 'retry-after': '120' });
    const t = new Transport({ endpoint, retry: { ...fast, maxRetryAfterMs: 10_000 } });
    const err = await t.request({ method: 'GET', path: '/s/c', idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeywardenApiError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfterSeconds: 120, attempts: 1 });
    expect(s.arrivals).toHaveLength(1);
  });

  it('retries a non-idempotent POST after 429 but not after 503', async () => {
    const limited = script('d', [429]);
    const t = new Transport({ endpoint, retry: fast });
    await t.request({ method: 'POST', path: '/s/d', body: {}, idempotent: false });
    expect(limited.arrivals).toHaveLength(2);

    const down = script('e', [503]);
    const err = await t.request({ method: 'POST', path: '/s/e', body: {}, idempotent: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'service_unavailable', requestId: 'req-1', attempts: 1 });
    expect(down.arrivals).toHaveLength(1);
  });

  it('gives up after the configured retries and reports the last answer', async () => {
    const s = script('f', [503, 503, 503, 503, 503, 503]);
    const t = new Transport({ endpoint, retry: { ...fast, retries: 2 } });
    const err = await t.request({ method: 'GET', path: '/s/f', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'service_unavailable', requestId: 'req-3', attempts: 3 });
    expect(s.arrivals).toHaveLength(3);
  });

  it('does not retry other errors such as 409', async () => {
    const s = script('g', [409]);
    const t = new Transport({ endpoint, retry: fast });
    const err = await t.request({ method: 'GET', path: '/s/g', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409, code: 'conflict', attempts: 1 });
    expect(s.arrivals).toHaveLength(1);
  });

  it('retries network errors for idempotent requests and then reports network_error', async () => {
    const port = await freePort(); // nothing listens there
    const t = new Transport({ endpoint: `http://127.0.0.1:${port}`, retry: { ...fast, retries: 2 } });
    const err = await t.request({ method: 'GET', path: '/v1/whoami', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'network_error', attempts: 3 });
    const once = await t.request({ method: 'POST', path: '/v1/keys', idempotent: false }).catch((e: unknown) => e);
    expect(once).toMatchObject({ status: 0, code: 'network_error', attempts: 1 });
  });
});

describe('client retry policy', () => {
  it('grows the backoff ceiling exponentially up to maxDelayMs, with full jitter', () => {
    const o = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    const top = (): number => 0.999999;
    expect([0, 1, 2, 3, 4].map((n) => backoffDelayMs(n, o, top))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelayMs(3, o, () => 0)).toBe(0);
  });

  it('reads Retry-After as delta-seconds or as an HTTP date', () => {
    expect(parseRetryAfterMs('7')).toBe(7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs(null)).toBeUndefined();
  });
});
