// Every answer carries X-Request-Id (the one in the error body, when there is one) and is
// counted in keywarden_http_requests_total by method, route pattern and status: answers given
// by a route's handler, by the error handler (authentication, validation, content type, body
// size), by the not-found handler, and by the HEAD route made from a GET route.
import { expect, it } from '@jest/globals';
import { forEachBackend, type Harness, type Reply } from '../support/harness.js';

async function requestCount(h: Harness, method: string, route: string, status: number): Promise<number> {
  const metrics = (await h.call('GET', '/metrics', undefined)).body;
  const line = metrics.split('\n').find((l) => l.startsWith(`keywarden_http_requests_total{method="${method}",route="${route}",status="${status}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

forEachBackend('request ids and request counts', (h) => {
  it('gives every answer a request id and counts it under its route and status', async () => {
    const { secret } = await h.createKey({ name: 'request-id-probe', environment: 'staging', scopes: ['invoices:read'] });
    const json = { 'content-type': 'application/json' };
    const cases: Array<[method: string, route: string, status: number, send: () => Promise<Reply>]> = [
      ['POST', '/v1/verify', 200, () => h.call('POST', '/v1/verify', undefined, { key: secret })],
      ['POST', '/v1/verify', 400, () => h.call('POST', '/v1/verify', undefined, { key: secret, unknown: 1 })],
      ['POST', '/v1/verify', 415, () => h.request('POST', '/v1/verify', { headers: { 'content-type': 'text/plain' }, body: secret })],
      ['POST', '/v1/verify', 413, () => h.request('POST', '/v1/verify', { headers: json, body: JSON.stringify({ key: 'x'.repeat(2 * 1024 * 1024) }) })],
      ['GET', '/v1/whoami', 200, () => h.call('GET', '/v1/whoami', h.adminKey)],
      ['GET', '/v1/whoami', 401, () => h.call('GET', '/v1/whoami', undefined)],
      ['GET', '/v1/keys/:id', 404, () => h.call('GET', '/v1/keys/key_doesnotexist', h.other.adminKey)],
      ['HEAD', '/healthz', 200, () => h.request('HEAD', '/healthz')],
      ['GET', 'unmatched', 404, () => h.call('GET', '/v1/nothing-here', h.adminKey)],
    ];
    for (const [method, route, status, send] of cases) {
      const before = await requestCount(h, method, route, status);
      const res = await send();
      expect([method, route, res.statusCode]).toEqual([method, route, status]);
      expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f-]{36}$/);
      if (status >= 400 && method !== 'HEAD') expect(res.json().error.requestId).toBe(res.headers['x-request-id']);
      expect([method, route, status, (await requestCount(h, method, route, status)) - before]).toEqual([method, route, status, 1]);
    }
  });
});
