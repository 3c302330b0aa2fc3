import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { Transport } from '../../src/client/transport.js';
import { describeWith } from '../support/prerequisite.js';

function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'openssl not found on PATH (apt-get install openssl); it makes the test certificate';
  }
}

describeWith(opensslMissing())('client transport: TLS', () => {
  let dir: string;
  let app: FastifyInstance;
  let endpoint: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    app = Fastify({ https: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } });
    app.get('/healthz', async () => ({ status: 'ok' }));
    endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a certificate from an unknown CA by default', async () => {
    const t = new Transport({ endpoint, retry: { retries: 0 } });
    const err = await t.request({ method: 'GET', path: '/healthz', idempotent: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('trusts the service when given its CA file', async () => {
    const t = new Transport({ endpoint, tls: { caFile: join(dir, 'cert.pem') }, retry: { retries: 0 } });
    const res = await t.request<{ status: string }>({ method: 'GET', path: '/healthz', idempotent: true });
    expect(res.body.status).toBe('ok');
    await t.close();
  });

  it('skips verification only when insecureSkipVerify is set', async () => {
    const t = new Transport({ endpoint, tls: { insecureSkipVerify: true }, retry: { retries: 0 } });
    const res = await t.request<{ status: string }>({ method: 'GET', path: '/healthz', idempotent: true });
    expect(res.body.status).toBe('ok');
    await t.close();
  });
});
