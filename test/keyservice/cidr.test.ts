import { describe, expect, it } from '@jest/globals';
import { CidrSet, invalidCidrs, parseCidr } from '../../src/keyservice/cidr.js';
import { ClientIpResolver } from '../../src/keyservice/client-ip.js';

describe('CIDR allowlists', () => {
  const set = new CidrSet(['10.0.0.0/8', '203.0.113.5', '2001:db8::/32', '::ffff:192.0.2.0/120']);

  it('matches IPv4 ranges and single addresses', () => {
    expect(set.contains('10.200.3.4')).toBe(true);
    expect(set.contains('11.0.0.1')).toBe(false);
    expect(set.contains('203.0.113.5')).toBe(true);
    expect(set.contains('203.0.113.6')).toBe(false);
  });

  it('matches IPv6 ranges', () => {
    expect(set.contains('2001:db8:ffff::1')).toBe(true);
    expect(set.contains('2001:db9::1')).toBe(false);
  });

  it('treats IPv4-mapped IPv6 addresses and ranges as IPv4', () => {
    expect(set.contains('::ffff:10.1.2.3')).toBe(true);
    expect(set.contains('192.0.2.200')).toBe(true);
    expect(set.contains('::ffff:192.0.2.200')).toBe(true);
    expect(set.contains('192.0.3.1')).toBe(false);
    expect(parseCidr('::ffff:192.0.2.0/120')?.[1]).toBe(24);
  });

  it('never matches garbage and lists every invalid entry', () => {
    expect(set.contains('not-an-ip')).toBe(false);
    expect(set.contains('')).toBe(false);
    expect(invalidCidrs(['10.0.0.0/8', '10.0.0.0/33', '::/129', 'x', '1.2.3'])).toEqual(['10.0.0.0/33', '::/129', 'x', '1.2.3']);
  });
});

describe('client address behind proxies', () => {
  const resolver = new ClientIpResolver(['10.0.0.0/8']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolver.resolve('198.51.100.1', '203.0.113.9')).toBe('198.51.100.1');
  });

  it('takes the right-most hop that is not a trusted proxy', () => {
    expect(resolver.resolve('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.3')).toBe('203.0.113.9');
    expect(resolver.resolve('::ffff:10.0.0.2', ['1.1.1.1', '203.0.113.9'])).toBe('203.0.113.9');
  });

  it('falls back to the peer when the chain holds garbage, and normalizes mapped addresses', () => {
    expect(resolver.resolve('10.0.0.2', 'garbage')).toBe('10.0.0.2');
    expect(resolver.resolve('::ffff:198.51.100.1', undefined)).toBe('198.51.100.1');
    expect(new ClientIpResolver([]).resolve('10.0.0.2', '203.0.113.9')).toBe('10.0.0.2');
  });
});
