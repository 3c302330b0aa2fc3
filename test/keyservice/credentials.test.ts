import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readPresentedKey } from '../../src/keyservice/credentials.js';

const KEY = 'kw_live_0123456789abcdefghijklmnopqrstuv';
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('reading the presented key', () => {
  it('reads Bearer, X-API-Key and Basic with an empty or absent password', () => {
    expect(readPresentedKey({ authorization: `Bearer ${KEY}` })).toEqual({ key: KEY });
    expect(readPresentedKey({ authorization: `bearer   ${KEY}  ` })).toEqual({ key: KEY });
    expect(readPresentedKey({ 'x-api-key': KEY })).toEqual({ key: KEY });
    expect(readPresentedKey({ authorization: basic(`${KEY}:`) })).toEqual({ key: KEY });
    expect(readPresentedKey({ authorization: basic(KEY) })).toEqual({ key: KEY });
  });

  it('reports a missing key', () => {
    expect(readPresentedKey({})).toEqual({ missing: true });
  });

  it('refuses ambiguous or malformed credentials', () => {
    for (const headers of [
      { authorization: `Bearer ${KEY}`, 'x-api-key': KEY },
      { authorization: basic(`${KEY}:password`) },
      { authorization: `Digest ${KEY}` },
      { authorization: 'Bearer ' },
      { authorization: 'Basic %%%' },
      { 'x-api-key': [KEY, KEY] as unknown as string },
      { authorization: `Bearer ${'a'.repeat(300)}` },
    ]) {
      expect(readPresentedKey(headers)).toHaveProperty('malformed');
    }
  });

  it('never throws and never echoes the header in its reason, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (authorization, apiKey) => {
        const a = readPresentedKey({ authorization });
        const b = readPresentedKey({ 'x-api-key': apiKey });
        for (const r of [a, b]) {
          if ('malformed' in r && authorization.length > 8) expect(r.malformed).not.toContain(authorization);
        }
      }),
    );
  });
});
