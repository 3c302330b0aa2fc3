import { expect, it } from '@jest/globals';
import { forEachBackend, movableClock } from '../support/harness.js';

const clock = movableClock();

forEachBackend(
  'audit of failed authentications under a spray of bad keys',
  (h) => {
    const unknownKey = (i: number): string => `kw_test_${String(i).padStart(26, 'Q')}`;
    const failures = async () =>
      (await h.call('GET', '/v1/audit?allAccounts=true&action=auth.failure&limit=200', h.adminKey)).json().items as Array<{
        account: string | null;
        keyId: string | null;
        details: { code: string; suppressed?: number; summary?: boolean };
      }>;
    /** Failure audits are written without holding up the 401 (an attacker's spray must stay cheap): poll for them. */
    async function settled<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
      for (let i = 0; ; i++) {
        const value = await read();
        if (done(value) || i >= 200) return value;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    const metric = async (reason: string): Promise<number> => {
      const text = (await h.request('GET', '/metrics')).body;
      const line = text.split('\n').find((l) => l.startsWith(`keywarden_auth_failures_total{reason="${reason}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };

    it('writes one audit event per code and address per minute, counts every failure in metrics, and reports what it left out', async () => {
      clock.advance(10 * 60_000);
      const before = (await failures()).length;
      const malformedBefore = await metric('MALFORMED');
      for (let i = 0; i < 40; i++) {
        const res = await h.call('GET', '/v1/keys', `${unknownKey(i)}x`);
        expect(res.statusCode).toBe(401);
      }
      expect(await metric('MALFORMED')).toBe(malformedBefore + 40);
      const all = await settled(failures, (items) => items.length > before);
      const written = all.slice(0, all.length - before);
      expect(written.filter((e) => e.details.code === 'MALFORMED')).toHaveLength(1);

      clock.advance(61_000);
      expect((await h.call('GET', '/v1/keys', 'nonsense')).statusCode).toBe(401);
      const latest = (await settled(failures, (items) => items[0]?.details.suppressed !== undefined))[0]!;
      expect(latest.details).toMatchObject({ code: 'MALFORMED', suppressed: 39 });
    });

    it('still writes the first failure of each known key at once (a revoked key probing the API is seen)', async () => {
      const a = await h.createKey({ name: 'spray-a', scopes: ['keys:read'] });
      const b = await h.createKey({ name: 'spray-b', scopes: ['keys:read'] });
      await h.call('DELETE', `/v1/keys/${a.key.id}`, h.adminKey);
      await h.call('DELETE', `/v1/keys/${b.key.id}`, h.adminKey);
      for (let i = 0; i < 10; i++) {
        await h.call('GET', '/v1/keys', a.secret);
        await h.call('GET', '/v1/keys', b.secret);
      }
      const mine = (items: Awaited<ReturnType<typeof failures>>) => items.filter((e) => e.keyId === a.key.id || e.keyId === b.key.id);
      const events = mine(await settled(failures, (items) => mine(items).length >= 2));
      expect(events.map((e) => e.keyId).sort()).toEqual([a.key.id, b.key.id].sort());
      expect(events.every((e) => e.details.code === 'REVOKED')).toBe(true);
      expect(JSON.stringify(events)).not.toContain(a.secret);
    });

    it('throttles verify failures of a known key the same way', async () => {
      const k = await h.createKey({ name: 'spray-verify' });
      await h.call('PATCH', `/v1/keys/${k.key.id}`, h.adminKey, { enabled: false });
      for (let i = 0; i < 25; i++) expect((await h.call('POST', '/v1/verify', undefined, { key: k.secret })).json().code).toBe('DISABLED');
      const verifyFailures = async (): Promise<Array<{ details: Record<string, unknown> }>> => (await h.call('GET', `/v1/audit?action=verify.failure&keyId=${k.key.id}`, h.adminKey)).json().items;
      const audit = await settled(verifyFailures, (items) => items.length >= 1);
      expect(audit).toHaveLength(1);
      clock.advance(61_000);
      await h.call('POST', '/v1/verify', undefined, { key: k.secret });
      const after = await settled(verifyFailures, (items) => items.length >= 2);
      expect(after).toHaveLength(2);
      expect(after[0]!.details).toMatchObject({ code: 'DISABLED', suppressed: 24 });
    });
  },
  { clock: clock.now },
);
