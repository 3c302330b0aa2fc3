import { describe, expect, it } from '@jest/globals';
import { cidrProblem, codeFrame, cronProblem, didYouMean, formatPath, levenshtein, parseDuration } from '../../src/spec/index.js';

describe('durations', () => {
  it.each([
    ['45s', 45],
    ['90m', 5400],
    ['24h', 86400],
    ['30d', 2592000],
    ['2w', 1209600],
    ['0s', 0],
  ])('parses %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ text, seconds });
  });

  it.each(['30', '30 d', '1h30m', '1y', '-1d', '1.5h', 'd', '30D', ''])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('CIDRs', () => {
  it.each(['203.0.113.0/24', '0.0.0.0/0', '10.0.0.1/32', '2001:db8::/32', '::/0', 'fe80::1/128'])('accepts %s', (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });

  it.each([
    ['10.0.0.1/8', '"10.0.0.1/8" has host bits set; the network is 10.0.0.0/8'],
    ['10.0.0.0/33', '"10.0.0.0/33" has a bad prefix length: "33" is not an integer from 0 to 32'],
    ['10.0.0.0/', '"10.0.0.0/" has a bad prefix length: "" is not an integer from 0 to 32'],
    ['2001:db8::/129', '"2001:db8::/129" has a bad prefix length: "129" is not an integer from 0 to 128'],
    ['0x7f.0.0.1/8', '"0x7f.0.0.1/8" is not a CIDR network: "0x7f.0.0.1" is not an IPv4 or IPv6 address'],
    ['10.0.0/8', '"10.0.0/8" is not a CIDR network: "10.0.0" is not an IPv4 or IPv6 address'],
    ['::1', '"::1" has no prefix length; write ::1/128 for a single address'],
    ['example.com', '"example.com" is not a CIDR network (e.g. 203.0.113.0/24)'],
  ])('refuses %s', (cidr, problem) => {
    expect(cidrProblem(cidr)).toBe(problem);
  });
});

describe('cron schedules', () => {
  it.each(['0 3 * * 0', '*/15 * * * *', '0 0 1 1-12/3 *', '30 2 * * MON-FRI'])('accepts %j', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  it.each(['0 3 * *', '0 0 3 * * 0', '@daily', '', '61 * * * *', '0 25 * * *', '0 3 * * 8'])('refuses %j', (expression) => {
    expect(cronProblem(expression)).toEqual(expect.any(String));
  });
});

describe('did you mean', () => {
  it('measures edit distance', () => {
    expect(levenshtein('scops', 'scopes')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
  });

  it('suggests near misses, abbreviations and reworded endings, and nothing for unrelated words', () => {
    const fields = ['owner', 'scopes', 'expiresAfter', 'rotation', 'allowedCidrs'];
    expect(didYouMean('Owner', fields)).toBe('owner');
    expect(didYouMean('rotaton', fields)).toBe('rotation');
    expect(didYouMean('expiresIn', fields)).toBe('expiresAfter');
    expect(didYouMean('allowed', fields)).toBe('allowedCidrs');
    expect(didYouMean('prod', ['production', 'staging'])).toBe('production');
    expect(didYouMean('colour', fields)).toBeUndefined();
  });
});

describe('field paths', () => {
  it('formats keys, indices and keys that need quoting', () => {
    expect(formatPath(['spec', 'environments', 'production', 'scopes', 1])).toBe('spec.environments.production.scopes[1]');
    expect(formatPath(['spec', 'limits', 'max.payout'])).toBe('spec.limits["max.payout"]');
    expect(formatPath([])).toBe('');
  });
});

describe('code frames', () => {
  const source = ['a: 1', 'b: 2', 'c: [x, y]', 'd: 4', 'e: 5', 'f: 6'].join('\n');

  it('shows two lines either side with a caret under the column', () => {
    expect(codeFrame(source, 3, 8)).toBe(['  1 | a: 1', '  2 | b: 2', '> 3 | c: [x, y]', '    |        ^', '  4 | d: 4', '  5 | e: 5'].join('\n'));
  });

  it('clips at the start of the file and widens the gutter for long files', () => {
    expect(codeFrame(source, 1, 1)).toBe(['> 1 | a: 1', '    | ^', '  2 | b: 2', '  3 | c: [x, y]'].join('\n'));
    const long = Array.from({ length: 12 }, (_, i) => `k${i + 1}: v`).join('\n');
    expect(codeFrame(long, 10, 2).split('\n')[0]).toBe('   8 | k8: v');
  });

  it('is empty for a line outside the source', () => {
    expect(codeFrame(source, 99, 1)).toBe('');
  });
});
