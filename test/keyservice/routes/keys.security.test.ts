import { expect, it } from '@jest/globals';
import { forEachBackend } from '../support/harness.js';

forEachBackend('key management security', (h) => {
  it('answers 401 without a key and does not parse the body first', async () => {
    const res = await h.request('POST', '/v1/keys', { headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('answers 403 forbidden to a key without keys:write', async () => {
    const reader = await h.createKey({ name: 'reader-only', scopes: ['keys:read'] });
    const res = await h.call('POST', '/v1/keys', reader.secret, { name: 'x', environment: 'e' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('refuses to grant a management scope the creating key does not hold (403 scope_escalation, audited)', async () => {
    const writer = await h.createKey({ name: 'writer-only', scopes: ['keys:write'] });
    const res = await h.call('POST', '/v1/keys', writer.secret, { name: 'escalated', environment: 'e', scopes: ['keys:write', 'keys:rotate'] });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('scope_escalation');
    const audit = await h.call('GET', `/v1/audit?action=key.create&outcome=failure&actorKeyId=${writer.key.id}`, h.adminKey);
    expect(audit.json().items[0].details).toMatchObject({ code: 'scope_escalation', missingScopes: ['keys:rotate'] });
  });

  it('lets a keys:write key grant application scopes and the management scopes it holds', async () => {
    const writer = await h.createKey({ name: 'writer-2', scopes: ['keys:write'] });
    const res = await h.call('POST', '/v1/keys', writer.secret, { name: 'app-key', environment: 'e', scopes: ['invoices:read', 'keys:write'] });
    expect(res.statusCode).toBe(201);
  });

  it('never writes the secret to the logs', async () => {
    const created = await h.createKey({ name: 'log-secret' });
    await h.call('POST', '/v1/verify', undefined, { key: created.secret });
    await h.call('GET', '/v1/whoami', created.secret);
    await h.request('GET', '/v1/whoami', { headers: { 'x-api-key': created.secret } });
    const logs = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(created.secret);
    expect(logs).not.toContain(h.adminKey);
  });

  it("answers 404, never 403, for another account's key on every key route", async () => {
    const theirs = await h.createKey({ name: 'their-key' }, h.other.adminKey);
    const id = theirs.key.id;
    const versionId = theirs.version.id;
    const attempts = [
      await h.call('GET', `/v1/keys/${id}`, h.adminKey),
      await h.call('PATCH', `/v1/keys/${id}`, h.adminKey, { enabled: false }),
      await h.call('DELETE', `/v1/keys/${id}`, h.adminKey),
      await h.call('POST', `/v1/keys/${id}/rotate`, h.adminKey, { overlap: '0s' }),
      await h.call('GET', `/v1/keys/${id}/versions`, h.adminKey),
      await h.call('DELETE', `/v1/keys/${id}/versions/${versionId}`, h.adminKey),
    ];
    for (const res of attempts) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const list = await h.call('GET', '/v1/keys?limit=200', h.adminKey);
    expect(list.body).not.toContain(id);
    expect((await h.call('POST', '/v1/verify', undefined, { key: theirs.secret })).json().valid).toBe(true);
  });

  it('refuses scope escalation through PATCH: adding a management scope the actor lacks', async () => {
    const writer = await h.createKey({ name: 'patch-writer', scopes: ['keys:write'] });
    const res = await h.call('PATCH', `/v1/keys/${writer.key.id}`, writer.secret, { scopes: ['keys:write', 'accounts:admin'] });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('scope_escalation');
    expect((await h.call('GET', `/v1/keys/${writer.key.id}`, h.adminKey)).json().scopes).toEqual(['keys:write']);
  });

  it('refuses to let a weaker key change, rotate or revoke a key holding more management scopes', async () => {
    const writer = await h.createKey({ name: 'weak-writer', scopes: ['keys:write', 'keys:rotate'] });
    const patch = await h.call('PATCH', `/v1/keys/${h.adminKeyId}`, writer.secret, { allowedCidrs: ['10.0.0.0/8'] });
    const rotate = await h.call('POST', `/v1/keys/${h.adminKeyId}/rotate`, writer.secret, { overlap: '0s' });
    const revoke = await h.call('DELETE', `/v1/keys/${h.adminKeyId}`, writer.secret);
    for (const res of [patch, rotate, revoke]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('scope_escalation');
      expect(res.body).not.toMatch(/kw_(live|test)_[0-9A-Za-z]{32}/);
    }
    expect((await h.call('GET', '/v1/whoami', h.adminKey)).statusCode).toBe(200);
  });

  it('answers 401 to revoked, disabled and expired keys on the management API and audits each failure', async () => {
    const clockless = await h.createKey({ name: 'api-revoked', scopes: ['keys:read'] });
    const disabled = await h.createKey({ name: 'api-disabled', scopes: ['keys:read'], enabled: false });
    await h.call('DELETE', `/v1/keys/${clockless.key.id}`, h.adminKey);
    for (const secret of [clockless.secret, disabled.secret]) {
      const res = await h.call('GET', '/v1/keys', secret);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    const audit = await h.call('GET', '/v1/audit?action=auth.failure&outcome=failure&limit=50', h.adminKey);
    const codes = audit.json().items.filter((e: { keyId: string }) => e.keyId === clockless.key.id || e.keyId === disabled.key.id).map((e: { details: { code: string } }) => e.details.code);
    expect(codes.sort()).toEqual(['DISABLED', 'REVOKED']);
    expect(audit.body).not.toContain(clockless.secret);
    expect(audit.body).not.toContain(disabled.secret);
  });

  it('answers 401 to a key with a forged checksum and to an unknown well-formed key', async () => {
    const created = await h.createKey({ name: 'forge-base', scopes: ['keys:read'] });
    const last = created.secret.at(-1)!;
    const forged = created.secret.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    expect((await h.call('GET', '/v1/keys', forged)).statusCode).toBe(401);
    await h.call('DELETE', `/v1/keys/${created.key.id}`, h.adminKey);
    expect((await h.call('GET', '/v1/keys', 'kw_live_' + 'A'.repeat(32))).statusCode).toBe(401);
  });

  it('answers 401 to malformed credentials: two headers, a Basic password, an unknown scheme', async () => {
    const basicWithPassword = Buffer.from(`${h.adminKey}:secret`).toString('base64');
    const cases: Record<string, string>[] = [
      { authorization: `Bearer ${h.adminKey}`, 'x-api-key': h.adminKey },
      { authorization: `Basic ${basicWithPassword}` },
      { authorization: `Token ${h.adminKey}` },
      { authorization: 'Basic !!!' },
      { authorization: 'Bearer' },
    ];
    for (const headers of cases) {
      const res = await h.request('GET', '/v1/whoami', { headers });
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain(h.adminKey);
    }
  });

  it('audits authentication failures of unknown keys without the account and without the secret', async () => {
    const unknown = 'kw_test_' + 'Z'.repeat(26);
    await h.call('GET', '/v1/keys', unknown);
    const audit = await h.call('GET', '/v1/audit?allAccounts=true&action=auth.failure&limit=100', h.adminKey);
    expect(audit.statusCode).toBe(200);
    const events = audit.json().items.filter((e: { account: string | null }) => e.account === null);
    expect(events.length).toBeGreaterThan(0);
    expect(audit.body).not.toContain(unknown);
  });

  it("keeps a key's allowlist on the management API: a request from outside it answers 403 ip_not_allowed", async () => {
    const fenced = await h.createKey({ name: 'fenced-admin', scopes: ['keys:read'], allowedCidrs: ['192.0.2.0/24'] });
    const res = await h.call('GET', '/v1/keys', fenced.secret);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ip_not_allowed');
    const local = await h.createKey({ name: 'local-admin', scopes: ['keys:read'], allowedCidrs: ['127.0.0.0/8', '::1/128'] });
    expect((await h.call('GET', '/v1/keys', local.secret)).statusCode).toBe(200);
  });
});
