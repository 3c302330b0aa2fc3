// The VALID answer of POST /v1/verify is sent as JSON text built by validResultJson (the part
// that depends only on the key serialized once per cached lookup). It must be the very bytes
// the route's response schema makes of verifyResult: checked here against fastify's own
// serializer for that schema, over arbitrary keys (names and limits with quotes, backslashes,
// control characters and non-ASCII text; numbers, booleans), and for a key answered twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import type { KeyCheck } from '../../src/keyservice/key-check.js';
import { verifyResultSchema } from '../../src/keyservice/schemas.js';
import type { DigestMatch } from '../../src/keyservice/store/store.js';
import { validResultJson, verifyResult } from '../../src/keyservice/verify-result.js';

describe('validResultJson', () => {
  let app: FastifyInstance;
  let url: string;
  let current: KeyCheck;

  beforeAll(async () => {
    app = Fastify();
    app.get('/', { schema: { response: { 200: verifyResultSchema } } }, () => verifyResult(current));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  /** What fastify sends for verifyResult(check) through the schema. */
  async function schemaBytes(check: KeyCheck): Promise<string> {
    current = check;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  }

  const text = fc.string({ unit: 'binary', maxLength: 24 });
  const limitValue = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
  const match = fc.record({
    id: text,
    accountId: text,
    environment: text,
    mode: fc.constantFrom('live' as const, 'test' as const),
    scopes: fc.array(text, { maxLength: 5 }),
    limits: fc.dictionary(text, limitValue, { maxKeys: 4 }),
  }).map((k) => ({ key: k, version: {}, account: {} }) as unknown as DigestMatch);
  const rateLimit = fc.record({
    allowed: fc.constant(true),
    limit: fc.integer({ min: 1, max: 2 ** 31 }),
    remaining: fc.nat(),
    resetAt: fc.integer({ min: 0, max: 2 ** 50 }),
  });

  it('gives the same bytes as the response schema, for any key and rate limit', async () => {
    await fc.assert(
      fc.asyncProperty(match, rateLimit, rateLimit, async (m, first, second) => {
        // The same match twice: the second answer reuses the key's part, with its own rate limit.
        for (const rl of [first, second]) {
          const check = { code: 'VALID', match: m, rateLimit: rl } as const;
          expect(validResultJson(check)).toBe(await schemaBytes(check));
        }
      }),
      { numRuns: 300 },
    );
  });
});
