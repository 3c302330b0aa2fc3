import { describe, expect, it } from '@jest/globals';
import { DEFAULTS, LIMITS, VERIFY_STALENESS_FACTOR, resolveOptions } from '../../src/keyservice/options.js';
import { parseRateLimit, serveOptions } from '../../src/cli/commands/serve.js';

describe('key service options', () => {
  it('fills every default from one place', () => {
    const o = resolveOptions({ pepper: 'p'.repeat(16) });
    expect(o).toMatchObject({ host: DEFAULTS.host, port: 8420, keyPrefix: 'kw', defaultRateLimit: { requests: 10_000, perSeconds: 3600 } });
  });

  it('bounds the key change poll so a revocation through another replica is seen everywhere within 1 s', () => {
    const slow = resolveOptions({ pepper: 'p'.repeat(16), keyChangePollMs: 10_000, verifyCacheTtlMs: 10_000_000 });
    expect(slow.keyChangePollMs).toBe(LIMITS.keyChangePollMsMax);
    expect(VERIFY_STALENESS_FACTOR * slow.keyChangePollMs).toBeLessThanOrEqual(1000);
    expect(slow.verifyCacheTtlMs).toBe(LIMITS.verifyCacheTtlMsMax);
    expect(resolveOptions({ pepper: 'p'.repeat(16), keyChangePollMs: 0 }).keyChangePollMs).toBe(LIMITS.keyChangePollMsMin);
  });

  it('lists every problem at once', () => {
    expect(() => resolveOptions({ pepper: 'short', keyPrefix: 'Bad_Prefix', port: 70000, logLevel: 'loud', tlsCertFile: 'c.pem' })).toThrow(
      /pepper[\s\S]*keyPrefix[\s\S]*port[\s\S]*tls[\s\S]*logLevel/,
    );
  });
});

describe('keywarden serve options', () => {
  it('maps flags and KEYWARDEN_* variables onto the options, flags first', () => {
    const { options, problems } = serveOptions(
      { port: '0', trustedProxy: ['10.0.0.0/8'], rateLimit: '500/1m' },
      { KEYWARDEN_PEPPER: 'q'.repeat(20), KEYWARDEN_PORT: '9999', KEYWARDEN_DATABASE_URL: 'sqlite:/tmp/x.db', KEYWARDEN_TRUSTED_PROXIES: '1.2.3.4' },
    );
    expect(problems).toEqual([]);
    expect(options).toMatchObject({ port: 0, databaseUrl: 'sqlite:/tmp/x.db', trustedProxies: ['10.0.0.0/8'], defaultRateLimit: { requests: 500, perSeconds: 60 } });
  });

  it('reports a missing pepper, a bad port and a bad rate limit together', () => {
    const { options, problems } = serveOptions({ port: 'eighty', rateLimit: 'lots' }, {});
    expect(options).toBeUndefined();
    expect(problems).toHaveLength(3);
  });

  it('takes the request deadline in seconds from --request-timeout or KEYWARDEN_REQUEST_TIMEOUT, and refuses less than one second', () => {
    const pepper = { KEYWARDEN_PEPPER: 'q'.repeat(20) };
    expect(serveOptions({ requestTimeout: '5' }, pepper).options).toMatchObject({ requestTimeoutMs: 5000 });
    expect(serveOptions({}, { ...pepper, KEYWARDEN_REQUEST_TIMEOUT: '120' }).options).toMatchObject({ requestTimeoutMs: 120_000 });
    expect(serveOptions({}, pepper).options!.requestTimeoutMs).toBeUndefined();
    for (const bad of ['0', '0.5', 'soon']) expect(serveOptions({ requestTimeout: bad }, pepper).problems).toEqual([`--request-timeout ${bad}: a whole number of seconds, at least 1`]);
    expect(() => resolveOptions({ pepper: 'q'.repeat(20), requestTimeoutMs: 999 })).toThrow(/requestTimeoutMs/);
  });

  it('parses rate limits like 10000/1h and 5/s', () => {
    expect(parseRateLimit('10000/1h')).toEqual({ requests: 10_000, perSeconds: 3600 });
    expect(parseRateLimit('5/s')).toEqual({ requests: 5, perSeconds: 1 });
    expect(parseRateLimit('5 per hour')).toBeUndefined();
  });
});
