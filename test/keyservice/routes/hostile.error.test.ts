// Hostile input at the HTTP boundary: every answer is a catalog error (never a 5xx, never
// fastify's own body shape), and nothing is accepted without a valid key.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import { useService } from '../support/harness.js';

describe('hostile requests (sqlite)', () => {
  const h = useService('sqlite', { logLevel: 'warn' });

  it('answers every malformed request with a catalog error body', async () => {
    const auth = { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' };
    const cases: Array<[string, string, Record<string, string>, string | undefined, number]> = [
      ['POST', '/v1/keys', auth, '{"__proto__":{"x":1},"name":"a","environment":"b"}', 400],
      ['POST', '/v1/keys', auth, '{"constructor":{"prototype":{"x":1}},"name":"a","environment":"b"}', 400],
      ['GET', '/v1/keys/%E0%A4%A', auth, undefined, 400],
      ['GET', `/v1/keys/${'a'.repeat(5000)}`, auth, undefined, 400],
      ['GET', '/v1/keys?limit=1&limit=2', auth, undefined, 400],
      ['GET', '/v1/keys?environment[a]=1', auth, undefined, 400],
      ['GET', '/v1/audit?since=yesterday', auth, undefined, 400],
      ['POST', '/v1/keys/x/rotate', auth, '', 400],
      ['POST', '/v1/verify', { 'content-type': 'application/json' }, `{"key":"kw_live_${'a'.repeat(1020)}"}`, 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'm', environment: 'e', metadata: { a: { b: 1 } } }), 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'l', environment: 'e', limits: { 'Bad Key': 1 } }), 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'x', environment: 'e', expiresAt: '2099-13-45T00:00:00Z' }), 400],
      ['POST', '/v1/keys', auth, JSON.stringify({ name: 'x', environment: 'e', enabled: 'true' }), 400],
    ];
    for (const [method, path, headers, body, status] of cases) {
      const res = await h.request(method, path, { headers, ...(body === undefined ? {} : { body }) });
      expect([method, path.slice(0, 40), res.statusCode]).toEqual([method, path.slice(0, 40), status]);
      expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String), requestId: res.headers['x-request-id'] });
    }
  });

  it('never accepts a request, nor fails with a 5xx, for arbitrary credentials', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/v1/keys'],
      ['GET', '/v1/whoami'],
      ['POST', '/v1/keys'],
      ['GET', '/v1/audit'],
      ['GET', '/v1/verify'],
    ];
    const credential = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => ({ authorization: `Bearer ${s}` })),
      fc.string({ maxLength: 80 }).map((s) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` })),
      fc.string({ maxLength: 80 }).map((s) => ({ 'x-api-key': s })),
      fc.stringMatching(/^kw_(live|test)_[0-9A-Za-z]{32}$/).map((s) => ({ 'x-api-key': s })),
    );
    await fc.assert(
      fc.asyncProperty(credential, fc.constantFrom(...routes), async (headers, [method, path]) => {
        const safe = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(/[^\x20-\x7e]/g, '')]));
        const res = await h.request(method, path, { headers: { ...safe, 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('clients that trickle a request (sqlite)', () => {
  const h = useService('sqlite', { logLevel: 'warn', requestTimeoutMs: 1000 });

  /** Opens a connection, writes `start`, then one more byte every 100 ms; resolves with what the server sent once it closed the connection. */
  function trickle(start: string): Promise<{ answer: string; bytesSent: number }> {
    const { hostname, port } = new URL(h.url);
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ host: hostname, port: Number(port) });
      let answer = '';
      let bytesSent = 0;
      let timer: NodeJS.Timeout | undefined;
      // A bound of its own: the test fails (instead of hanging) if the server never closes.
      const giveUp = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server kept the connection open for 20 s (sent ${bytesSent} bytes)`));
      }, 20_000);
      socket.on('connect', () => {
        socket.write(start);
        bytesSent = start.length;
        timer = setInterval(() => {
          if (!socket.writable) return;
          socket.write('a');
          bytesSent++;
        }, 100);
      });
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        resolve({ answer, bytesSent });
      });
    });
  }

  /** A raw HTTP answer: the status line, and the catalog body with its request id. */
  function expectCatalogAnswer(answer: string, status: number, code: string): void {
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const requestId = /x-request-id: (\S+)/i.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual({ error: { code, message: expect.any(String), requestId, docs: expect.stringContaining(`#error-${code}`) } });
  }

  it('answers 408 and closes the connection of a client that never finishes its headers', async () => {
    const { answer } = await trickle('GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expectCatalogAnswer(answer, 408, 'request_timeout');
  }, 30_000);

  it('answers 408 and closes the connection of a client that never finishes its body', async () => {
    const { answer } = await trickle(`POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n{"key":"`);
    expectCatalogAnswer(answer, 408, 'request_timeout');
  }, 30_000);

  it('answers bytes that are not HTTP, and oversized headers, with catalog errors and closes the connection', async () => {
    expectCatalogAnswer((await trickle('HELLO THERE\r\n\r\n')).answer, 400, 'malformed_request');
    expectCatalogAnswer((await trickle(`GET /v1/whoami HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`)).answer, 431, 'headers_too_large');
  }, 30_000);

  it('still serves a client that sends its request in time', async () => {
    expect((await h.request('GET', '/healthz')).statusCode).toBe(200);
  });
});

