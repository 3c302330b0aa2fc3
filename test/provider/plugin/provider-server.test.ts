import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/provider/plugin/log.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeValue, encodeValue } from '../../../src/provider/plugin/msgpack-codec.js';
import { ProviderServer, type WireDynamicValue } from '../../../src/provider/plugin/provider-server.js';
import { blockType, type Schema } from '../../../src/provider/plugin/schema.js';
import { UNKNOWN, Unknown, type TfObject, type TfValue } from '../../../src/provider/plugin/values.js';
import { kwtestProvider } from '../../fixtures/provider/kwtest/provider.js';

const noteSchema = kwtestProvider.resources[0]?.schema as Schema;
const dv = (schema: Schema, value: TfObject | null): WireDynamicValue => ({ msgpack: encodeValue(blockType(schema), value) });
const read = (schema: Schema, wire: unknown): TfValue => decodeValue(blockType(schema), (wire as WireDynamicValue).msgpack as Uint8Array);
const diagnostics = (response: Record<string, unknown>) => response.diagnostics as { severity: number; summary: string; detail: string; attribute?: unknown }[];
const note = (fields: Partial<Record<'id' | 'name' | 'text' | 'secret', TfValue>> & { tags?: TfValue }): TfObject => ({
  id: null,
  name: null,
  text: null,
  tags: null,
  secret: null,
  ...fields,
});

const dir = mkdtempSync(join(tmpdir(), 'kw-provider-server-'));

/** Log lines the servers under test write (instead of stderr). */
const logLines: string[] = [];
const logger = createLogger(
  'provider.kwtest',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
);
const newServer = () => new ProviderServer(kwtestProvider, logger) as ProviderServer<unknown>;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stores = 0;
async function configured(storePath = join(dir, `notes-${(stores += 1)}.json`)): Promise<ProviderServer<unknown>> {
  const server = newServer();
  const response = await server.configureProvider({ config: dv(kwtestProvider.schema, { store_path: storePath }) });
  expect(diagnostics(response)).toEqual([]);
  return server;
}

async function plan(server: ProviderServer<unknown>, prior: TfObject | null, proposed: TfObject, config: TfObject = proposed) {
  const response = await server.planResourceChange({
    type_name: 'kwtest_note',
    prior_state: dv(noteSchema, prior),
    proposed_new_state: dv(noteSchema, proposed),
    config: dv(noteSchema, config),
  });
  expect(diagnostics(response)).toEqual([]);
  return { planned: read(noteSchema, response.planned_state) as TfObject, requiresReplace: response.requires_replace };
}

describe('ProviderServer: schema and metadata', () => {
  it('describes every attribute with its type JSON and flags, and announces its capabilities', () => {
    const response = newServer().getProviderSchema() as {
      resource_schemas: Record<string, { version: number; block: { attributes: Record<string, unknown>[] } }>;
      server_capabilities: Record<string, boolean>;
    };
    const schema = response.resource_schemas.kwtest_note;
    expect(schema?.version).toBe(1);
    const secret = schema?.block.attributes.find((a) => a.name === 'secret');
    expect(secret).toMatchObject({ optional: true, sensitive: true, write_only: true, description_kind: 1 });
    const tags = schema?.block.attributes.find((a) => a.name === 'tags');
    expect(Buffer.from(tags?.type as Uint8Array).toString()).toBe('["set","string"]');
    expect(response.server_capabilities.get_provider_schema_optional).toBe(true);
  });

  it('refuses a provider whose schema contradicts itself', () => {
    const broken = { ...kwtestProvider, schema: { attributes: { a: { type: 'string' as const, required: true, computed: true } } } };
    expect(() => new ProviderServer(broken)).toThrow(/provider\.a: required excludes optional and computed/);
  });
});

describe('ProviderServer: validation', () => {
  it('points a validator failure at the attribute path', async () => {
    const server = newServer();
    const response = await server.validateResourceConfig({ type_name: 'kwtest_note', config: dv(noteSchema, note({ name: 'Bad Name' })) });
    expect(diagnostics(response)).toEqual([
      expect.objectContaining({ severity: 1, summary: 'Invalid name', attribute: { steps: [{ attribute_name: 'name' }] } }),
    ]);
  });

  it('skips unknown values, which are checked again once known', async () => {
    const server = newServer();
    const response = await server.validateResourceConfig({ type_name: 'kwtest_note', config: dv(noteSchema, note({ name: UNKNOWN })) });
    expect(diagnostics(response)).toEqual([]);
  });

  it('answers an unknown resource type with a diagnostic, not a crash', async () => {
    const response = await newServer().validateResourceConfig({ type_name: 'kwtest_nope', config: dv(noteSchema, null) });
    expect(diagnostics(response)[0]?.summary).toBe('Unknown resource type');
  });

  it('refuses resource calls before the provider is configured', async () => {
    const response = await newServer().readResource({ type_name: 'kwtest_note', current_state: dv(noteSchema, note({ id: 'n-1', name: 'a' })) });
    expect(diagnostics(response)[0]?.summary).toBe('Provider not configured');
  });
});

describe('ProviderServer: planning', () => {
  let server: ProviderServer<unknown>;
  beforeEach(async () => {
    server = await configured();
  });

  it('plans a create with the computed id unknown and the write-only secret null', async () => {
    const config = note({ name: 'alpha', secret: 'hunter2' });
    const { planned, requiresReplace } = await plan(server, null, config, config);
    expect(planned.id).toBeInstanceOf(Unknown);
    expect(planned.secret).toBeNull();
    expect(planned.name).toBe('alpha');
    expect(requiresReplace).toEqual([]);
  });

  it('plans no change when nothing changed, keeping every prior value', async () => {
    const prior = note({ id: 'n-1', name: 'alpha', text: 'x' });
    const { planned } = await plan(server, prior, prior, note({ name: 'alpha', text: 'x', secret: 'hunter2' }));
    expect(planned).toEqual(prior);
  });

  it('keeps the id across an in-place update (useStateForUnknown) without asking for replacement', async () => {
    const prior = note({ id: 'n-1', name: 'alpha', text: 'x' });
    const { planned, requiresReplace } = await plan(server, prior, { ...prior, text: 'y' }, note({ name: 'alpha', text: 'y' }));
    expect(planned.id).toBe('n-1');
    expect(planned.text).toBe('y');
    expect(requiresReplace).toEqual([]);
  });

  it('asks for replacement when a requiresReplace attribute changes', async () => {
    const prior = note({ id: 'n-1', name: 'alpha' });
    const { requiresReplace } = await plan(server, prior, { ...prior, name: 'beta' }, note({ name: 'beta' }));
    expect(requiresReplace).toEqual([{ steps: [{ attribute_name: 'name' }] }]);
  });
});

describe('ProviderServer: apply, read, import and state upgrade', () => {
  it('creates, reads, updates and deletes through the resource, never storing the write-only value', async () => {
    const server = await configured();
    const config = note({ name: 'alpha', text: 'x', secret: 'hunter2' });
    const created = await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: dv(noteSchema, null),
      planned_state: dv(noteSchema, { ...config, id: UNKNOWN, secret: null }),
      config: dv(noteSchema, config),
    });
    expect(diagnostics(created)).toEqual([]);
    const state = read(noteSchema, created.new_state) as TfObject;
    expect(state).toMatchObject({ name: 'alpha', text: 'x', secret: null });
    expect(String(state.id)).toMatch(/^n-/);

    const refreshed = await server.readResource({ type_name: 'kwtest_note', current_state: created.new_state });
    expect(read(noteSchema, refreshed.new_state)).toEqual(state);

    const updated = await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: created.new_state,
      planned_state: dv(noteSchema, { ...state, text: 'y' }),
      config: dv(noteSchema, note({ name: 'alpha', text: 'y' })),
    });
    expect(read(noteSchema, updated.new_state)).toEqual({ ...state, text: 'y' });

    const deleted = await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: updated.new_state,
      planned_state: dv(noteSchema, null),
      config: dv(noteSchema, null),
    });
    expect(diagnostics(deleted)).toEqual([]);
    expect(read(noteSchema, deleted.new_state)).toBeNull();
    const gone = await server.readResource({ type_name: 'kwtest_note', current_state: created.new_state });
    expect(read(noteSchema, gone.new_state)).toBeNull();
  });

  it('imports an existing object by id and reports a missing one', async () => {
    const server = await configured();
    const config = note({ name: 'alpha' });
    const created = await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: dv(noteSchema, null),
      planned_state: dv(noteSchema, { ...config, id: UNKNOWN }),
      config: dv(noteSchema, config),
    });
    const id = (read(noteSchema, created.new_state) as TfObject).id as string;
    const imported = (await server.importResourceState({ type_name: 'kwtest_note', id })) as { imported_resources: { state: WireDynamicValue }[] };
    expect(read(noteSchema, imported.imported_resources[0]?.state)).toMatchObject({ id, name: 'alpha' });
    const missing = await server.importResourceState({ type_name: 'kwtest_note', id: 'n-missing' });
    expect(diagnostics(missing)[0]?.summary).toBe('Cannot import non-existent remote object');
  });

  it('upgrades version-0 state (body) to version 1 (text), and passes current state through', async () => {
    const server = newServer();
    const v0 = await server.upgradeResourceState({
      type_name: 'kwtest_note',
      version: 0,
      raw_state: { json: Buffer.from('{"id":"n-1","name":"alpha","body":"old text","tags":null}') },
    });
    expect(diagnostics(v0)).toEqual([]);
    expect(read(noteSchema, v0.upgraded_state)).toEqual(note({ id: 'n-1', name: 'alpha', text: 'old text' }));
    const v1 = await server.upgradeResourceState({
      type_name: 'kwtest_note',
      version: 1,
      raw_state: { json: Buffer.from('{"id":"n-1","name":"alpha","text":"t","tags":["b","a"],"secret":null}') },
    });
    expect(read(noteSchema, v1.upgraded_state)).toEqual(note({ id: 'n-1', name: 'alpha', text: 't', tags: ['b', 'a'] }));
  });

  it('refuses state from a newer schema version', async () => {
    const response = await newServer().upgradeResourceState({
      type_name: 'kwtest_note',
      version: 2,
      raw_state: { json: Buffer.from('{}') },
    });
    expect(diagnostics(response)[0]?.summary).toBe('State is newer than this provider');
  });

  it('reads a data source by name, and points at the name when it is not found', async () => {
    const server = await configured();
    const dataSchema = kwtestProvider.dataSources?.[0]?.schema as Schema;
    const missing = await server.readDataSource({ type_name: 'kwtest_note', config: dv(dataSchema, { name: 'nobody', id: null, text: null }) });
    expect(diagnostics(missing)[0]).toMatchObject({ summary: 'Note not found', attribute: { steps: [{ attribute_name: 'name' }] } });
  });
});

describe('ProviderServer: failures leave state true to what exists', () => {
  it('stores nothing when create fails, with the error as a diagnostic', async () => {
    const server = await configured(join(dir, 'no-such-directory', 'notes.json'));
    const config = note({ name: 'alpha' });
    const response = await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: dv(noteSchema, null),
      planned_state: dv(noteSchema, { ...config, id: UNKNOWN }),
      config: dv(noteSchema, config),
    });
    expect(diagnostics(response)[0]).toMatchObject({ severity: 1, summary: 'Provider error' });
    expect(read(noteSchema, response.new_state)).toBeNull();
  });

  it('keeps the prior state when an update fails', async () => {
    const server = await configured();
    const prior = note({ id: 'n-vanished', name: 'alpha', text: 'x' });
    const response = await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: dv(noteSchema, prior),
      planned_state: dv(noteSchema, { ...prior, text: 'y' }),
      config: dv(noteSchema, note({ name: 'alpha', text: 'y' })),
    });
    expect(diagnostics(response)[0]?.detail).toContain('note n-vanished does not exist');
    expect(read(noteSchema, response.new_state)).toEqual(prior);
  });
});

describe('ProviderServer: stored secrets', () => {
  it('keeps only a hash of the write-only secret in the store', async () => {
    const storeFile = join(dir, 'secret-notes.json');
    const server = await configured(storeFile);
    const config = note({ name: 'alpha', secret: 'hunter2-plaintext' });
    await server.applyResourceChange({
      type_name: 'kwtest_note',
      prior_state: dv(noteSchema, null),
      planned_state: dv(noteSchema, { ...config, id: UNKNOWN, secret: null }),
      config: dv(noteSchema, config),
    });
    const stored = readFileSync(storeFile, 'utf8');
    expect(stored).toContain('secretSha256');
    expect(stored).not.toContain('hunter2-plaintext');
  });

  it('logs diagnostics as go-plugin JSON lines with summary and path, never the values', async () => {
    const server = newServer();
    logLines.length = 0;
    await server.validateResourceConfig({ type_name: 'kwtest_note', config: dv(noteSchema, note({ name: 'Secret Value 42', secret: 'hunter2' })) });
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ '@level': 'error', '@message': 'Invalid name', '@module': 'provider.kwtest', path: 'name' })]);
    expect(logLines.join('\n')).not.toMatch(/Secret Value 42|hunter2/);
  });
});
