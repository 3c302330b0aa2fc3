// keywarden_api_key when things go wrong: bad configuration gets diagnostics at attribute
// paths; the key service down or answering 500 gets a clear diagnostic and state stays true
// to what exists; a delivery that fails takes the new key back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardenClient } from '../../../src/client/index.js';
import { configureProvider } from '../../../src/provider/keywarden/index.js';
import { Diagnostics } from '../../../src/provider/plugin/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { configuredServer, decode, diagnosticsOf, dv, keyObject, keySchema, newServer, pathOf, planAndCreate, providerLogLines } from './provider-server.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-provider-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('provider configuration', () => {
  it('reports a missing endpoint and API key at their attributes, naming the environment variables', async () => {
    const diagnostics = new Diagnostics();
    expect(await configureProvider({ endpoint: null, api_key: null }, diagnostics, {})).toBeUndefined();
    expect(diagnostics.items.map((d) => [d.summary, d.path])).toEqual([
      ['Missing key service endpoint', ['endpoint']],
      ['Missing API key', ['api_key']],
    ]);
    expect(diagnostics.items[0]?.detail).toContain('KEYWARDEN_ENDPOINT');
    expect(diagnostics.items[1]?.detail).toContain('KEYWARDEN_API_KEY');
  });

  it('takes endpoint and API key from KEYWARDEN_ENDPOINT and KEYWARDEN_API_KEY', async () => {
    const diagnostics = new Diagnostics();
    const data = await configureProvider({}, diagnostics, { KEYWARDEN_ENDPOINT: 'http://127.0.0.1:1', KEYWARDEN_API_KEY: 'kw_test_x' });
    expect(diagnostics.items).toEqual([]);
    expect(data?.endpoint).toBe('http://127.0.0.1:1');
    await data?.client.close();
  });

  it('rejects a malformed endpoint, retries out of range, a negative timeout and a missing CA file, each at its attribute', async () => {
    const diagnostics = new Diagnostics();
    await configureProvider({ endpoint: 'keys.example.com', api_key: 'k', retries: 2.5, timeout_seconds: -1, ca_file: join(dir, 'missing.pem') }, diagnostics, {});
    expect(diagnostics.items.map((d) => d.path)).toEqual([['endpoint'], ['retries'], ['timeout_seconds'], ['ca_file']]);
  });
});

describe('keywarden_api_key validation', () => {
  async function validate(fields: Parameters<typeof keyObject>[0]) {
    const response = await newServer().validateResourceConfig({ type_name: 'keywarden_api_key', config: dv(keySchema, keyObject({ name: 'k', environment: 'e', ...fields })) });
    return diagnosticsOf(response).map((d) => ({ summary: d.summary, path: pathOf(d) }));
  }

  it('points every mistake at its attribute, together', async () => {
    const found = await validate({
      name: 'bad name',
      scopes: ['invoices:read', 'keys:*'],
      allowed_cidrs: ['203.0.113.0/24', '300.1.1.1/8'],
      limits: { MaxPayout: '1' },
      expires_at: '2027-01-01T00:00:00Z',
      expires_after: 'a year',
      rate_limit: { requests: 0, per: '1 hour' },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { summary: 'Invalid name', path: ['name'] },
        { summary: 'Invalid scope', path: ['scopes'] },
        { summary: 'Invalid CIDR', path: ['allowed_cidrs'] },
        { summary: 'Invalid limit name', path: ['limits', { key: 'MaxPayout' }] },
        { summary: 'Invalid expires_after', path: ['expires_after'] },
        { summary: 'Invalid requests', path: ['rate_limit', 'requests'] },
        { summary: 'Invalid per', path: ['rate_limit', 'per'] },
        { summary: 'Conflicting expiry', path: ['expires_after'] },
      ]),
    );
    expect(found).toHaveLength(8);
  });

  it('refuses file delivery for a live key at the file block\'s path', async () => {
    expect(await validate({ mode: 'live', file: [{ path: '/tmp/a' }, { path: '/tmp/b' }] })).toEqual([
      { summary: 'File delivery needs a test key', path: ['file', 0, 'path'] },
      { summary: 'File delivery needs a test key', path: ['file', 1, 'path'] },
    ]);
  });

  it('accepts a complete, correct key', async () => {
    expect(
      await validate({ scopes: ['invoices:read'], allowed_cidrs: ['2001:db8::/32', '10.0.0.1'], expires_after: '365d', rate_limit: { requests: 10, per: '1h' }, file: [{ path: '/tmp/a' }] }),
    ).toEqual([]);
  });
});

describe('keywarden_api_key when the key service is down or failing', () => {
  let failing: Server;
  let failingUrl = '';
  let downUrl = '';
  const prior = keyObject({ id: 'key_123', name: 'k', environment: 'e', mode: 'test', key_prefix: 'kw_test_ab', current_version: 'ver_1', created_at: '2026-01-01T00:00:00.000Z' });

  beforeAll(async () => {
    failing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'x-request-id': 'req-500' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'The service failed.', requestId: 'req-500' } }));
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    downUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(() => new Promise<void>((resolve) => failing.close(() => resolve())));

  it('create with the service down: "Key service unreachable", nothing stored', async () => {
    const server = await configuredServer({ endpoint: downUrl, api_key: 'kw_test_admin', retries: 0 });
    const { apply, state } = await planAndCreate(server, keyObject({ name: 'k', environment: 'e' }));
    expect(state).toBeNull();
    const [d] = diagnosticsOf(apply);
    expect(d?.summary).toBe('Key service unreachable');
    expect(d?.detail).toContain(downUrl);
    expect(d?.detail).toContain('create key "k"');
  });

  it('refresh with the service answering 500 keeps the state as it was and names the request id', async () => {
    const server = await configuredServer({ endpoint: failingUrl, api_key: 'kw_test_admin', retries: 0 });
    const response = await server.readResource({ type_name: 'keywarden_api_key', current_state: dv(keySchema, prior) });
    expect(decode(keySchema, response.new_state)).toEqual(prior);
    const [d] = diagnosticsOf(response);
    expect(d?.summary).toBe('Key service error');
    expect(d?.detail).toContain('HTTP 500 internal_error');
    expect(d?.detail).toContain('req-500');
  });

  it('destroy with the service answering 500 keeps the key in state', async () => {
    const server = await configuredServer({ endpoint: failingUrl, api_key: 'kw_test_admin', retries: 0 });
    const response = await server.applyResourceChange({
      type_name: 'keywarden_api_key',
      prior_state: dv(keySchema, prior),
      planned_state: dv(keySchema, null),
      config: dv(keySchema, null),
    });
    expect(decode(keySchema, response.new_state)).toEqual(prior);
    expect(diagnosticsOf(response)[0]?.summary).toBe('Key service error');
  });

  it('update with the service down keeps the prior state', async () => {
    const server = await configuredServer({ endpoint: downUrl, api_key: 'kw_test_admin', retries: 0 });
    const planned = { ...prior, scopes: ['invoices:read'] };
    const response = await server.applyResourceChange({
      type_name: 'keywarden_api_key',
      prior_state: dv(keySchema, prior),
      planned_state: dv(keySchema, planned),
      config: dv(keySchema, planned),
    });
    expect(decode(keySchema, response.new_state)).toEqual(prior);
    expect(diagnosticsOf(response)[0]?.summary).toBe('Key service unreachable');
  });
});

describe('keywarden_api_key against a real key service', () => {
  let service: InProcessService;
  let client: KeywardenClient;
  beforeAll(async () => {
    service = await startInProcessService();
    client = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey });
  });
  afterAll(async () => {
    await client.close();
    await service.stop();
  });

  it('revokes the new key when its secret cannot be delivered, stores nothing, and leaks no secret', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, 'x');
    const server = await configuredServer({ endpoint: service.url, api_key: service.adminKey });
    const { apply, state } = await planAndCreate(server, keyObject({ name: 'undeliverable', environment: 'e', file: [{ path: join(blocker, 'key') }] }));
    expect(state).toBeNull();
    expect(diagnosticsOf(apply)[0]?.summary).toBe('Secret delivery failed');
    const keys = (await client.listKeys()).items.filter((k) => k.name === 'undeliverable');
    expect(keys.map((k) => k.status)).toEqual(['revoked']);
    const text = JSON.stringify(diagnosticsOf(apply)) + providerLogLines.join('\n');
    expect(text).not.toMatch(/kw_test_[A-Za-z0-9]{20,}/);
  });

  it('reports the service\'s validation errors at the attribute they are about', async () => {
    const server = await configuredServer({ endpoint: service.url, api_key: service.adminKey });
    const { apply, state } = await planAndCreate(server, keyObject({ name: 'k2', environment: 'e', expires_at: '2020-01-01T00:00:00Z' }));
    expect(state).toBeNull();
    expect(diagnosticsOf(apply).map((d) => [d.summary, pathOf(d)])).toEqual([['Key service rejected the key', ['expires_at']]]);
  });

  it('imports a key by its name as well as by its id', async () => {
    const created = await client.createKey({ name: 'by-name', environment: 'e', scopes: ['keys:read'] });
    const server = await configuredServer({ endpoint: service.url, api_key: service.adminKey });
    for (const id of ['by-name', created.key.id]) {
      const response = await server.importResourceState({ type_name: 'keywarden_api_key', id });
      expect(diagnosticsOf(response)).toEqual([]);
      const [imported] = response.imported_resources as { state: unknown }[];
      expect(decode(keySchema, imported?.state)).toMatchObject({ id: created.key.id, name: 'by-name', scopes: ['keys:read'], key_prefix: created.key.displayPrefix });
    }
    const missing = await server.importResourceState({ type_name: 'keywarden_api_key', id: 'no-such-key' });
    expect(diagnosticsOf(missing)[0]?.summary).toBe('Cannot import non-existent remote object');
  });
});
