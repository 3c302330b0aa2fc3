// Hostile input at the HTTP boundary: every answer is a catalog error (never a 5xx, never
// fastify's own body shape), and nothing is accepted without a valid key.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { useService } from '../support/harness.js';

describe('hostile requests (sqlite)', () => {
  const h = useService('sqlite', { logLevel: 'warn' });

  it('answers every malformed request with a catalog error body', async () => {
    const auth = { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' };
    const cases: Array<[string, string, Record<string, string>, string | undefined, number]> = [
      ['POST', '/v1/keys', auth, '{"__proto__":{"x":1},"name":"a","environment":"b"}', 400],
      ['POST', '/v1/keys', auth, '{"constructor":{"prototype":{"x":1}},"name":"a","environment":"b"}', 400],
      ['GET', '/v1/keys/%E0%A4%A', auth, undefined, 400],
      ['GET', `/v1/keys/${'a'.repeat(5000)}`, auth, undefined, 400],
      ['GET', '/v1/keys?limit=1&limit=2', auth, undefined, 400],
      ['GET', '/v1/keys?environment[a]=1', auth, undefined, 400],
      ['GET', '/v1/audit?since=yesterday', auth, undefined, 400],
      ['POST', '/v1/keys/x/rotate', auth, '', 400],
      ['POST', '/v1/verify', { 'content-type': 'application/json' }, `{"key":"kw_live_${'a'.repeat(1020)}"}`, 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'm', environment: 'e', metadata: { a: { b: 1 } } }), 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'l', environment: 'e', limits: { 'Bad Key': 1 } }), 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'x', environment: 'e', expiresAt: '2099-13-45T00:00:00Z' }), 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'x', environment: 'e', enabled: 'true' }), 400],
    ];
    for (const [method, path, headers, body, status] of cases) {
      const res = await h.request(method, path, { headers, ...(body === undefined ? {} : { body }) });
      expect([method, path.slice(0, 40), res.statusCode]).toEqual([method, path.slice(0, 40), status]);
      expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String), requestId: res.headers['x-request-id'] });
    }
  });

  it('never accepts a request, nor fails with a 5xx, for arbitrary credentials', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/v1/keys'],
      ['GET', '/v1/whoami'],
      ['POST', '/v1/keys'],
      ['GET', '/v1/audit'],
      ['GET', '/v1/verify'],
    ];
    const credential = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => ({ authorization: `Bearer ${s}` })),
      fc.string({ maxLength: 80 }).map((s) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` })),
      fc.string({ maxLength: 80 }).map((s) => ({ 'x-api-key': s })),
      fc.stringMatching(/^kw_(live|test)_[0-9A-Za-z]{32}$/).map((s) => ({ 'x-api-key': s })),
    );
    await fc.assert(
      fc.asyncProperty(credential, fc.constantFrom(...routes), async (headers, [method, path]) => {
        const safe = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(/[^\x20-\x7e]/g, '')]));
        const res = await h.request(method, path, { headers: { ...safe, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
