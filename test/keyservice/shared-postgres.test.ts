// Two service instances on one PostgreSQL database (as two replicas would be), and a
// PostgreSQL outage: 503 while it is down, recovery without a restart.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { bootstrapAdmin, createKeyService, VERIFY_STALENESS_FACTOR } from '../../src/keyservice/index.js';
import type { KeyService } from '../../src/keyservice/index.js';
import { postgresMissing, startPostgres } from '../support/postgres.js';
import type { PostgresCluster } from '../support/postgres.js';
import { describeWith } from '../support/prerequisite.js';
import { PEPPER } from './support/harness.js';

describeWith(postgresMissing())('two services sharing PostgreSQL', () => {
  let cluster: PostgresCluster;
  let a: KeyService;
  let b: KeyService;
  let urlA: string;
  let urlB: string;
  let admin: string;

  beforeAll(async () => {
    cluster = await startPostgres();
    const databaseUrl = cluster.createDatabase('shared');
    const common = { databaseUrl, pepper: PEPPER, logLevel: 'silent', port: 0, databaseTimeoutMs: 1500 };
    a = await createKeyService(common);
    b = await createKeyService(common);
    urlA = await a.listen();
    urlB = await b.listen();
    admin = (await bootstrapAdmin({ store: a.store, pepper: PEPPER })).secret;
  }, 60_000);

  afterAll(async () => {
    try {
      await Promise.all([a?.close(), b?.close()]);
    } finally {
      cluster?.destroy();
    }
  }, 60_000);

  const post = async (base: string, path: string, body: unknown, key?: string) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('enforces a rate limit of N as exactly N across both services', async () => {
    const created = (await post(urlA, '/v1/keys', { name: 'shared-limit', environment: 'e', rateLimit: { requests: 7, windowSeconds: 3600 } }, admin)).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i % 2 === 0 ? urlA : urlB, '/v1/verify', { key: created.secret })),
    );
    const valid = results.filter((r) => r.body.code === 'VALID').length;
    const limited = results.filter((r) => r.body.code === 'RATE_LIMITED').length;
    expect(valid).toBe(7);
    expect(limited).toBe(13);
  });

  it('refuses, through the other service, a key revoked through one within the change-feed bound', async () => {
    const created = (await post(urlA, '/v1/keys', { name: 'shared-revoke', environment: 'e' }, admin)).body;
    expect((await post(urlB, '/v1/verify', { key: created.secret })).body.code).toBe('VALID');
    const res = await fetch(`${urlA}/v1/keys/${created.key.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, VERIFY_STALENESS_FACTOR * b.options.keyChangePollMs + 50));
    expect((await post(urlB, '/v1/verify', { key: created.secret })).body.code).toBe('REVOKED');
  });

  it('answers 503 service_unavailable while PostgreSQL is down and recovers by itself', async () => {
    const created = (await post(urlA, '/v1/keys', { name: 'outage', environment: 'e' }, admin)).body;
    cluster.stop();
    try {
      await new Promise((resolve) => setTimeout(resolve, VERIFY_STALENESS_FACTOR * a.options.keyChangePollMs + 50));
      const verify = await post(urlA, '/v1/verify', { key: created.secret });
      expect(verify.status).toBe(503);
      expect(verify.body.error.code).toBe('service_unavailable');
      const ready = await fetch(`${urlB}/readyz`);
      expect(ready.status).toBe(503);
      const write = await post(urlB, '/v1/keys', { name: 'during-outage', environment: 'e' }, admin);
      expect(write.status).toBe(503);
    } finally {
      cluster.start();
    }
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await fetch(`${urlA}/readyz`)).status;
      if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready).toBe(200);
    expect((await post(urlA, '/v1/verify', { key: created.secret })).body.code).toBe('VALID');
    const get = await fetch(`${urlB}/v1/keys/${created.key.id}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(get.status).toBe(200);
  });
});
