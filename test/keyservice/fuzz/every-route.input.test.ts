// Property: with a valid admin key, malformed JSON bodies, content types, query strings and
// path parameters on every route get a catalog error (4xx) or a normal answer — never a 5xx.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import fc from 'fast-check';
import { KeywardenClient } from '../../../src/client/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { ROUTES, fillPath, fuzzBody, fuzzPathParam, fuzzQuery } from './arbitraries.js';
import { RawHttp } from './raw-http.js';

const RUNS = 200;

describe('every route, fuzzed with a valid key and malformed input', () => {
  let svc: InProcessService;
  let http: RawHttp;
  let ids: Record<string, string[]>;

  beforeAll(async () => {
    // High enough that the admin key's own rate limit never interferes with the fuzzing.
    svc = await startInProcessService({ logLevel: 'silent', defaultRateLimit: { requests: 1_000_000, perSeconds: 3600 } });
    const admin = new KeywardenClient({ endpoint: svc.url, apiKey: svc.adminKey, retry: { retries: 0 } });
    const target = await admin.createKey({ name: 'fuzz-target', environment: 'staging', scopes: ['invoices:read'] });
    // Real ids too, so the fuzzed bodies reach the update/rotate/revoke logic, not only 404.
    ids = { id: [target.key.id], versionId: [target.version.id] };
    http = new RawHttp(svc.url);
  });
  afterAll(async () => {
    await http.close();
    await svc.stop();
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: never 5xx, errors from the catalog', async (name, route) => {
    const headerKey = fc.constantFrom<Record<string, string>>(
      { authorization: `Bearer ${svc.adminKey}` },
      { 'x-api-key': svc.adminKey },
      { authorization: `Basic ${Buffer.from(`${svc.adminKey}:`).toString('base64')}` },
    );
    await fc.assert(
      fc.asyncProperty(
        headerKey,
        fuzzQuery,
        fuzzBody,
        fc.oneof(fuzzPathParam, fc.constant('')),
        fc.record({ ifMatch: fc.option(fc.constantFrom('"1"', '"999"', '*', 'W/"2"', 'garbage', '""'), { nil: undefined }), idem: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }) }),
        async (auth, query, body, param, extra) => {
          const url = fillPath(route.path, (p) => param || (ids[p]?.[0] ?? 'x')) + (query ? `?${query}` : '');
          const idem: Record<string, string> = extra.idem !== undefined && /^[\x20-\x7e]*$/.test(extra.idem) ? { 'idempotency-key': extra.idem } : {};
          const res = await http.send({
            method: route.method,
            path: url,
            headers: {
              ...auth,
              ...(body.contentType !== undefined ? { 'content-type': body.contentType } : {}),
              ...(extra.ifMatch !== undefined ? { 'if-match': extra.ifMatch } : {}),
              ...idem,
            },
            ...(body.payload !== undefined ? { body: body.payload } : {}),
          });
          const ctx = `${name} ${url} ${body.contentType ?? '-'} ${JSON.stringify(body.payload ?? null).slice(0, 200)} -> ${res.status} ${res.body.slice(0, 300)}`;
          if (res.status >= 500) throw new Error(`server error: ${ctx}`);
          if (res.status >= 400) {
            let err: { code?: unknown; requestId?: unknown } | undefined;
            try {
              err = (JSON.parse(res.body) as { error?: { code?: unknown; requestId?: unknown } }).error;
            } catch {
              err = undefined;
            }
            if (typeof err?.code !== 'string' || typeof err.requestId !== 'string') throw new Error(`no catalog error body: ${ctx}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 60_000);
});
