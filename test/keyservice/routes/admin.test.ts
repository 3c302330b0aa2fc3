// Audit log, scope catalog and HEAD/metadata routes (SQLite: these do not depend on the dialect
// beyond what the key routes already exercise on both).
import { describe, expect, it } from '@jest/globals';
import { useService } from '../support/harness.js';

describe('audit log and scope catalog (sqlite)', () => {
  const h = useService('sqlite', { scopes: [{ name: 'invoices:read', description: 'Read invoices' }] });

  it('filters audit events by action, key and outcome, newest first, with pagination', async () => {
    const { key } = await h.createKey({ name: 'a-1', scopes: ['invoices:read'] });
    await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { enabled: false });
    await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { enabled: true });
    const page1 = (await h.call('GET', `/v1/audit?keyId=${key.id}&limit=2`, h.adminKey)).json();
    expect(page1.items.map((e: { action: string }) => e.action)).toEqual(['key.update', 'key.update']);
    const page2 = (await h.call('GET', `/v1/audit?keyId=${key.id}&limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`, h.adminKey)).json();
    expect(page2.items.map((e: { action: string }) => e.action)).toEqual(['key.create']);
    const since = (await h.call('GET', `/v1/audit?keyId=${key.id}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, h.adminKey)).json();
    expect(since.items).toEqual([]);
  });

  it("shows only the caller's account unless allAccounts=true with accounts:admin", async () => {
    const theirs = await h.createKey({ name: 'their-audit' }, h.other.adminKey);
    const mine = (await h.call('GET', '/v1/audit?action=key.create&limit=200', h.adminKey)).body;
    expect(mine).not.toContain(theirs.key.id);
    const all = (await h.call('GET', '/v1/audit?action=key.create&allAccounts=true&limit=200', h.adminKey)).body;
    expect(all).toContain(theirs.key.id);
    const auditor = await h.createKey({ name: 'auditor', scopes: ['audit:read'] });
    expect((await h.call('GET', '/v1/audit?allAccounts=true', auditor.secret)).statusCode).toBe(403);
    expect((await h.call('GET', '/v1/audit', auditor.secret)).statusCode).toBe(200);
    const reader = await h.createKey({ name: 'reader', scopes: ['keys:read'] });
    expect((await h.call('GET', '/v1/audit', reader.secret)).statusCode).toBe(403);
  });

  it('serves the configured catalog and refuses scopes outside it (422 naming the scope)', async () => {
    const catalog = (await h.call('GET', '/v1/scopes', h.adminKey)).json().items;
    expect(catalog).toContainEqual({ name: 'invoices:read', description: 'Read invoices', management: false });
    expect(catalog).toContainEqual(expect.objectContaining({ name: 'keys:rotate', management: true }));
    const res = await h.call('POST', '/v1/keys', h.adminKey, { name: 'off-catalog', environment: 'e', scopes: ['invoices:read', 'payouts:write'] });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details).toEqual([{ field: 'body.scopes', message: expect.stringContaining('payouts:write') }]);
  });

  it('authenticates HEAD requests once, like their GET', async () => {
    const created = await h.createKey({ name: 'head', scopes: ['keys:read'], rateLimit: { requests: 10, windowSeconds: 3600 } });
    const res = await h.request('HEAD', '/v1/keys', { headers: { authorization: `Bearer ${created.secret}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-remaining']).toBe('9');
    expect((await h.request('HEAD', '/v1/keys')).statusCode).toBe(401);
  });

  it("enforces the caller's rate limit on the management API with 429, Retry-After and RateLimit headers", async () => {
    const limited = await h.createKey({ name: 'limited-admin', scopes: ['keys:read'], rateLimit: { requests: 2, windowSeconds: 3600 } });
    const first = await h.call('GET', '/v1/whoami', limited.secret);
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1' });
    expect((await h.call('GET', '/v1/keys', limited.secret)).statusCode).toBe(200);
    const refused = await h.call('GET', '/v1/keys', limited.secret);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limit_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['ratelimit-reset'])).toBeGreaterThan(0);
  });

  it('reuses a well-formed X-Request-Id and replaces a hostile one', async () => {
    const ok = await h.call('GET', '/v1/whoami', h.adminKey, undefined, { 'x-request-id': 'trace-123' });
    expect(ok.headers['x-request-id']).toBe('trace-123');
    const bad = await h.call('GET', '/v1/whoami', undefined, undefined, { 'x-request-id': 'x'.repeat(100) });
    expect(bad.headers['x-request-id']).toMatch(/^req_/);
    expect(bad.json().error.requestId).toBe(bad.headers['x-request-id']);
  });
});
