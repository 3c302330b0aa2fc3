import { describe, expect, it } from '@jest/globals';
import { forEachBackend, useService } from '../support/harness.js';

forEachBackend(
  'verify security',
  (h) => {
    const forward = (key: string, headers: Record<string, string> = {}) =>
      h.request('GET', '/v1/verify', { headers: { authorization: `Bearer ${key}`, ...headers } });

    it('rejects a forged checksum as MALFORMED before any lookup', async () => {
      const created = await h.createKey({ name: 's-1' });
      const chars = created.secret.split('');
      const i = chars.length - 10;
      chars[i] = chars[i] === 'a' ? 'b' : 'a';
      const res = await h.call('POST', '/v1/verify', undefined, { key: chars.join('') });
      expect(res.json()).toEqual({ valid: false, code: 'MALFORMED' });
    });

    it('answers NOT_FOUND for a well-formed key that was never issued, revealing nothing else', async () => {
      const created = await h.createKey({ name: 's-2' });
      await h.call('DELETE', `/v1/keys/${created.key.id}`, h.adminKey);
      const res = await h.call('POST', '/v1/verify', undefined, { key: 'kw_test_' + 'q'.repeat(32) });
      expect(res.json()).toMatchObject({ valid: false });
      expect(['MALFORMED', 'NOT_FOUND']).toContain(res.json().code);
    });

    it('does not accept a key of another deployment prefix', async () => {
      const created = await h.createKey({ name: 's-3' });
      const other = 'zz' + created.secret.slice(2);
      expect((await h.call('POST', '/v1/verify', undefined, { key: other })).json().code).toBe('MALFORMED');
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      const created = await h.createKey({ name: 's-4', allowedCidrs: ['198.51.100.0/24'] });
      const spoofed = await forward(created.secret, { 'x-forwarded-for': '198.51.100.9' });
      expect(spoofed.statusCode).toBe(403);
      expect(spoofed.headers['x-keywarden-verify-code']).toBe('IP_NOT_ALLOWED');
    });

    it('never answers a valid verdict for a revoked, disabled or rotated-out secret through forward-auth', async () => {
      const revoked = await h.createKey({ name: 's-5' });
      await h.call('DELETE', `/v1/keys/${revoked.key.id}`, h.adminKey);
      const disabled = await h.createKey({ name: 's-6', enabled: false });
      const rotated = await h.createKey({ name: 's-7' });
      await h.call('POST', `/v1/keys/${rotated.key.id}/rotate`, h.adminKey, { overlap: '0s' });
      for (const secret of [revoked.secret, disabled.secret, rotated.secret]) {
        const res = await forward(secret);
        expect(res.statusCode).toBe(401);
        expect(res.body).not.toContain(secret);
      }
    });

    it('refuses a secret at once after every change made through this process, though its valid answer was cached', async () => {
      const verify = async (key: string) => (await h.call('POST', '/v1/verify', undefined, { key })).json().code;
      const keys = await Promise.all(['c-1', 'c-2', 'c-3', 'c-4', 'c-5'].map((name) => h.createKey({ name, scopes: ['invoices:read'] })));
      for (const k of keys) expect(await verify(k.secret)).toBe('VALID');
      const [revoked, disabled, rotated, versionRevoked, promoted] = keys as [typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0]];
      await h.call('DELETE', `/v1/keys/${revoked.key.id}`, h.adminKey);
      await h.call('PATCH', `/v1/keys/${disabled.key.id}`, h.adminKey, { enabled: false });
      await h.call('POST', `/v1/keys/${rotated.key.id}/rotate`, h.adminKey, { overlap: '0s' });
      await h.call('DELETE', `/v1/keys/${versionRevoked.key.id}/versions/${versionRevoked.version.id}`, h.adminKey);
      const pending = (await h.call('POST', `/v1/keys/${promoted.key.id}/rotate`, h.adminKey, { promotion: 'deferred' })).json();
      await h.call('POST', `/v1/keys/${promoted.key.id}/versions/${pending.version.id}/promote`, h.adminKey, { overlap: '0s' });
      expect(await verify(revoked.secret)).toBe('REVOKED');
      expect(await verify(disabled.secret)).toBe('DISABLED');
      expect(await verify(rotated.secret)).toBe('REVOKED');
      expect(await verify(versionRevoked.secret)).toBe('REVOKED');
      expect(await verify(promoted.secret)).toBe('REVOKED');
      // A scope removed is missing at once too.
      const scoped = await h.createKey({ name: 'c-6', scopes: ['invoices:read'] });
      const check = async () => (await h.call('POST', '/v1/verify', undefined, { key: scoped.secret, requiredScopes: ['invoices:read'] })).json().code;
      expect(await check()).toBe('VALID');
      await h.call('PATCH', `/v1/keys/${scoped.key.id}`, h.adminKey, { scopes: [] });
      expect(await check()).toBe('INSUFFICIENT_SCOPE');
    });

    it('answers 400 to a verify body with a bad ip, unknown fields or a non-string key — never 5xx', async () => {
      const bodies = ['{"key":"x","ip":"999.1.1.1"}', '{"key":"x","extra":1}', '{"key":12}', '{}', 'null', '"key"', '{"key":"x","requiredScopes":"a"}'];
      for (const body of bodies) {
        const res = await h.request('POST', '/v1/verify', { headers: { 'content-type': 'application/json' }, body });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.requestId).toEqual(expect.any(String));
      }
    });

    it('audits verify failures of known keys without the secret', async () => {
      const created = await h.createKey({ name: 's-8', allowedCidrs: ['192.0.2.1/32'] });
      await h.call('POST', '/v1/verify', undefined, { key: created.secret, ip: '192.0.2.2' });
      const audit = (await h.call('GET', `/v1/audit?action=verify.failure&keyId=${created.key.id}`, h.adminKey));
      expect(audit.json().items[0]).toMatchObject({ outcome: 'failure', details: { code: 'IP_NOT_ALLOWED' } });
      expect(audit.body).not.toContain(created.secret);
    });
  },
  {},
);

// Client-address resolution does not touch storage: SQLite is enough.
describe('verify behind a trusted proxy (sqlite)', () => {
  const h = useService('sqlite', { trustedProxies: ['127.0.0.1/32', '::1'] });
  it('uses the right-most untrusted X-Forwarded-For hop as the client address', async () => {
      const created = await h.createKey({ name: 'p-1', allowedCidrs: ['198.51.100.0/24'] });
      const call = (xff: string) => h.request('GET', '/v1/verify', { headers: { 'x-api-key': created.secret, 'x-forwarded-for': xff } });
      expect((await call('198.51.100.7')).statusCode).toBe(200);
      // The client wrote the left hop itself; the proxy appended the real address.
      expect((await call('198.51.100.7, 203.0.113.50')).statusCode).toBe(403);
      expect((await call('203.0.113.50, 198.51.100.7')).statusCode).toBe(200);
  });
});
