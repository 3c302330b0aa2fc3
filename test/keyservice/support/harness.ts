// Test harness of the key service: one service per test file on SQLite (in memory) or on a
// throw-away PostgreSQL cluster, an admin key, helpers to create keys and call routes.
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from '@jest/globals';
import { bootstrapAdmin, createKeyService } from '../../../src/keyservice/index.js';
import type { CreateKeyRequest, CreateKeyResponse, KeyService, KeyServiceOptions } from '../../../src/keyservice/index.js';
import { postgresMissing, startPostgres } from '../../support/postgres.js';
import { describeWith } from '../../support/prerequisite.js';
import type { PostgresCluster } from '../../support/postgres.js';

export const PEPPER = 'test-pepper-0123456789abcdef';

export type Backend = 'sqlite' | 'postgres';

/** The backends every route test runs against; PostgreSQL only where it is installed (CI: always). */
export const BACKENDS: ReadonlyArray<{ name: Backend; missing: string | undefined }> = [
  { name: 'sqlite', missing: undefined },
  { name: 'postgres', missing: postgresMissing() },
];

export interface Harness {
  service: KeyService;
  /** The bootstrap admin key (all management scopes). */
  adminKey: string;
  adminKeyId: string;
  accountId: string;
  /** Every log line the service wrote (to assert that no secret leaks). */
  logs: string[];
  /** A second account with its own admin key. */
  other: { accountId: string; adminKey: string; adminKeyId: string };
  cluster?: PostgresCluster;
  /** Base URL of the listening service. */
  url: string;
  /** A raw HTTP request (the body is sent as is). */
  request(method: string, path: string, init?: { headers?: Record<string, string>; body?: string }): Promise<Reply>;
  /** Calls a route with `key` as Bearer token and `body` as JSON. */
  call(method: string, path: string, key: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Creates a key through the API as the admin; throws unless 201. */
  createKey(body: Partial<CreateKeyRequest> & { name: string }, asKey?: string): Promise<CreateKeyResponse>;
}

/** An HTTP answer, read completely. */
export interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json<T = any>(): T;
}

let databaseCounter = 0;

// One PostgreSQL cluster per test file, shared by its describe blocks (each gets a database).
let sharedCluster: Promise<PostgresCluster> | undefined;
let clusterUsers = 0;

function acquireCluster(): Promise<PostgresCluster> {
  clusterUsers++;
  sharedCluster ??= startPostgres();
  return sharedCluster;
}

async function releaseCluster(): Promise<void> {
  clusterUsers--;
  if (clusterUsers === 0 && sharedCluster) {
    const cluster = await sharedCluster;
    sharedCluster = undefined;
    cluster.destroy();
  }
}

// Requests go over loopback HTTP: fastify's app.inject cannot load under Jest here
// (light-my-request requires the ESM-only `cookie` package).
async function send(url: string, method: string, init: { headers?: Record<string, string>; body?: string }): Promise<Reply> {
  const res = await fetch(url, { method, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
  const body = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: res.status, headers, body, json: () => JSON.parse(body) };
}

/** Starts a service for the enclosing describe block and stops it (and its cluster) afterwards. */
export function useService(backend: Backend, extra: Partial<KeyServiceOptions> = {}): Harness {
  const h = { logs: [] as string[] } as Harness;
  beforeAll(async () => {
    let databaseUrl = ':memory:';
    if (backend === 'postgres') {
      h.cluster = await acquireCluster();
      databaseUrl = h.cluster.createDatabase(`ks${++databaseCounter}`);
    }
    const logStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        h.logs.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        cb();
      },
    });
    h.service = await createKeyService({ databaseUrl, pepper: PEPPER, logLevel: 'debug', logStream, port: 0, ...extra });
    h.url = await h.service.listen();
    const admin = await bootstrapAdmin({ store: h.service.store, pepper: PEPPER, keyPrefix: h.service.options.keyPrefix });
    h.adminKey = admin.secret;
    h.adminKeyId = admin.keyId;
    h.accountId = admin.accountId;
    const other = await bootstrapAdmin({
      store: h.service.store,
      pepper: PEPPER,
      keyPrefix: h.service.options.keyPrefix,
      accountName: 'other',
      force: true,
    });
    h.other = { accountId: other.accountId, adminKey: other.secret, adminKeyId: other.keyId };
  }, 60_000);
  afterAll(async () => {
    try {
      await h.service?.close();
    } finally {
      if (h.cluster) await releaseCluster();
    }
  }, 60_000);
  h.request = (method, path, init = {}) => send(h.url + path, method, init);
  h.call = (method, path, key, body, headers = {}) =>
    send(h.url + path, method, {
      headers: {
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  h.createKey = async (body, asKey) => {
    const res = await h.call('POST', '/v1/keys', asKey ?? h.adminKey, { environment: 'production', ...body });
    if (res.statusCode !== 201) throw new Error(`create key failed: ${res.statusCode} ${res.body}`);
    return res.json<CreateKeyResponse>();
  };
  return h;
}

/** Runs `body` once per backend (PostgreSQL skipped loudly where missing; required in CI). */
export function forEachBackend(title: string, body: (h: Harness, backend: Backend) => void, extra: Partial<KeyServiceOptions> = {}): void {
  for (const backend of BACKENDS) {
    describeWith(backend.missing)(`${title} (${backend.name})`, () => {
      const h = useService(backend.name, extra);
      body(h, backend.name);
    });
  }
}

/** A clock tests can move. */
export function movableClock(): { now: () => number; advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}
