import { expect, it } from '@jest/globals';
import { forEachBackend, movableClock } from '../support/harness.js';

const clock = movableClock();

forEachBackend(
  'deferred rotation and promotion',
  (h) => {
    const verify = async (key: string) => (await h.call('POST', '/v1/verify', undefined, { key })).json();
    const versions = async (id: string) => (await h.call('GET', `/v1/keys/${id}/versions`, h.adminKey)).json().items;

    it('a deferred rotation makes a valid new secret and gives the old one no end; promotion then starts the overlap', async () => {
      const created = await h.createKey({ name: 'defer-1' });
      const res = await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { promotion: 'deferred', overlap: '1h' });
      expect(res.statusCode).toBe(201);
      const rotated = res.json();
      expect(rotated.version).toMatchObject({ number: 2, status: 'active', overlapUntil: null });
      expect(rotated.key.currentVersionId).toBe(created.version.id);
      expect((await verify(rotated.secret)).code).toBe('VALID');
      expect((await verify(created.secret)).code).toBe('VALID');
      expect((await versions(created.key.id)).map((v: { overlapUntil: string | null }) => v.overlapUntil)).toEqual([null, null]);

      const promoted = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, h.adminKey, { overlap: '10m' });
      expect(promoted.statusCode).toBe(200);
      expect(promoted.headers.etag).toBe(`"${promoted.json().key.revision}"`);
      const body = promoted.json();
      expect(body.key.currentVersionId).toBe(rotated.version.id);
      expect(body.key.displayPrefix).toBe(rotated.version.displayPrefix);
      expect(body.version.id).toBe(rotated.version.id);
      expect(body.previous).toHaveLength(1);
      expect(body.previous[0]).toMatchObject({ id: created.version.id, status: 'active' });
      const end = Date.parse(body.previous[0].overlapUntil);
      expect(end - clock.now()).toBeGreaterThan(9 * 60_000);
      expect(end - clock.now()).toBeLessThanOrEqual(10 * 60_000);

      // The old secret verifies until its new end, then not; the promoted one keeps working.
      expect((await verify(created.secret)).code).toBe('VALID');
      clock.advance(11 * 60_000);
      expect((await verify(created.secret)).code).toBe('REVOKED');
      expect((await verify(rotated.secret)).code).toBe('VALID');
    });

    it('promoting again changes nothing and answers 200 with the same body; the promotion is audited once', async () => {
      const created = await h.createKey({ name: 'defer-2' });
      const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { promotion: 'deferred' })).json();
      const path = `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`;
      const first = await h.call('POST', path, h.adminKey, { overlap: '1h' });
      clock.advance(5 * 60_000);
      const again = await h.call('POST', path, h.adminKey, { overlap: '1h' });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
      expect(again.headers.etag).toBe(first.headers.etag);
      const audit = (await h.call('GET', `/v1/audit?action=key.version.promoted&keyId=${created.key.id}`, h.adminKey)).json().items;
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorKeyId: h.adminKeyId, outcome: 'success', details: { versionId: rotated.version.id, number: 2, overlapMs: 3_600_000, previousVersionIds: [created.version.id] } });
      expect(JSON.stringify(audit)).not.toContain(rotated.secret);
    });

    it('rollback: revoking the pending version leaves the old secret valid with no expiry', async () => {
      const created = await h.createKey({ name: 'defer-3' });
      const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { promotion: 'deferred', overlap: '1m' })).json();
      const revoked = await h.call('DELETE', `/v1/keys/${created.key.id}/versions/${rotated.version.id}`, h.adminKey);
      expect(revoked.statusCode).toBe(200);
      expect((await verify(rotated.secret)).code).toBe('REVOKED');
      clock.advance(31 * 24 * 3_600_000);
      expect((await verify(created.secret)).code).toBe('VALID');
      const [pending, old] = await versions(created.key.id);
      expect(pending).toMatchObject({ status: 'revoked' });
      expect(old).toMatchObject({ id: created.version.id, status: 'active', overlapUntil: null, revokedAt: null });
      expect((await h.call('GET', `/v1/keys/${created.key.id}`, h.adminKey)).json().currentVersionId).toBe(created.version.id);
    });

    it('promotion with overlap 0s revokes the older secrets at once', async () => {
      const created = await h.createKey({ name: 'defer-4' });
      const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { promotion: 'deferred' })).json();
      const res = await h.call('POST', `/v1/keys/${created.key.id}/versions/${rotated.version.id}/promote`, h.adminKey, { overlap: '0s' });
      expect(res.statusCode).toBe(200);
      expect(res.json().previous).toEqual([]);
      expect((await verify(created.secret)).code).toBe('REVOKED');
      expect((await verify(rotated.secret)).code).toBe('VALID');
    });

    it('an immediate rotation still works as before (promotion defaults to immediate)', async () => {
      const created = await h.createKey({ name: 'defer-5' });
      const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { promotion: 'immediate', overlap: '1h' })).json();
      expect(rotated.key.currentVersionId).toBe(rotated.version.id);
      expect((await versions(created.key.id))[1].overlapUntil).not.toBeNull();
    });

    it('the promote route is in /openapi.json with its body schema', async () => {
      const doc = (await h.request('GET', '/openapi.json')).json();
      const op = doc.paths['/v1/keys/{id}/versions/{versionId}/promote']?.post;
      expect(op).toBeDefined();
      expect(JSON.stringify(op.requestBody)).toContain('overlap');
      expect(JSON.stringify(doc.paths['/v1/keys/{id}/rotate'].post.requestBody)).toContain('deferred');
    });
  },
  { clock: clock.now },
);
