// Two service processes sharing one PostgreSQL: what one does, the other honours.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { keyserviceBuildMissing } from '../../support/keyservice-process.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../../support/postgres.js';
import { describeWith } from '../../support/prerequisite.js';
import { pollUntil, startTwoReplicas, type TwoReplicas } from './cluster-support.js';

describeWith(postgresMissing() ?? keyserviceBuildMissing())('two key service processes on one PostgreSQL', () => {
  let pg: PostgresCluster;
  let replicas: TwoReplicas;

  beforeAll(async () => {
    pg = await startPostgres();
    replicas = await startTwoReplicas(pg, 'replicas');
  }, 60_000);
  afterAll(async () => {
    await replicas?.stop();
    pg?.destroy();
  });

  it('refuses on B, within 1 s, a key revoked through A', async () => {
    const { clientA, clientB } = replicas;
    const created = await clientA.createKey({ name: 'revoked-across', environment: 'production' });
    // B has seen the key as valid (and may cache that answer).
    expect((await clientB.verify({ key: created.secret })).valid).toBe(true);
    await clientA.revokeKey(created.key.id);
    const refused = await pollUntil(async () => !(await clientB.verify({ key: created.secret })).valid, 1000);
    expect(refused).toBe(true);
    expect(await clientB.verify({ key: created.secret })).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('allows exactly N requests of a key limited to N, spread over both processes', async () => {
    const { clientA, clientB } = replicas;
    const N = 25;
    const created = await clientA.createKey({
      name: 'limited-across',
      environment: 'production',
      rateLimit: { requests: N, windowSeconds: 3600 },
    });
    // One verification through each replica first (both take part in the allowed ones whatever
    // the scheduling), then the other 2N - 2 at once, alternating between the replicas.
    const first = [await clientA.verify({ key: created.secret }), await clientB.verify({ key: created.secret })];
    expect(first.map((a) => a.code)).toEqual(['VALID', 'VALID']);
    const rest = await Promise.all(
      Array.from({ length: 2 * N - 2 }, (_, i) => (i % 2 === 0 ? clientA : clientB).verify({ key: created.secret })),
    );
    const answers = [...first, ...rest];
    expect(answers.filter((a) => a.valid)).toHaveLength(N);
    expect(answers.filter((a) => !a.valid).every((a) => a.code === 'RATE_LIMITED')).toBe(true);
  });

  it('enforces the admin API rate limit across both processes too', async () => {
    const { clientA } = replicas;
    const N = 6;
    const limited = await clientA.createKey({
      name: 'admin-limited',
      environment: 'admin',
      scopes: ['keys:read'],
      rateLimit: { requests: N, windowSeconds: 3600 },
    });
    const { KeywardenClient } = await import('../../../src/client/index.js');
    const [a, b] = [replicas.a.url, replicas.b.url].map(
      (endpoint) => new KeywardenClient({ endpoint, apiKey: limited.secret, retry: { retries: 0 } }),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 2 * N }, (_, i) =>
        (i % 2 === 0 ? a! : b!).whoami().then(
          () => 200,
          (e: { status: number }) => e.status,
        ),
      ),
    );
    expect(outcomes.filter((s) => s === 200)).toHaveLength(N);
    expect(outcomes.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
  });
});
