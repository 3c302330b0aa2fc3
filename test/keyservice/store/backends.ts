// Runs one store test body against SQLite (temp file) and a throw-away PostgreSQL cluster.
// Every `open()` without a URL gets a fresh, empty database; stores are closed after each test.
import { afterAll, afterEach, beforeAll, describe } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { join } from 'node:path';
import { digestKey, displayPrefix, generateKey, type KeyMode } from '../../../src/keyservice/key-format.js';
import { openStore, type KeyStore, type NewVersion, type StoreOptions } from '../../../src/keyservice/store/index.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../../support/postgres.js';
import { describeWith } from '../../support/prerequisite.js';

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** A URL of a fresh, empty database. */
  freshUrl(): Promise<string>;
  /** Opens a store (fresh database unless `url` is given); closed after the test. */
  open(options?: Partial<StoreOptions>): Promise<KeyStore>;
  /** Opens a store on a fresh database for the whole describe block (call in beforeAll); closed after it. */
  openShared(options?: Partial<StoreOptions>): Promise<KeyStore>;
  /** The PostgreSQL cluster (postgres backend only). */
  readonly cluster: PostgresCluster | undefined;
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public now = Date.UTC(2026, 0, 1)) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

let counter = 0;

/** A new secret and the version input storing it. */
export function newSecret(mode: KeyMode = 'live'): { secret: string; version: NewVersion } {
  const secret = generateKey('kw', mode);
  return { secret, version: { digest: digestKey(secret, 'test-pepper'), displayPrefix: displayPrefix(secret) } };
}

/** Declares `body` once per backend; `backend()` answers the one in force. */
export function eachBackend(title: string, body: (backend: () => Backend) => void): void {
  describe(`${title} [SQLite]`, () => {
    let dir = '';
    const opened: KeyStore[] = [];
    const shared: KeyStore[] = [];
    const freshUrl = async (): Promise<string> => `sqlite:${join(dir, `store-${++counter}.db`)}`;
    const backend: Backend = {
      name: 'sqlite',
      cluster: undefined,
      freshUrl,
      async open(options) {
        const store = await openStore({ ...options, url: options?.url ?? (await freshUrl()) });
        opened.push(store);
        return store;
      },
      async openShared(options) {
        const store = await openStore({ ...options, url: await freshUrl() });
        shared.push(store);
        return store;
      },
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'kw-store-'));
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await Promise.all(shared.splice(0).map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    });
    body(() => backend);
  });

  describeWith(postgresMissing())(`${title} [PostgreSQL]`, () => {
    let cluster: PostgresCluster | undefined;
    let admin: pg.Client | undefined;
    const opened: KeyStore[] = [];
    const shared: KeyStore[] = [];
    // CREATE DATABASE over a held connection: much faster than spawning createdb per test.
    const freshUrl = async (): Promise<string> => {
      const name = `kw_${process.pid}_${++counter}`;
      await admin!.query(`CREATE DATABASE ${name}`);
      return cluster!.url.replace(/\/postgres$/, `/${name}`);
    };
    const backend = {
      name: 'postgres' as const,
      get cluster() {
        return cluster;
      },
      freshUrl,
      async open(options?: Partial<StoreOptions>) {
        const store = await openStore({ ...options, url: options?.url ?? (await freshUrl()) });
        opened.push(store);
        return store;
      },
      async openShared(options?: Partial<StoreOptions>) {
        const store = await openStore({ ...options, url: await freshUrl() });
        shared.push(store);
        return store;
      },
    };
    beforeAll(async () => {
      cluster = await startPostgres();
      admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
    }, 60_000);
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await Promise.all(shared.splice(0).map((s) => s.close()));
      await admin?.end();
      cluster?.destroy();
    });
    body(() => backend);
  });
}
