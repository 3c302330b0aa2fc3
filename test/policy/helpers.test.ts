import { describe, expect, it } from '@jest/globals';
import { longestCronInterval } from '../../src/policy/cron-interval.js';
import { scopeMatches } from '../../src/policy/scope-pattern.js';
import { findSecret, shannonEntropy } from '../../src/policy/secret-scan.js';

const SCAN = { minLength: 32, minEntropy: 4 };

describe('secret scanning', () => {
  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('0123456789abcdef')).toBe(4);
  });

  it('finds known token formats inside longer text and shows only a prefix', () => {
    expect(findSecret('rotated: kw_live_9fJ2kLm0Qx7RtY3p', SCAN)).toEqual({ kind: 'a live Keywarden key', preview: 'kw_live_…' });
    expect(findSecret('-----BEGIN RSA PRIVATE KEY-----', SCAN)?.kind).toBe('a private key');
    expect(findSecret('ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', SCAN)?.preview).toBe('ghp_…');
  });

  it('ignores test keys, publishable keys and ordinary long values', () => {
    expect(findSecret('kw_test_9fJ2kLm0Qx7RtY3p', SCAN)).toBeUndefined();
    expect(findSecret('pk_live_9fJ2kLm0Qx7RtY3p', SCAN)).toBeUndefined();
    expect(findSecret('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/order-bot', SCAN)).toBeUndefined();
    expect(findSecret('The order bot creates invoices and pays out refunds through billing.', SCAN)).toBeUndefined();
  });
});

describe('cron intervals', () => {
  it('is the longest gap between two runs', () => {
    expect(longestCronInterval('0 3 * * 0')).toBe(7 * 86_400);
    expect(longestCronInterval('0 * * * *')).toBe(3_600);
    expect(longestCronInterval('0 0 1 * *')).toBe(31 * 86_400);
    // Every five minutes on Mondays only: the weekly gap dominates.
    expect(longestCronInterval('*/5 * * * 1')).toBe(6 * 86_400 + 5 * 60);
  });

  it('is undefined for an expression that does not parse', () => {
    expect(longestCronInterval('not a schedule')).toBeUndefined();
  });
});

describe('scope patterns', () => {
  it('match in both directions', () => {
    expect(scopeMatches('admin.users', 'admin.*')).toBe(true);
    expect(scopeMatches('*', 'keys:write')).toBe(true);
    expect(scopeMatches('*:write', 'keys:write')).toBe(true);
    expect(scopeMatches('*:read', 'keys:write')).toBe(false);
    expect(scopeMatches('administrator', 'admin')).toBe(false);
    expect(scopeMatches('admin.x', 'admin:*')).toBe(false);
  });
});
