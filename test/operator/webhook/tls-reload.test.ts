// The webhook's serving certificate is re-read when its files change (a renewed Secret); a pair
// that does not load is refused and the previous certificate stays in use.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { generateCertificate } from '../../../src/provider/plugin/certificate.js';
import { createWebhookServer } from '../../../src/operator/webhook/index.js';
import { certificateDir } from './webhook-harness.js';

/** The certificate the server presents to a new connection, as PEM-less DER base64. */
function servedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw.toString('base64');
      socket.end();
      resolve(raw);
    });
    socket.on('error', reject);
  });
}

const derOf = (pem: string): string => pem.replace(/-----[^-]+-----|\s/g, '');

async function eventually(check: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('webhook TLS files', () => {
  const files = certificateDir();

  afterAll(() => files.remove());

  it('refuses to start when a file is missing, naming it', () => {
    expect(() => createWebhookServer({ mode: 'Fail', certFile: `${files.dir}/nope.crt`, keyFile: files.keyFile })).toThrow(/cannot read the webhook certificate .*nope\.crt: ENOENT/);
  });

  it('refuses to start when the key does not belong to the certificate', () => {
    const other = certificateDir();
    try {
      expect(() => createWebhookServer({ mode: 'Fail', certFile: files.certFile, keyFile: other.keyFile })).toThrow(/do not make a TLS pair/);
    } finally {
      other.remove();
    }
  });

  describe('a running server', () => {
    const server = createWebhookServer({ mode: 'Fail', certFile: files.certFile, keyFile: files.keyFile, host: '127.0.0.1', port: 0, tlsReloadIntervalMs: 20 });
    let port = 0;

    beforeAll(async () => {
      port = Number(new URL(await server.listen()).port);
    });
    afterAll(async () => {
      await server.close();
    });

    it('serves the renewed certificate once the files change', async () => {
      expect(await servedCertificate(port)).toBe(derOf(files.certPem));
      const renewed = generateCertificate({ hostname: 'localhost' });
      writeFileSync(files.keyFile, renewed.keyPem);
      writeFileSync(files.certFile, renewed.certPem);
      await eventually(async () => (await servedCertificate(port)) === derOf(renewed.certPem), 'the renewed certificate is served');
    });

    it('keeps the certificate in use when the new files do not load', async () => {
      const before = await servedCertificate(port);
      writeFileSync(files.certFile, 'not a certificate');
      expect(server.reloadTls()).toBe(false);
      expect(await servedCertificate(port)).toBe(before);
    });
  });
});
