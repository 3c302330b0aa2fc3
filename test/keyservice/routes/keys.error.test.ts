import { expect, it } from '@jest/globals';
import { forEachBackend } from '../support/harness.js';

forEachBackend('key management errors', (h) => {
  const post = (body: string, contentType = 'application/json') =>
    h.request('POST', '/v1/keys', { headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': contentType }, body });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await post('{"name": ');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_json', requestId: expect.any(String) });
  });

  it('answers 415 unsupported_media_type for a non-JSON content type', async () => {
    const res = await post('name=x', 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
  });

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const res = await post(JSON.stringify({ name: 'big', environment: 'x', metadata: { blob: 'x'.repeat(40_000) } }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('names every failing field: a name over 64 characters, a missing environment, an unknown field', async () => {
    const res = await h.call('POST', '/v1/keys', h.adminKey, { name: 'n'.repeat(65), colour: 'blue' });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('validation_failed');
    const fields = error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.colour', 'body.environment', 'body.name']);
  });

  it('refuses more than 50 scopes and more than 50 CIDRs', async () => {
    const scopes = Array.from({ length: 51 }, (_, i) => `s${i}:read`);
    const cidrs = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
    const res = await h.call('POST', '/v1/keys', h.adminKey, { name: 'many', environment: 'e', scopes, allowedCidrs: cidrs });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.allowedCidrs', 'body.scopes']);
  });

  it('answers 422 invalid_value for a CIDR that does not parse and an expiry in the past', async () => {
    const res = await h.call('POST', '/v1/keys', h.adminKey, {
      name: 'bad-values',
      environment: 'e',
      allowedCidrs: ['10.0.0.0/33', 'not-an-ip'],
      expiresAt: '2001-01-01T00:00:00Z',
    });
    expect(res.statusCode).toBe(422);
    const error = res.json().error;
    expect(error.code).toBe('invalid_value');
    expect(error.details).toHaveLength(3);
  });

  it('answers 409 conflict for a second active key with the same name', async () => {
    await h.createKey({ name: 'twice' });
    const res = await h.call('POST', '/v1/keys', h.adminKey, { name: 'twice', environment: 'production' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
  });

  it('answers 400 validation_failed for a body that is JSON but not an object', async () => {
    const res = await post('[1,2,3]');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });

  it('answers 412 precondition_failed to a PATCH with a stale ETag and leaves the key unchanged', async () => {
    const { key } = await h.createKey({ name: 'stale' });
    await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { metadata: { v: 1 } }, { 'if-match': '"1"' });
    const res = await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { metadata: { v: 2 } }, { 'if-match': '"1"' });
    expect(res.statusCode).toBe(412);
    expect(res.json().error.code).toBe('precondition_failed');
    const garbage = await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { metadata: { v: 3 } }, { 'if-match': 'nonsense' });
    expect(garbage.statusCode).toBe(412);
    expect((await h.call('GET', `/v1/keys/${key.id}`, h.adminKey)).json().metadata).toEqual({ v: 1 });
  });

  it('answers 409 conflict to changing or rotating a revoked key', async () => {
    const { key } = await h.createKey({ name: 'gone' });
    await h.call('DELETE', `/v1/keys/${key.id}`, h.adminKey);
    const patch = await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, { enabled: true });
    const rotate = await h.call('POST', `/v1/keys/${key.id}/rotate`, h.adminKey, {});
    expect(patch.statusCode).toBe(409);
    expect(rotate.statusCode).toBe(409);
  });

  it('answers 400 to an empty PATCH, a page size over the maximum and a cursor it did not issue', async () => {
    const { key } = await h.createKey({ name: 'empty-patch' });
    const empty = await h.call('PATCH', `/v1/keys/${key.id}`, h.adminKey, {});
    expect(empty.statusCode).toBe(400);
    const big = await h.call('GET', '/v1/keys?limit=100000', h.adminKey);
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details[0].field).toBe('querystring.limit');
    const cursor = await h.call('GET', '/v1/keys?cursor=not-a-cursor', h.adminKey);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().error.details[0].field).toBe('querystring.cursor');
    const status = await h.call('GET', '/v1/keys?status=sleeping', h.adminKey);
    expect(status.statusCode).toBe(400);
  });

  it('answers 404 for unknown keys, unknown versions and unknown routes', async () => {
    expect((await h.call('GET', '/v1/keys/key_doesnotexist', h.adminKey)).statusCode).toBe(404);
    const { key } = await h.createKey({ name: 'versions-404' });
    const res = await h.call('DELETE', `/v1/keys/${key.id}/versions/kver_nope`, h.adminKey);
    expect(res.statusCode).toBe(404);
    const route = await h.call('GET', '/v2/anything', h.adminKey);
    expect(route.statusCode).toBe(404);
    expect(route.json().error.code).toBe('route_not_found');
  });

  it('answers 400 to a rotate with a malformed overlap or Idempotency-Key', async () => {
    const { key } = await h.createKey({ name: 'rotate-bad' });
    const overlap = await h.call('POST', `/v1/keys/${key.id}/rotate`, h.adminKey, { overlap: 'forever' });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().error.details[0].field).toBe('body.overlap');
    const tooLong = await h.call('POST', `/v1/keys/${key.id}/rotate`, h.adminKey, { overlap: '31d' });
    expect(tooLong.statusCode).toBe(400);
    const idem = await h.call('POST', `/v1/keys/${key.id}/rotate`, h.adminKey, {}, { 'idempotency-key': 'has space' });
    expect(idem.statusCode).toBe(400);
  });
});
