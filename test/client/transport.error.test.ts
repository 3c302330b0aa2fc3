import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { KeywardenApiError } from '../../src/client/api-error.js';
import { Transport } from '../../src/client/transport.js';

const SECRET = 'kw_live_4QzX9bT0s3cR3tV4lu3ShouldNeverLeak12';

describe('client transport: error mapping', () => {
  let app: FastifyInstance;
  let endpoint: string;

  beforeAll(async () => {
    app = Fastify();
    // A careless service (or proxy) that echoes credentials back in its error message.
    app.post('/echo', async (req, reply) =>
      reply.code(400).send({
        error: {
          code: 'validation_failed',
          message: `bad request from ${req.headers.authorization} about ${(req.body as { key: string }).key}`,
          requestId: 'r-echo',
        },
      }),
    );
    app.get('/html', async (_req, reply) => reply.code(502).type('text/html').send('<h1>Bad Gateway</h1>'));
    app.get('/slow', async () => {
      await new Promise((r) => setTimeout(r, 600));
      return {};
    });
    app.get('/rid', async (_req, reply) =>
      reply.code(404).header('x-request-id', 'from-header').send({ error: { code: 'not_found', message: 'gone' } }),
    );
    endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('never puts the API key or a verified key into an error message', async () => {
    const t = new Transport({ endpoint, apiKey: SECRET, retry: { retries: 0 } });
    const other = 'kw_test_anotherSecretThatIsVerified0000001';
    const err = (await t
      .request({ method: 'POST', path: '/echo', body: { key: other }, idempotent: true, secrets: [other] })
      .catch((e: unknown) => e)) as KeywardenApiError;
    expect(err).toBeInstanceOf(KeywardenApiError);
    expect(err.code).toBe('validation_failed');
    expect(err.requestId).toBe('r-echo');
    const everything = `${err.message} ${err.stack} ${JSON.stringify(err)}`;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(other);
    expect(err.message).toContain('[redacted]');
  });

  it('maps an answer without a Keywarden error body to unexpected_response', async () => {
    const t = new Transport({ endpoint, retry: { retries: 0 } });
    const err = await t.request({ method: 'GET', path: '/html', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, code: 'unexpected_response' });
  });

  it('reports a timeout as status 0 with code timeout', async () => {
    const t = new Transport({ endpoint, timeoutMs: 100, retry: { retries: 0 } });
    const err = await t.request({ method: 'GET', path: '/slow', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'timeout', attempts: 1 });
  });

  it('takes the request id from X-Request-Id when the body has none', async () => {
    const t = new Transport({ endpoint, retry: { retries: 0 } });
    const err = await t.request({ method: 'GET', path: '/rid', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: 'not_found', requestId: 'from-header' });
  });

  it('rejects endpoints that are not http or https', () => {
    expect(() => new Transport({ endpoint: 'ftp://127.0.0.1/' })).toThrow(/http/);
  });
});
