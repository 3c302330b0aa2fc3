// fast-check generators for the route fuzz tests: routes from /openapi.json, credentials an
// attacker would try, malformed JSON bodies and query strings.
import fc from 'fast-check';
import type { RawHttp } from './raw-http.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface RouteInfo {
  readonly method: Method;
  /** OpenAPI path, e.g. `/v1/keys/{id}`. */
  readonly path: string;
}

/** The routes fuzzed; a test below checks that it matches /openapi.json, so a new route cannot be missed. */
export const ROUTES: readonly RouteInfo[] = [
  { method: 'POST', path: '/v1/keys' },
  { method: 'GET', path: '/v1/keys' },
  { method: 'GET', path: '/v1/keys/{id}' },
  { method: 'PATCH', path: '/v1/keys/{id}' },
  { method: 'DELETE', path: '/v1/keys/{id}' },
  { method: 'POST', path: '/v1/keys/{id}/rotate' },
  { method: 'GET', path: '/v1/keys/{id}/versions' },
  { method: 'DELETE', path: '/v1/keys/{id}/versions/{versionId}' },
  { method: 'POST', path: '/v1/keys/{id}/versions/{versionId}/promote' },
  { method: 'GET', path: '/v1/whoami' },
  { method: 'POST', path: '/v1/verify' },
  { method: 'GET', path: '/v1/verify' },
  { method: 'GET', path: '/v1/audit' },
  { method: 'GET', path: '/v1/scopes' },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/metrics' },
];

/** Every route the service documents (its /openapi.json), so new routes are fuzzed too. */
export async function documentedRoutes(http: RawHttp): Promise<RouteInfo[]> {
  const res = await http.send({ method: 'GET', path: '/openapi.json' });
  const doc = JSON.parse(res.body) as { paths: Record<string, Record<string, unknown>> };
  const routes: RouteInfo[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      const m = method.toUpperCase();
      if (m === 'GET' || m === 'POST' || m === 'PATCH' || m === 'DELETE' || m === 'PUT') routes.push({ method: m, path });
    }
  }
  return routes;
}

/** Printable ASCII, the characters a header value may carry without being refused by the HTTP layer. */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const base62 = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), minLength: 0, maxLength: 40 });

/** A text that looks like a key of this deployment but is not a valid one. */
export function forgedKey(validKeys: readonly string[]): fc.Arbitrary<string> {
  const base = fc.constantFrom(...validKeys);
  return fc
    .oneof(
      // One character changed (checksum must catch it).
      fc.tuple(base, fc.nat(), base62.filter((s) => s.length > 0)).map(([k, i, c]) => {
        const at = i % k.length;
        return k.slice(0, at) + c[0] + k.slice(at + 1);
      }),
      // Truncated, extended, re-cased, other prefix or mode, random tail.
      fc.tuple(base, fc.nat()).map(([k, n]) => k.slice(0, n % k.length)),
      fc.tuple(base, base62).map(([k, s]) => k + s),
      base.map((k) => k.toUpperCase()),
      base.map((k) => k.replace(/^[a-z0-9]+_/, 'sk_')),
      base.map((k) => k.replace('_live_', '_test_').replace(/_test_(?=.*_live_)/, '_live_')),
      fc.tuple(fc.constantFrom('kw', 'sk', 'pk', ''), fc.constantFrom('live', 'test', 'prod', ''), base62).map(([p, m, r]) => `${p}_${m}_${r}`),
      printable,
    )
    .filter((k) => !validKeys.includes(k.trim()));
}

/** Request headers carrying no valid key: missing, malformed, forged, or a dead (revoked, disabled, expired) key. */
export function invalidCredentials(validKeys: readonly string[], deadKeys: readonly string[]): fc.Arbitrary<Record<string, string>> {
  const bad = fc.oneof(forgedKey(validKeys), fc.constantFrom(...deadKeys));
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return fc.oneof(
    fc.constant({}),
    bad.map((k) => ({ authorization: `Bearer ${k}` })),
    bad.map((k) => ({ 'x-api-key': k })),
    bad.map((k) => ({ authorization: `Basic ${b64(`${k}:`)}` })),
    bad.map((k) => ({ authorization: `Basic ${b64(k)}` })),
    // A valid key in the wrong place: as the Basic password, with a password, in an unknown scheme.
    fc.constantFrom(...validKeys).map((k) => ({ authorization: `Basic ${b64(`user:${k}`)}` })),
    fc.tuple(fc.constantFrom(...validKeys), printable.filter((p) => p.length > 0)).map(([k, p]) => ({ authorization: `Basic ${b64(`${k}:${p}`)}` })),
    fc.tuple(fc.constantFrom('Token', 'Digest', 'ApiKey', 'bearer:', 'Bearer:'), fc.constantFrom(...validKeys)).map(([s, k]) => ({ authorization: `${s} ${k}` })),
    // Two headers at once (one valid) must not be read as the valid one.
    fc.tuple(fc.constantFrom(...validKeys), bad).map(([k, b]) => ({ authorization: `Bearer ${b}`, 'x-api-key': k })),
    printable.map((v) => ({ authorization: v })),
    printable.map((v) => ({ authorization: `Basic ${v}` })),
    printable.map((v) => ({ 'x-api-key': v })),
  );
}

/** A request body: valid-looking JSON with wrong values, arbitrary JSON, or not JSON at all. */
export const fuzzBody: fc.Arbitrary<{ payload?: string; contentType?: string }> = (() => {
  const fieldValue = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ maxLength: 70 }),
    fc.array(fc.string({ maxLength: 70 }), { maxLength: 60 }),
    fc.constantFrom('203.0.113.0/24', '::ffff:10.0.0.1/128', '10.0.0.0/33', 'not-a-cidr', '24h', '0s', '99999999d', '2030-01-01T00:00:00Z', 'yesterday'),
    fc.integer(),
    fc.double(),
  );
  const knownFields = fc.dictionary(
    fc.constantFrom('name', 'environment', 'integration', 'service', 'mode', 'scopes', 'allowedCidrs', 'limits', 'rateLimit',
      'enabled', 'expiresAt', 'metadata', 'overlap', 'key', 'requiredScopes', 'ip', '__proto__', 'constructor'),
    fieldValue,
    { maxKeys: 6 },
  );
  const json = fc.oneof(knownFields.map((o) => JSON.stringify(o)), fc.json({ maxDepth: 3 }));
  const notJson = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '{"name":', '[1,2', 'null', '""', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '{"a":1}{"b":2}'),
  );
  const contentType = fc.option(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x', ''),
    { nil: undefined },
  );
  return fc.oneof(
    fc.constant({}),
    fc.record({ payload: json, contentType: fc.constant('application/json') }),
    fc.record({ payload: fc.oneof(json, notJson), contentType }).map((r) => ({
      payload: r.payload,
      ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
    })),
  );
})();

/** A query string (without `?`): known parameters with odd values, unknown ones, broken escapes. */
export const fuzzQuery: fc.Arbitrary<string> = (() => {
  const name = fc.oneof(
    fc.constantFrom('limit', 'cursor', 'environment', 'integration', 'service', 'status', 'action', 'keyId', 'actorKeyId',
      'outcome', 'since', 'until', 'allAccounts', 'requiredScopes', '__proto__', 'constructor[prototype]'),
    fc.string({ maxLength: 12 }),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer().map(String),
    fc.constantFrom('0', '-1', '1e9', '99999999999', 'true', 'yes', 'active', 'revoked', '2026-01-01T00:00:00Z', 'x'.repeat(600)),
  );
  const pair = fc.tuple(name, value).map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`);
  const raw = fc.constantFrom('%', '%zz', '%E0%A4%A', 'a=%00', '&&&', '=', 'limit', 'limit=1&limit=2', 'a[b][c]=1', 'cursor=%FF%FE');
  return fc.array(fc.oneof(pair, raw), { maxLength: 5 }).map((parts) => parts.join('&'));
})();

/** A value for a path parameter: ids that exist nowhere, odd text, traversal attempts. */
export const fuzzPathParam: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom('key_', 'kver_0', '..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(65), '%', 'key_%2e%2e'),
);

/** Fills `{param}` placeholders of an OpenAPI path. */
export function fillPath(path: string, param: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => param(name));
}
