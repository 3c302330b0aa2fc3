// keywarden_api_key updates through the framework against a real key service: what is
// patched, what the plan shows, and a delivery block added later (the key is rotated and the
// new secret written to every destination).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardenClient } from '../../../src/client/index.js';
import { UNKNOWN, type TfObject } from '../../../src/provider/plugin/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { applyUpdate, configuredServer, keyObject, planAndCreate, planUpdate as planUpdateOn } from './provider-server.js';
import type { ProviderServer } from '../../../src/provider/plugin/provider-server.js';

describe('keywarden_api_key updates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-provider-update-'));
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

  async function planUpdate(prior: TfObject, config: TfObject) {
    const plan = await planUpdateOn(server, prior, config);
    expect(plan.diagnostics).toEqual([]);
    return plan;
  }
  const apply = (prior: TfObject, planned: TfObject, config: TfObject) => applyUpdate(server, prior, planned, config);

  it('plans a create with mode test and no expiry, and a scope change in place keeping id, prefix and version', async () => {
    const config = keyObject({ name: 'upd-1', environment: 'e', scopes: ['a:read'] });
    const { planned, state } = await planAndCreate(server, config);
    expect(planned).toMatchObject({ mode: 'test', expires_at: null, id: UNKNOWN, key_prefix: UNKNOWN });
    const prior = state as TfObject;

    const next = { ...config, scopes: ['a:read', 'b:write'] };
    const plan = await planUpdate(prior, next);
    expect(plan.requiresReplace ?? []).toEqual([]);
    expect(plan.planned).toMatchObject({ id: prior.id, key_prefix: prior.key_prefix, current_version: prior.current_version, expires_at: null });
    const updated = await apply(prior, plan.planned, next);
    expect(updated).toMatchObject({ id: prior.id, current_version: prior.current_version, scopes: ['a:read', 'b:write'] });
    expect((await client.getKey(String(prior.id))).scopes.sort()).toEqual(['a:read', 'b:write']);
  });

  it('asks for replacement when environment or service change', async () => {
    const config = keyObject({ name: 'upd-2', environment: 'e', service: 's1' });
    const prior = (await planAndCreate(server, config)).state as TfObject;
    const plan = await planUpdate(prior, { ...config, environment: 'e2', service: 's2' });
    expect(plan.requiresReplace).toEqual([{ steps: [{ attribute_name: 'environment' }] }, { steps: [{ attribute_name: 'service' }] }]);
  });

  it('rotates the key when a delivery block is added, writing the new secret to every destination', async () => {
    const first = join(dir, 'first.key');
    const second = join(dir, 'second.key');
    const config = keyObject({ name: 'upd-3', environment: 'e', file: [{ path: first }] });
    const prior = (await planAndCreate(server, config)).state as TfObject;
    const firstSecret = readFileSync(first, 'utf8');

    const next = { ...config, file: [{ path: first }, { path: second }] };
    const plan = await planUpdate(prior, next);
    expect(plan.planned.current_version).toEqual(UNKNOWN);
    const updated = await apply(prior, plan.planned, next);
    expect(updated.current_version).not.toBe(prior.current_version);
    const secret = readFileSync(second, 'utf8');
    expect(readFileSync(first, 'utf8')).toBe(secret);
    expect(secret).not.toBe(firstSecret);
    expect(JSON.stringify(updated)).not.toContain(secret);
    expect(await client.verify({ key: secret })).toMatchObject({ valid: true, keyId: prior.id });
    // The previous secret stays valid for the overlap.
    expect(await client.verify({ key: firstSecret })).toMatchObject({ valid: true });
  });

  it('sets expires_at from expires_after at creation and keeps it on unrelated updates', async () => {
    const config = keyObject({ name: 'upd-4', environment: 'e', expires_after: '30d' });
    const { planned, state } = await planAndCreate(server, config);
    expect(planned.expires_at).toEqual(UNKNOWN);
    const prior = state as TfObject;
    const days = (Date.parse(String(prior.expires_at)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const plan = await planUpdate(prior, { ...config, metadata: { team: 'x' } });
    expect(plan.planned.expires_at).toBe(prior.expires_at);
  });
});
