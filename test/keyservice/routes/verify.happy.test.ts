import { expect, it } from '@jest/globals';
import { forEachBackend } from '../support/harness.js';

forEachBackend('verify', (h) => {
  it('answers VALID with the key identity, scopes, limits and rate limit state', async () => {
    const created = await h.createKey({
      name: 'v-1',
      mode: 'live',
      scopes: ['invoices:read', 'payouts:write'],
      limits: { max_payout: '55.00', currency: 'EUR' },
      rateLimit: { requests: 50, windowSeconds: 60 },
    });
    const res = await h.call('POST', '/v1/verify', undefined, { key: created.secret, requiredScopes: ['payouts:write'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      valid: true,
      code: 'VALID',
      keyId: created.key.id,
      account: h.accountId,
      environment: 'production',
      mode: 'live',
      scopes: ['invoices:read', 'payouts:write'],
      limits: { max_payout: '55.00', currency: 'EUR' },
      ratelimit: { limit: 50, remaining: 49, reset: expect.any(Number) },
    });
  });

  it('answers INSUFFICIENT_SCOPE naming the missing scopes', async () => {
    const created = await h.createKey({ name: 'v-2', scopes: ['invoices:read'] });
    const res = await h.call('POST', '/v1/verify', undefined, { key: created.secret, requiredScopes: ['invoices:read', 'payouts:write'] });
    expect(res.json()).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE', missingScopes: ['payouts:write'] });
    expect(res.json().scopes).toBeUndefined();
  });

  it('answers RATE_LIMITED after exactly the key’s limit of requests', async () => {
    const created = await h.createKey({ name: 'v-3', rateLimit: { requests: 3, windowSeconds: 3600 } });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await h.call('POST', '/v1/verify', undefined, { key: created.secret })).json().code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('answers DISABLED for a disabled key and VALID again once re-enabled', async () => {
    const created = await h.createKey({ name: 'v-4', enabled: false });
    expect((await h.call('POST', '/v1/verify', undefined, { key: created.secret })).json().code).toBe('DISABLED');
    await h.call('PATCH', `/v1/keys/${created.key.id}`, h.adminKey, { enabled: true });
    expect((await h.call('POST', '/v1/verify', undefined, { key: created.secret })).json().code).toBe('VALID');
  });

  it('checks allowlists with real CIDR matching for IPv4, IPv6 and IPv4-mapped IPv6', async () => {
    const created = await h.createKey({ name: 'v-5', allowedCidrs: ['203.0.113.0/24', '2001:db8:abcd::/48'] });
    const code = async (ip?: string) => (await h.call('POST', '/v1/verify', undefined, { key: created.secret, ...(ip ? { ip } : {}) })).json().code;
    expect(await code('203.0.113.77')).toBe('VALID');
    expect(await code('::ffff:203.0.113.77')).toBe('VALID');
    expect(await code('2001:db8:abcd:12::1')).toBe('VALID');
    expect(await code('203.0.114.1')).toBe('IP_NOT_ALLOWED');
    expect(await code('2001:db8:abce::1')).toBe('IP_NOT_ALLOWED');
    expect(await code('::ffff:198.51.100.1')).toBe('IP_NOT_ALLOWED');
    expect(await code(undefined)).toBe('IP_NOT_ALLOWED');
  });

  it('counts usage in memory and writes usageCount and lastUsedAt in a batch', async () => {
    const created = await h.createKey({ name: 'v-6' });
    for (let i = 0; i < 4; i++) await h.call('POST', '/v1/verify', undefined, { key: created.secret });
    const before = (await h.call('GET', `/v1/keys/${created.key.id}`, h.adminKey)).json();
    expect(before.usageCount).toBe(0);
    await h.service.flushUsage();
    const after = (await h.call('GET', `/v1/keys/${created.key.id}`, h.adminKey)).json();
    expect(after.usageCount).toBe(4);
    expect(after.lastUsedAt).not.toBeNull();
  });

  it('forward-auth answers 200 with X-Keywarden-* headers and RateLimit headers for a valid key', async () => {
    const created = await h.createKey({ name: 'v-7', scopes: ['invoices:read'], rateLimit: { requests: 10, windowSeconds: 60 } });
    const res = await h.request('GET', '/v1/verify?requiredScopes=invoices:read', { headers: { 'x-api-key': created.secret } });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'x-keywarden-key-id': created.key.id,
      'x-keywarden-account': h.accountId,
      'x-keywarden-scopes': 'invoices:read',
      'x-keywarden-verify-code': 'VALID',
      'ratelimit-limit': '10',
      'ratelimit-remaining': '9',
    });
  });

  it('forward-auth answers 401, 403 and 429 with the verify code in a header', async () => {
    const created = await h.createKey({ name: 'v-8', scopes: ['a:read'], rateLimit: { requests: 1, windowSeconds: 3600 } });
    const none = await h.request('GET', '/v1/verify');
    expect(none.statusCode).toBe(401);
    const scope = await h.request('GET', '/v1/verify?requiredScopes=b:write', { headers: { authorization: `Bearer ${created.secret}` } });
    expect(scope.statusCode).toBe(403);
    expect(scope.headers['x-keywarden-verify-code']).toBe('INSUFFICIENT_SCOPE');
    const ok = await h.request('GET', '/v1/verify', { headers: { authorization: `Bearer ${created.secret}` } });
    expect(ok.statusCode).toBe(200);
    const limited = await h.request('GET', '/v1/verify', { headers: { authorization: `Bearer ${created.secret}` } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limit_exceeded');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
  });

  it('counts verify outcomes by code in /metrics', async () => {
    await h.call('POST', '/v1/verify', undefined, { key: 'not-a-key' });
    const metrics = (await h.call('GET', '/metrics', undefined)).body;
    expect(metrics).toMatch(/keywarden_verify_outcomes_total\{code="MALFORMED"\} [1-9]/);
    expect(metrics).toMatch(/keywarden_verify_outcomes_total\{code="VALID"\} [1-9]/);
  });
}, { usageFlushIntervalMs: 3_600_000 });
