// The provider talking to a key service behind HTTPS with a private CA: trusted through
// ca_file, refused without it (a clear diagnostic, nothing changed), accepted with insecure.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keywardenProvider } from '../../../src/provider/keywarden/index.js';
import { generateCertificate, type Schema } from '../../../src/provider/plugin/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { configuredServer, diagnosticsOf, dv } from './provider-server.js';

const scopesSchema = keywardenProvider.dataSources?.find((d) => d.typeName === 'keywarden_scopes')?.schema as Schema;
const readScopes = async (server: Awaited<ReturnType<typeof configuredServer>>) =>
  server.readDataSource({ type_name: 'keywarden_scopes', config: dv(scopesSchema, { include_management: null, names: null, scopes: null }) });

describe('provider TLS settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-provider-tls-'));
  const certFile = join(dir, 'cert.pem');
  let service: InProcessService;
  let endpoint = '';

  beforeAll(async () => {
    // Self-signed for "localhost": the certificate is its own CA.
    const certificate = generateCertificate();
    writeFileSync(certFile, certificate.certPem);
    writeFileSync(join(dir, 'key.pem'), certificate.keyPem);
    service = await startInProcessService({ tlsCertFile: certFile, tlsKeyFile: join(dir, 'key.pem') });
    endpoint = service.url.replace('127.0.0.1', 'localhost');
    expect(endpoint).toMatch(/^https:\/\/localhost:\d+/);
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the service through ca_file', async () => {
    const server = await configuredServer({ endpoint, api_key: service.adminKey, ca_file: certFile });
    expect(diagnosticsOf(await readScopes(server))).toEqual([]);
  });

  it('refuses the unknown certificate without ca_file, saying what to check', async () => {
    const server = await configuredServer({ endpoint, api_key: service.adminKey, retries: 0 });
    const [d] = diagnosticsOf(await readScopes(server));
    expect(d?.summary).toBe('Key service unreachable');
    expect(d?.detail).toContain('ca_file');
  });

  it('accepts it with insecure = true', async () => {
    const server = await configuredServer({ endpoint, api_key: service.adminKey, insecure: true });
    expect(diagnosticsOf(await readScopes(server))).toEqual([]);
  });
});
