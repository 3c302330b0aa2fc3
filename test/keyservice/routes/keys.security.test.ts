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
});
