import { expect, it } from '@jest/globals';
import { forEachBackend } from '../support/harness.js';

forEachBackend('key management', (h) => {
  it('creates a key and returns its secret once, in the documented format', async () => {
    const res = await h.call('POST', '/v1/keys', h.adminKey, {
      name: 'production-order-bot',
      environment: 'production',
      integration: 'order-bot',
      service: 'billing',
      mode: 'live',
      scopes: ['invoices:read', 'payouts:write'],
      allowedCidrs: ['203.0.113.0/24'],
      limits: { max_payout: '55.00' },
      rateLimit: { requests: 100, windowSeconds: 60 },
      metadata: { team: 'payments' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.secret).toMatch(/^kw_live_[0-9A-Za-z]{32}$/);
    expect(body.key).toMatchObject({
      name: 'production-order-bot',
      account: h.accountId,
      integration: 'order-bot',
      service: 'billing',
      mode: 'live',
      scopes: ['invoices:read', 'payouts:write'],
      allowedCidrs: ['203.0.113.0/24'],
      limits: { max_payout: '55.00' },
      rateLimit: { requests: 100, windowSeconds: 60 },
      metadata: { team: 'payments' },
      status: 'active',
      secret: '********',
      revision: 1,
    });
    expect(body.key.displayPrefix).toBe(body.secret.slice(0, 'kw_live_'.length + 4));
    expect(res.headers.location).toBe(`/v1/keys/${body.key.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(body.version).toMatchObject({ keyId: body.key.id, number: 1, status: 'active' });
  });

  it('defaults to a test-mode key with no scopes, no allowlist and the service rate limit', async () => {
    const { key, secret } = await h.createKey({ name: 'defaults' });
    expect(secret.startsWith('kw_test_')).toBe(true);
    expect(key).toMatchObject({ mode: 'test', scopes: [], allowedCidrs: [], rateLimit: null, enabled: true, expiresAt: null });
  });

  it('issues a secret that verifies and is never shown again', async () => {
    const created = await h.createKey({ name: 'shown-once', scopes: ['invoices:read'] });
    const verify = await h.call('POST', '/v1/verify', undefined, { key: created.secret });
    expect(verify.json()).toMatchObject({ valid: true, code: 'VALID', keyId: created.key.id });
    const get = await h.call('GET', `/v1/keys/${created.key.id}`, h.adminKey);
    expect(get.body).not.toContain(created.secret);
    expect(get.json().secret).toBe('********');
  });

  it('writes a key.create audit event with the actor, IP and request id', async () => {
    const res = await h.call('POST', '/v1/keys', h.adminKey, { name: 'audited', environment: 'staging' }, { 'x-request-id': 'create-audit-1' });
    const id = res.json().key.id;
    const audit = await h.call('GET', `/v1/audit?action=key.create&keyId=${id}`, h.adminKey);
    expect(audit.statusCode).toBe(200);
    const [event] = audit.json().items;
    expect(event).toMatchObject({ action: 'key.create', outcome: 'success', actorKeyId: h.adminKeyId, keyId: id, requestId: 'create-audit-1', ip: '127.0.0.1' });
    expect(audit.body).not.toContain(res.json().secret);
  });

  it('lists keys page by page with a cursor, never showing a secret', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await h.createKey({ name: `page-${i}`, environment: 'paging' }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.call('GET', `/v1/keys?environment=paging&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, h.adminKey);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const item of body.items) {
        expect(item.secret).toBe('********');
        seen.push(item.name);
      }
      for (const c of created) expect(res.body).not.toContain(c.secret);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen.sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('filters the list by environment, integration, service and status', async () => {
    await h.createKey({ name: 'f-a', environment: 'filter-env', integration: 'bot-a', service: 'billing' });
    const b = await h.createKey({ name: 'f-b', environment: 'filter-env', integration: 'bot-b', service: 'orders' });
    await h.call('DELETE', `/v1/keys/${b.key.id}`, h.adminKey);
    const names = async (q: string) => (await h.call('GET', `/v1/keys?environment=filter-env&${q}`, h.adminKey)).json().items.map((k: { name: string }) => k.name);
    expect(await names('integration=bot-a')).toEqual(['f-a']);
    expect(await names('service=orders')).toEqual(['f-b']);
    expect(await names('status=revoked')).toEqual(['f-b']);
    expect(await names('status=active')).toEqual(['f-a']);
  });

  it('finds a key by exact name (a page of one) and answers an empty page for an unknown name', async () => {
    const { key } = await h.createKey({ name: 'by-name', environment: 'named' });
    const res = (await h.call('GET', '/v1/keys?name=by-name', h.adminKey)).json();
    expect(res).toEqual({ items: [expect.objectContaining({ id: key.id, name: 'by-name' })], nextCursor: null });
    expect((await h.call('GET', '/v1/keys?name=by-name&environment=other', h.adminKey)).json().items).toEqual([]);
    expect((await h.call('GET', '/v1/keys?name=no-such-name', h.adminKey)).json().items).toEqual([]);
    expect((await h.call('GET', '/v1/keys?name=by-name', h.other.adminKey)).json().items).toEqual([]);
  });

  it('gets one key with its ETag', async () => {
    const { key } = await h.createKey({ name: 'get-me' });
    const res = await h.call('GET', `/v1/keys/${key.id}`, h.adminKey);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ id: key.id, name: 'get-me', revision: 1 });
  });

  it('updates a key with If-Match and bumps its ETag', async () => {
    const { key } = await h.createKey({ name: 'patch-me', scopes: ['a:read'] });
    const res = await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { scopes: ['a:read', 'b:write'], allowedCidrs: ['2001:db8::/32'], enabled: false }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.json()).toMatchObject({ scopes: ['a:read', 'b:write'], allowedCidrs: ['2001:db8::/32'], enabled: false, status: 'disabled', revision: 2 });
    const audit = await h.call('GET', `/v1/audit?action=key.update&keyId=${key.id}`, h.adminKey);
    expect(audit.json().items[0].details.fields).toEqual(['allowedCidrs', 'enabled', 'scopes']);
  });

  it('revokes a key: the record stays, verify answers REVOKED, the revocation is audited', async () => {
    const created = await h.createKey({ name: 'revoke-me' });
    const res = await h.call('DELETE', `/v1/keys/${created.key.id}`, h.adminKey);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: created.key.id, status: 'revoked' });
    expect((await h.call('GET', `/v1/keys/${created.key.id}`, h.adminKey)).json().status).toBe('revoked');
    expect((await h.call('POST', '/v1/verify', undefined, { key: created.secret })).json()).toMatchObject({ valid: false, code: 'REVOKED' });
    const again = await h.call('DELETE', `/v1/keys/${created.key.id}`, h.adminKey);
    expect(again.statusCode).toBe(200);
    const audit = await h.call('GET', `/v1/audit?action=key.revoke&keyId=${created.key.id}`, h.adminKey);
    expect(audit.json().items).toHaveLength(1);
  });

  it('answers whoami with the key, its account, scopes and remaining rate limit', async () => {
    const res = await h.call('GET', '/v1/whoami', h.adminKey);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      keyId: h.adminKeyId,
      account: { id: h.accountId, name: 'default' },
      scopes: ['keys:read', 'keys:write', 'keys:rotate', 'audit:read', 'accounts:admin'],
      ratelimit: { limit: 10_000 },
    });
    expect(Number(res.headers['ratelimit-remaining'])).toBe(res.json().ratelimit.remaining);
  });

  it('accepts the key as Basic username with an empty password and as X-API-Key', async () => {
    const basic = Buffer.from(`${h.adminKey}:`).toString('base64');
    expect((await h.request('GET', '/v1/whoami', { headers: { authorization: `Basic ${basic}` } })).statusCode).toBe(200);
    const noColon = Buffer.from(h.adminKey).toString('base64');
    expect((await h.request('GET', '/v1/whoami', { headers: { authorization: `Basic ${noColon}` } })).statusCode).toBe(200);
    expect((await h.request('GET', '/v1/whoami', { headers: { 'x-api-key': h.adminKey } })).statusCode).toBe(200);
  });

  it('serves the scope catalog, health, readiness, metrics and the OpenAPI document', async () => {
    const scopes = await h.call('GET', '/v1/scopes', h.adminKey);
    expect(scopes.json().items.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['keys:read', 'accounts:admin']));
    expect((await h.call('GET', '/healthz', undefined)).json()).toEqual({ status: 'ok' });
    expect((await h.call('GET', '/readyz', undefined)).json()).toEqual({ status: 'ready' });
    const metrics = await h.call('GET', '/metrics', undefined);
    expect(metrics.body).toContain('keywarden_http_requests_total{method="GET",route="/v1/scopes",status="200"}');
    expect(metrics.body).toContain('keywarden_verify_outcomes_total');
    const openapi = (await h.call('GET', '/openapi.json', undefined)).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/keys', '/v1/keys/{id}', '/v1/keys/{id}/rotate', '/v1/keys/{id}/versions', '/v1/keys/{id}/versions/{versionId}', '/v1/verify', '/v1/whoami', '/v1/audit', '/v1/scopes']),
    );
  });
});
