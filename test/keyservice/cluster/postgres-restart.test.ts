// PostgreSQL stopped and restarted under load: the service answers 503 while its database is
// gone, recovers by itself when it is back, and loses no write it acknowledged.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { KeywardenApiError } from '../../../src/client/index.js';
import { keyserviceBuildMissing } from '../../support/keyservice-process.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../../support/postgres.js';
import { describeWith } from '../../support/prerequisite.js';
import { pollUntil, startTwoReplicas, type TwoReplicas } from './cluster-support.js';

describeWith(postgresMissing() ?? keyserviceBuildMissing())('PostgreSQL restarted under load', () => {
  let pg: PostgresCluster;
  let replicas: TwoReplicas;

  beforeAll(async () => {
    pg = await startPostgres();
    replicas = await startTwoReplicas(pg, 'restart');
  }, 60_000);
  afterAll(async () => {
    await replicas?.stop();
    pg?.destroy();
  });

  it('answers 503 while PostgreSQL is down, recovers by itself, and keeps every acknowledged write', async () => {
    const { clientA, clientB } = replicas;
    const acknowledged: Array<{ id: string; name: string }> = [];
    const statuses = new Map<number, number>();
    let phase: 'up' | 'down' | 'back' = 'up';
    const down503: number[] = [];
    const ackedAfterRestart = { a: 0, b: 0 };
    let running = true;
    let seq = 0;

    // Two writers (one per replica) create keys back to back until told to stop.
    const writer = async (client: typeof clientA, tag: 'a' | 'b'): Promise<void> => {
      while (running) {
        const name = `load-${tag}-${seq++}`;
        try {
          const created = await client.createKey({ name, environment: 'production' });
          acknowledged.push({ id: created.key.id, name });
          if (phase === 'back') ackedAfterRestart[tag]++;
          statuses.set(201, (statuses.get(201) ?? 0) + 1);
        } catch (err) {
          if (!(err instanceof KeywardenApiError)) throw err;
          statuses.set(err.status, (statuses.get(err.status) ?? 0) + 1);
          if (phase === 'down' && err.status === 503) {
            expect(err.code).toBe('service_unavailable');
            down503.push(err.status);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const writers = [writer(clientA, 'a'), writer(clientB, 'b')];

    expect(await pollUntil(async () => acknowledged.length >= 10, 20_000)).toBe(true);

    pg.stop();
    phase = 'down';
    // Both replicas refuse with 503 (writes and readiness), and neither process dies.
    expect(await pollUntil(async () => down503.length >= 2, 20_000, 50)).toBe(true);
    for (const client of [clientA, clientB]) {
      await expect(client.health('ready')).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
      expect(await client.health('live')).toEqual({ status: 'ok' });
    }
    pg.start();
    phase = 'back';
    // Recovery needs no restart of the service: new writes are acknowledged again by both.
    expect(await pollUntil(async () => ackedAfterRestart.a >= 5 && ackedAfterRestart.b >= 5, 30_000, 50)).toBe(true);
    running = false;
    await Promise.all(writers);

    // Only the refusals we expect: 503 while down; nothing else failed.
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect((await clientA.health('ready')).status).toBe('ready');

    // Every acknowledged key is there, through either replica.
    const ids = new Set<string>();
    for await (const key of clientB.iterateKeys({ environment: 'production', limit: 200 })) ids.add(key.id);
    const lost = acknowledged.filter((k) => !ids.has(k.id));
    expect(lost).toEqual([]);
    for (const k of acknowledged.slice(-3)) expect((await clientA.getKey(k.id)).name).toBe(k.name);
  }, 120_000);
});
