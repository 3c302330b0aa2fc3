// Two `keywarden serve` processes on one throw-away PostgreSQL database, with an admin key
// bootstrapped straight into that database.
import { KeywardenClient } from '../../../src/client/index.js';
import { bootstrapAdmin } from '../../../src/keyservice/index.js';
import { spawnKeyservice, type KeyserviceProcess } from '../../support/keyservice-process.js';
import type { PostgresCluster } from '../../support/postgres.js';

export const PEPPER = 'cluster-pepper-0123456789abcdef';

export interface TwoReplicas {
  readonly a: KeyserviceProcess;
  readonly b: KeyserviceProcess;
  readonly adminKey: string;
  /** Admin clients of each replica (no retries: the tests look at every answer). */
  readonly clientA: KeywardenClient;
  readonly clientB: KeywardenClient;
  stop(): Promise<void>;
}

export async function startTwoReplicas(pg: PostgresCluster, database: string): Promise<TwoReplicas> {
  const url = pg.createDatabase(database);
  const admin = await bootstrapAdmin({ databaseUrl: url, pepper: PEPPER, keyPrefix: 'kw' });
  const env = { KEYWARDEN_PEPPER: PEPPER, KEYWARDEN_KEY_PREFIX: 'kw', KEYWARDEN_LOG_LEVEL: 'info' };
  const a = await spawnKeyservice({ database: url, env });
  let b: KeyserviceProcess;
  try {
    b = await spawnKeyservice({ database: url, env });
  } catch (err) {
    await a.stop();
    throw err;
  }
  const client = (endpoint: string): KeywardenClient =>
    new KeywardenClient({ endpoint, apiKey: admin.secret, retry: { retries: 0 }, timeoutMs: 15_000 });
  return {
    a,
    b,
    adminKey: admin.secret,
    clientA: client(a.url),
    clientB: client(b.url),
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}

/** Calls `probe` every `intervalMs` until it returns true or `deadlineMs` passes; resolves to whether it did. */
export async function pollUntil(probe: () => Promise<boolean>, deadlineMs: number, intervalMs = 25): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
