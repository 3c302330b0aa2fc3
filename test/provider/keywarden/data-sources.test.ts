// Data sources keywarden_api_key (by id or name) and keywarden_scopes against a real key service.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KeywardenClient } from '../../../src/client/index.js';
import { keywardenProvider } from '../../../src/provider/keywarden/index.js';
import type { Schema } from '../../../src/provider/plugin/index.js';
import type { ProviderServer } from '../../../src/provider/plugin/provider-server.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { configuredServer, decode, diagnosticsOf, dv, newServer, pathOf } from './provider-server.js';

const schemaOf = (name: string) => keywardenProvider.dataSources?.find((d) => d.typeName === name)?.schema as Schema;
const keySchema = schemaOf('keywarden_api_key');
const scopesSchema = schemaOf('keywarden_scopes');
const keyConfig = (fields: Record<string, string | null>) => {
  const base: Record<string, null> = {};
  for (const name of Object.keys(keySchema.attributes)) base[name] = null;
  return { ...base, ...fields };
};

describe('data sources', () => {
  let service: InProcessService;
  let client: KeywardenClient;
  let server: ProviderServer<unknown>;
  beforeAll(async () => {
    service = await startInProcessService({ scopes: [{ name: 'invoices:read', description: 'Read invoices.' }] });
    client = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey });
    server = await configuredServer({ endpoint: service.url, api_key: service.adminKey });
  });
  afterAll(async () => {
    await client.close();
    await service.stop();
  });

  it('keywarden_api_key reads a key by id and by name, with its rate limit as a duration and never its secret', async () => {
    const created = await client.createKey({ name: 'ds-key', environment: 'prod', mode: 'live', scopes: ['invoices:read'], rateLimit: { requests: 5, windowSeconds: 7200 }, limits: { max: 3 } });
    for (const lookup of [{ id: created.key.id }, { name: 'ds-key' }] as Record<string, string>[]) {
      const response = await server.readDataSource({ type_name: 'keywarden_api_key', config: dv(keySchema, keyConfig(lookup)) });
      expect(diagnosticsOf(response)).toEqual([]);
      const state = decode(keySchema, response.state);
      expect(state).toMatchObject({ id: created.key.id, name: 'ds-key', mode: 'live', status: 'active', scopes: ['invoices:read'], rate_limit: { requests: 5, per: '2h' }, limits: { max: '3' }, key_prefix: created.key.displayPrefix });
      expect(JSON.stringify(state)).not.toContain(created.secret);
    }
  });

  it('keywarden_api_key reports a missing key at the attribute used to look it up', async () => {
    const byName = await server.readDataSource({ type_name: 'keywarden_api_key', config: dv(keySchema, keyConfig({ name: 'nope' })) });
    expect(diagnosticsOf(byName).map((d) => [d.summary, pathOf(d)])).toEqual([['Key not found', ['name']]]);
    const byId = await server.readDataSource({ type_name: 'keywarden_api_key', config: dv(keySchema, keyConfig({ id: 'key_doesnotexist' })) });
    expect(diagnosticsOf(byId).map((d) => [d.summary, pathOf(d)])).toEqual([['Key not found', ['id']]]);
  });

  it('keywarden_api_key needs exactly one of id and name', async () => {
    const both = await newServer().validateDataResourceConfig({ type_name: 'keywarden_api_key', config: dv(keySchema, keyConfig({ id: 'a', name: 'b' })) });
    expect(diagnosticsOf(both).map((d) => d.summary)).toEqual(['Set id or name']);
    const neither = await newServer().validateDataResourceConfig({ type_name: 'keywarden_api_key', config: dv(keySchema, keyConfig({})) });
    expect(diagnosticsOf(neither).map((d) => d.summary)).toEqual(['Set id or name']);
  });

  it('keywarden_scopes lists the catalog, with or without the management scopes', async () => {
    const all = decode(scopesSchema, (await server.readDataSource({ type_name: 'keywarden_scopes', config: dv(scopesSchema, { include_management: null, names: null, scopes: null }) })).state) as Record<string, unknown>;
    expect(all.names).toEqual(expect.arrayContaining(['invoices:read', 'keys:read', 'keys:write']));
    const app = decode(scopesSchema, (await server.readDataSource({ type_name: 'keywarden_scopes', config: dv(scopesSchema, { include_management: false, names: null, scopes: null }) })).state);
    expect(app).toEqual({ include_management: false, names: ['invoices:read'], scopes: [{ name: 'invoices:read', description: 'Read invoices.', management: false }] });
  });
});
