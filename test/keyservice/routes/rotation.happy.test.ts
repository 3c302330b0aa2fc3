import { expect, it } from '@jest/globals';
import { forEachBackend, movableClock } from '../support/harness.js';

const clock = movableClock();

forEachBackend(
  'rotation',
  (h) => {
    const verify = async (key: string) => (await h.call('POST', '/v1/verify', undefined, { key })).json();

    it('rotates: returns a new secret once, both secrets verify during the overlap', async () => {
      const created = await h.createKey({ name: 'rot-1' });
      const res = await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '1h' });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.replayed).toBe(false);
      expect(body.secret).toMatch(/^kw_test_/);
      expect(body.secret).not.toBe(created.secret);
      expect(body.version).toMatchObject({ number: 2, status: 'active' });
      expect(body.key).toMatchObject({ id: created.key.id, currentVersionId: body.version.id });
      expect((await verify(created.secret)).code).toBe('VALID');
      expect((await verify(body.secret)).code).toBe('VALID');
      const versions = (await h.call('GET', `/v1/keys/${created.key.id}/versions`, h.adminKey)).json().items;
      expect(versions.map((v: { number: number }) => v.number)).toEqual([2, 1]);
      expect(versions[1].overlapUntil).not.toBeNull();
    });

    it('refuses the old secret once its overlapUntil has passed (REVOKED), keeps the new one', async () => {
      const created = await h.createKey({ name: 'rot-2' });
      const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '10m' })).json();
      clock.advance(11 * 60_000);
      expect(await verify(created.secret)).toMatchObject({ valid: false, code: 'REVOKED', keyId: created.key.id });
      expect((await verify(rotated.secret)).code).toBe('VALID');
      const versions = (await h.call('GET', `/v1/keys/${created.key.id}/versions`, h.adminKey)).json().items;
      expect(versions[1].status).toBe('rotated_out');
    });

    it('with overlap 0s revokes the previous secret at once', async () => {
      const created = await h.createKey({ name: 'rot-3' });
      await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '0s' });
      expect((await verify(created.secret)).code).toBe('REVOKED');
    });

    it('returns the same version for a retried rotation with the same Idempotency-Key', async () => {
      const created = await h.createKey({ name: 'rot-4' });
      const headers = { 'idempotency-key': 'rotate-rot-4-attempt-1' };
      const first = await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '1h' }, headers);
      const retry = await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '1h' }, headers);
      expect(first.statusCode).toBe(201);
      expect(retry.statusCode).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json().version.id).toBe(first.json().version.id);
      expect(retry.json().replayed).toBe(true);
      expect(retry.json().secret).toBeUndefined();
      const versions = (await h.call('GET', `/v1/keys/${created.key.id}/versions`, h.adminKey)).json().items;
      expect(versions).toHaveLength(2);
      const audit = (await h.call('GET', `/v1/audit?action=key.rotate&keyId=${created.key.id}`, h.adminKey)).json().items;
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(first.json().secret);
    });

    it('revokes one version: that secret stops verifying, the other keeps working', async () => {
      const created = await h.createKey({ name: 'rot-5' });
      const rotated = (await h.call('POST', `/v1/keys/${created.key.id}/rotate`, h.adminKey, { overlap: '1d' })).json();
      const res = await h.call('DELETE', `/v1/keys/${created.key.id}/versions/${created.version.id}`, h.adminKey);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: created.version.id, status: 'revoked' });
      expect((await verify(created.secret)).code).toBe('REVOKED');
      expect((await verify(rotated.secret)).code).toBe('VALID');
    });

    it('answers EXPIRED once the key passes its expiresAt', async () => {
      const expiresAt = new Date(clock.now() + 60 * 60_000).toISOString();
      const created = await h.createKey({ name: 'rot-6', expiresAt });
      expect((await verify(created.secret)).code).toBe('VALID');
      clock.advance(61 * 60_000);
      expect((await verify(created.secret)).code).toBe('EXPIRED');
      expect((await h.call('GET', `/v1/keys/${created.key.id}`, h.adminKey)).json().status).toBe('expired');
    });
  },
  { clock: clock.now },
);
