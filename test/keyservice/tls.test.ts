// TLS: with tlsCertFile/tlsKeyFile the service speaks HTTPS only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createKeyService } from '../../src/keyservice/index.js';
import type { KeyService } from '../../src/keyservice/index.js';
import { describeWith } from '../support/prerequisite.js';
import { PEPPER } from './support/harness.js';

function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'openssl not found on PATH (apt-get install openssl); it makes the test certificate';
  }
}

describeWith(opensslMissing())('key service over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-tls-'));
  let service: KeyService;
  let url: string;

  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    service = await createKeyService({
      databaseUrl: ':memory:', pepper: PEPPER, logLevel: 'silent', port: 0,
      tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem'),
    });
    url = await service.listen();
  }, 30_000);

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(dir, 'cert.pem'));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${url}/healthz`, { ca }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ status: 'ok' });
  });

  it('refuses plain HTTP on the TLS port', async () => {
    const plain = url.replace('https://', 'http://');
    await expect(fetch(`${plain}/healthz`)).rejects.toThrow();
  });
});
