import { expect, it } from '@jest/globals';
import { forEachBackend } from '../support/harness.js';

forEachBackend('promotion security and errors', (h) => {
  const verify = async (key: string) => (await h.call('POST', '/v1/verify', undefined, { key })).json();
  const deferred = async (name: string, asKey?: string) => {
    const created = await h.createKey({ name }, asKey);
    const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, asKey ?? h.adminKey, { promotion: 'deferred' })).json();
    return { created, rotated };
  };

  it("answers 404 for another account's key and version, and changes nothing there", async () => {
    const { created, rotated } = await deferred('their-deferred', h.other.adminKey);
    const res = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, h.adminKey, { overlap: '0s' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await verify(created.secret)).code).toBe('VALID');
    const key = (await h.call('GET', `/v1/keys/${created.key.id}`, h.other.adminKey)).json();
    expect(key.currentVersionId).toBe(created.version.id);
  });

  it("answers 404 for a version of another key, even one in the caller's own account", async () => {
    const mine = await deferred('mine-a');
    const other = await deferred('mine-b');
    const res = await h.call('POST', `/v1/keys/${mine.created.key.id}/versions/${other.rotated.version.id}/promote`, h.adminKey, {});
    expect(res.statusCode).toBe(404);
    expect((await verify(other.created.secret)).code).toBe('VALID');
  });

  it('answers 409 for a revoked version and gives the old one no end', async () => {
    const { created, rotated } = await deferred('revoked-pending');
    await h.call('DELETE', `/v1/keys/${created.key.id}/versions/${rotated.version.id}`, h.adminKey);
    const res = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, h.adminKey, { overlap: '0s' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
    expect((await verify(created.secret)).code).toBe('VALID');
    const versions = (await h.call('GET', `/v1/keys/${created.key.id}/versions`, h.adminKey)).json().items;
    expect(versions[1]).toMatchObject({ overlapUntil: null, revokedAt: null });
  });

  it('answers 409 for a version of a revoked key', async () => {
    const { created, rotated } = await deferred('revoked-key');
    await h.call('DELETE', `/v1/keys/${created.key.id}`, h.adminKey);
    const res = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, h.adminKey, {});
    expect(res.statusCode).toBe(409);
  });

  it('answers 409 when a newer version is already current (a promotion never goes backwards)', async () => {
    const { created, rotated } = await deferred('superseded');
    await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '1h' });
    const res = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, h.adminKey, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('older than');
  });

  it('needs keys:rotate: a keys:write key gets 403 and the old secret keeps no end', async () => {
    const writer = await h.createKey({ name: 'promote-writer', scopes: ['keys:write'] });
    const { created, rotated } = await deferred('needs-rotate');
    const res = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, writer.secret, { overlap: '0s' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect((await verify(created.secret)).code).toBe('VALID');
  });

  it('refuses (403 scope_escalation, audited) to promote a version of a key holding management scopes the caller lacks', async () => {
    const rotator = await h.createKey({ name: 'promote-rotator', scopes: ['keys:rotate'] });
    const admin = await h.createKey({ name: 'promote-admin-target', scopes: ['keys:rotate', 'keys:write'] });
    const rotated = (await h.call('POST', `/v1/keys/${admin.key.id}/rotate`, h.adminKey, { promotion: 'deferred' })).json();
    const res = await h.call('POST', `/v1/keys/${admin.key.id}/versions/${rotated.version.id}/promote`, rotator.secret, { overlap: '0s' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('scope_escalation');
    const audit = (await h.call('GET', `/v1/audit?action=key.version.promoted&outcome=failure&actorKeyId=${rotator.key.id}`, h.adminKey)).json().items;
    expect(audit).toHaveLength(1);
    expect((await verify(admin.secret)).code).toBe('VALID');
  });

  it('validates the body: unknown fields, bad or over-long overlaps and a bad promotion are 400', async () => {
    const { created, rotated } = await deferred('bad-bodies');
    const path = `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`;
    for (const body of [{ overlap: '1y' }, { overlap: '31d' }, { overlap: 5 }, { extra: true }]) {
      const res = await h.call('POST', path, h.adminKey, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const rotate = await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { promotion: 'later' });
    expect(rotate.statusCode).toBe(400);
    expect(rotate.json().error.details[0].field).toBe('body.promotion');
  });

  it('answers 401 without a key before reading the body', async () => {
    const { created, rotated } = await deferred('no-key');
    const res = await h.request('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, {
      headers: { 'content-type': 'application/json' },
      body: '{broken',
    });
    expect(res.statusCode).toBe(401);
  });
});
