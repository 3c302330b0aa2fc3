import { expect, it } from '@jest/globals';
import { forEachBackend } from '../support/harness.js';

forEachBackend('rotation errors', (h) => {
  const rotate = (id: string, body: unknown, idem: string) => h.call('POST', `/v1/keys/${id}/rotate`, h.adminKey, body, { 'idempotency-key': idem });

  it('answers 422 idempotency_key_reused when a retry changes the overlap or the promotion, and creates nothing', async () => {
    const created = await h.createKey({ name: 'idem-mismatch' });
    const first = await rotate(created.key.id, { overlap: '1h' }, 'idem-mismatch-1');
    expect(first.statusCode).toBe(201);
    for (const body of [{ overlap: '2h' }, { overlap: '1h', promotion: 'deferred' }, { overlap: '0s' }]) {
      const res = await rotate(created.key.id, body, 'idem-mismatch-1');
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'idempotency_key_reused', details: [{ field: 'headers.idempotency-key' }] });
    }
    // The same request again is a replay; an equal overlap written differently is the same request.
    expect((await rotate(created.key.id, { overlap: '1h' }, 'idem-mismatch-1')).statusCode).toBe(200);
    expect((await rotate(created.key.id, { overlap: '60m' }, 'idem-mismatch-1')).statusCode).toBe(200);
    const versions = (await h.call('GET', `/v1/keys/${created.key.id}/versions`, h.adminKey)).json().items;
    expect(versions).toHaveLength(2);
    expect((await h.call('POST', '/v1/verify', undefined, { key: created.secret })).json().code).toBe('VALID');
  });

  it('lets a deferred rotation be retried with any overlap (the overlap belongs to the promotion)', async () => {
    const created = await h.createKey({ name: 'idem-deferred' });
    const first = await rotate(created.key.id, { promotion: 'deferred', overlap: '1h' }, 'idem-deferred-1');
    const retry = await rotate(created.key.id, { promotion: 'deferred', overlap: '5m' }, 'idem-deferred-1');
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().version.id).toBe(first.json().version.id);
  });
});
