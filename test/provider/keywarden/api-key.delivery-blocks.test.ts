// Delivery blocks added to or removed from an existing keywarden_api_key, against a real key
// service and real files: a removed block stops being managed (the secret stays, the plan
// warns), an added destination that already holds the current version (an imported key) is
// adopted without a new secret, and one that does not gets a rotation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardenClient } from '../../../src/client/index.js';
import { UNKNOWN, type TfObject } from '../../../src/provider/plugin/index.js';
import type { ProviderServer } from '../../../src/provider/plugin/provider-server.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { applyUpdate, configuredServer, decode, diagnosticsOf, keyObject, keySchema, pathOf, planAndCreate, planUpdate } from './provider-server.js';

describe('keywarden_api_key delivery blocks changed after create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-provider-delivery-blocks-'));
  let service: InProcessService;
  let client: KeywardenClient;
  let server: ProviderServer<unknown>;

  beforeAll(async () => {
    service = await startInProcessService();
    client = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey });
    server = await configuredServer({ endpoint: service.url, api_key: service.adminKey });
  });
  afterAll(async () => {
    await client.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the secret at a removed destination, warns at the block, and keeps the key as it is', async () => {
    const kept = join(dir, 'kept.key');
    const dropped = join(dir, 'dropped.key');
    const config = keyObject({ name: 'blocks-1', environment: 'e', file: [{ path: kept }, { path: dropped }] });
    const prior = (await planAndCreate(server, config)).state as TfObject;
    const secret = readFileSync(dropped, 'utf8');

    const next = { ...config, file: [{ path: kept }] };
    const plan = await planUpdate(server, prior, next);
    expect(plan.diagnostics).toHaveLength(1);
    const [warning] = plan.diagnostics;
    expect(warning?.severity).toBe(2);
    expect(warning?.summary).toBe('Delivery removed: the secret stays at its destination');
    expect(warning?.detail).toContain(dropped);
    expect(warning?.detail).not.toContain(secret);
    expect(warning && pathOf(warning)).toEqual(['file']);
    expect(plan.planned.current_version).toBe(prior.current_version);

    const updated = await applyUpdate(server, prior, plan.planned, next);
    expect(updated.current_version).toBe(prior.current_version);
    expect(updated.file).toEqual([{ path: kept }]);
    expect(readFileSync(dropped, 'utf8')).toBe(secret);
    expect(readFileSync(kept, 'utf8')).toBe(secret);
    expect(await client.verify({ key: secret })).toMatchObject({ valid: true, keyId: prior.id });
  });

  it('adopts the destinations of an imported key that already hold its current version, without a new secret', async () => {
    const path = join(dir, 'imported.key');
    const config = keyObject({ name: 'blocks-2', environment: 'e', file: [{ path }] });
    const created = (await planAndCreate(server, config)).state as TfObject;
    const secret = readFileSync(path, 'utf8');

    // `terraform import` by name: the key service does not know where the secret was delivered.
    const imported = await server.importResourceState({ type_name: 'keywarden_api_key', id: 'blocks-2' });
    expect(diagnosticsOf(imported)).toEqual([]);
    const [resource] = imported.imported_resources as { state: unknown }[];
    const importedState = decode(keySchema, resource?.state) as TfObject;
    expect(importedState).toMatchObject({ id: created.id, current_version: created.current_version, file: [] });

    // The user writes the delivery block into the configuration.
    const plan = await planUpdate(server, importedState, config);
    expect(plan.diagnostics).toEqual([]);
    expect(plan.planned.current_version).toBe(created.current_version);
    const updated = await applyUpdate(server, importedState, plan.planned, config);
    expect(updated).toMatchObject({ current_version: created.current_version, file: [{ path }] });
    expect(readFileSync(path, 'utf8')).toBe(secret);
  });

  it('rotates when an added destination does not hold the current version, and the plan says so', async () => {
    const first = join(dir, 'rot-first.key');
    const second = join(dir, 'rot-second.key');
    const config = keyObject({ name: 'blocks-3', environment: 'e', file: [{ path: first }] });
    const prior = (await planAndCreate(server, config)).state as TfObject;
    expect(existsSync(second)).toBe(false);

    const next = { ...config, file: [{ path: first }, { path: second }] };
    const plan = await planUpdate(server, prior, next);
    expect(plan.diagnostics).toEqual([]);
    expect(plan.planned.current_version).toEqual(UNKNOWN);
    const updated = await applyUpdate(server, prior, plan.planned, next);
    expect(updated.current_version).not.toBe(prior.current_version);
    expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));
  });
});
