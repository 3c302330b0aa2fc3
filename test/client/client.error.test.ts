import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KeywardenApiError, KeywardenClient } from '../../src/client/index.js';
import { bootstrapAdmin } from '../../src/keyservice/index.js';
import { startInProcessService, TEST_PEPPER, TEST_PREFIX, type InProcessService } from './in-process-service.js';

async function failure(p: Promise<unknown>): Promise<KeywardenApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeywardenApiError);
  return err as KeywardenApiError;
}

describe('KeywardenClient error mapping against a real key service', () => {
  let svc: InProcessService;
  let admin: KeywardenClient;

  beforeAll(async () => {
    svc = await startInProcessService();
    admin = new KeywardenClient({ endpoint: svc.url, apiKey: svc.adminKey, retry: { retries: 0 } });
  });
  afterAll(async () => {
    await svc.stop();
  });

  it('maps an unknown key to 401 unauthorized with a request id, and never repeats the key', async () => {
    const forged = `${svc.adminKey.slice(0, -1)}${svc.adminKey.endsWith('A') ? 'B' : 'A'}`;
    const client = new KeywardenClient({ endpoint: svc.url, apiKey: forged, retry: { retries: 0 } });
    const err = await failure(client.whoami());
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', method: 'GET', path: '/v1/whoami' });
    expect(err.requestId).toEqual(expect.any(String));
    const text = `${err.message}\n${err.stack}\n${JSON.stringify(err)}`;
    expect(text).not.toContain(forged);
    expect(text).not.toContain(svc.adminKey);
  });

  it('maps a key without the scope to 403 forbidden', async () => {
    const reader = await admin.createKey({ name: 'reader', environment: 'admin', mode: 'live', scopes: ['keys:read'] });
    const client = new KeywardenClient({ endpoint: svc.url, apiKey: reader.secret, retry: { retries: 0 } });
    expect((await client.listKeys()).items.length).toBeGreaterThan(0);
    const err = await failure(client.createKey({ name: 'nope', environment: 'staging' }));
    expect(err).toMatchObject({ status: 403, code: 'forbidden' });
    expect(err.message).not.toContain(reader.secret);
  });

  it("maps another account's key id to 404 not_found", async () => {
    const other = await bootstrapAdmin({
      store: svc.service.store,
      pepper: TEST_PEPPER,
      keyPrefix: TEST_PREFIX,
      accountName: 'other',
      force: true,
    });
    const err = await failure(admin.getKey(other.keyId));
    expect(err).toMatchObject({ status: 404, code: 'not_found' });
    expect(await failure(admin.revokeKey(other.keyId))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await failure(admin.rotateKey(other.keyId))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await failure(admin.promoteVersion(other.keyId, other.keyId))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('maps a reused Idempotency-Key with other rotation parameters to 422 idempotency_key_reused', async () => {
    const created = await admin.createKey({ name: 'idem-client', environment: 'staging', mode: 'test' });
    await admin.rotateKey(created.key.id, { idempotencyKey: 'idem-client-1', overlap: '1h' });
    const err = await failure(admin.rotateKey(created.key.id, { idempotencyKey: 'idem-client-1', overlap: '1h', promotion: 'deferred' }));
    expect(err).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('maps invalid input to 400 validation_failed', async () => {
    const err = await failure(admin.createKey({ name: 'x'.repeat(65), environment: 'staging' }));
    expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('maps a rate-limited key to 429 rate_limit_exceeded with Retry-After when it may not wait', async () => {
    const limited = await admin.createKey({
      name: 'limited',
      environment: 'admin',
      mode: 'live',
      scopes: ['keys:read'],
      rateLimit: { requests: 2, windowSeconds: 3600 },
    });
    // Retries are allowed, but not for as long as the window lasts: the 429 comes back at once.
    const client = new KeywardenClient({
      endpoint: svc.url,
      apiKey: limited.secret,
      retry: { retries: 3, maxRetryAfterMs: 1000 },
    });
    await client.whoami();
    await client.whoami();
    const err = await failure(client.whoami());
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', attempts: 1 });
    expect(err.retryAfterSeconds).toBeGreaterThan(1);
  });

  it('reports that the service cannot be reached after it stopped', async () => {
    const gone = await startInProcessService();
    const client = new KeywardenClient({ endpoint: gone.url, apiKey: gone.adminKey, retry: { retries: 1, baseDelayMs: 1 } });
    await gone.stop();
    const err = await failure(client.whoami());
    expect(err).toMatchObject({ status: 0, code: 'network_error', attempts: 2 });
    expect(err.message).not.toContain(gone.adminKey);
  });

  it('keeps every secret it handled out of the service logs', () => {
    const logs = svc.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(svc.adminKey);
  });
});
