// Property: no route accepts a request without a valid key, whatever the credentials, query
// and body look like, and no such request makes the service fail (5xx).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { KeywardenClient } from '../../../src/client/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { RawHttp } from './raw-http.js';
import { ROUTES, documentedRoutes, fillPath, fuzzBody, fuzzPathParam, fuzzQuery, invalidCredentials, type RouteInfo } from './arbitraries.js';

const RUNS = 200;
/** Routes that need no key by design; every other route must answer 401 to a stranger. */
const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json']);

describe('every route, fuzzed with invalid credentials', () => {
  let svc: InProcessService;
  let routes: RouteInfo[];
  let validKeys: string[];
  let deadKeys: string[];
  let knownIds: string[];
  let http: RawHttp;

  beforeAll(async () => {
    svc = await startInProcessService({ logLevel: 'silent' });
    const admin = new KeywardenClient({ endpoint: svc.url, apiKey: svc.adminKey, retry: { retries: 0 } });
    const live = await admin.createKey({ name: 'fuzz-live', environment: 'production', scopes: ['invoices:read'] });
    const revoked = await admin.createKey({ name: 'fuzz-revoked', environment: 'production' });
    await admin.revokeKey(revoked.key.id);
    const disabled = await admin.createKey({ name: 'fuzz-disabled', environment: 'production', enabled: false });
    // The service refuses an expiry in the past: make one that ends in a second, then wait it out.
    const expiresAt = Date.now() + 1000;
    const expired = await admin.createKey({ name: 'fuzz-expired', environment: 'production', expiresAt: new Date(expiresAt).toISOString() });
    const rotated = await admin.createKey({ name: 'fuzz-rotated', environment: 'production' });
    await admin.rotateKey(rotated.key.id, { overlap: '0s' });
    validKeys = [svc.adminKey, live.secret];
    deadKeys = [revoked.secret, disabled.secret, expired.secret, rotated.secret];
    knownIds = [svc.adminKeyId, live.key.id, revoked.key.id, live.version.id];
    http = new RawHttp(svc.url);
    routes = await documentedRoutes(http);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));
    expect((await admin.verify({ key: expired.secret })).code).toBe('EXPIRED');
  });
  afterAll(async () => {
    await http.close();
    await svc.stop();
  });

  it('fuzzes every route the service documents (add new routes to ROUTES)', () => {
    const fuzzed = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((n) => !fuzzed.has(n));
    expect(missing).toEqual([]);
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: no 5xx; 401 when protected; never accepts a stranger', async (name, route) => {
    {
      await fc.assert(
        fc.asyncProperty(
          invalidCredentials(validKeys, deadKeys),
          fuzzQuery,
          fuzzBody,
          fc.oneof(fuzzPathParam, fc.constantFrom(...knownIds)),
          async (headers, query, body, param) => {
            const url = fillPath(route.path, () => param) + (query ? `?${query}` : '');
            const res = await http.send({
              method: route.method,
              path: url,
              headers: { ...headers, ...(body.contentType !== undefined ? { 'content-type': body.contentType } : {}) },
              ...(body.payload !== undefined ? { body: body.payload } : {}),
            });
            const ctx = `${name} ${url} ${JSON.stringify(headers)} -> ${res.status} ${res.body.slice(0, 200)}`;
            if (res.status >= 500) throw new Error(`server error: ${ctx}`);
            if (PUBLIC_ROUTES.has(name)) return;
            if (name === 'POST /v1/verify') {
              // The body's key is the credential here; the headers are irrelevant. Whatever
              // was sent, only a valid key may come back valid.
              if (res.status === 200) {
                const answer = JSON.parse(res.body) as { valid: boolean };
                const sent = body.payload ?? '';
                if (answer.valid && !validKeys.some((k) => sent.includes(k))) throw new Error(`accepted: ${ctx}`);
              }
              return;
            }
            if (name === 'GET /v1/verify') {
              if (res.status < 300) throw new Error(`accepted: ${ctx}`);
              return;
            }
            // Unknown route patterns (bad percent-encoding) may be refused as 400/404 before auth.
            if (res.status !== 401 && !(res.status === 400 || res.status === 404)) throw new Error(`not 401: ${ctx}`);
            if (res.status < 300) throw new Error(`accepted: ${ctx}`);
            const err = (JSON.parse(res.body) as { error?: { code?: string; requestId?: string } }).error;
            if (!err?.code || !err.requestId) throw new Error(`no catalog error body: ${ctx}`);
          },
        ),
        { numRuns: RUNS },
      );
    }
  }, 60_000);

  it('never puts a presented secret into a response or a log line', () => {
    const logs = svc.logs.join('');
    for (const k of [...validKeys, ...deadKeys]) expect(logs).not.toContain(k);
  });
});
