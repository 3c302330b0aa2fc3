// The key service `keywarden up` runs in this process: SQLite under the data directory, a
// pepper generated once into `<data>/pepper` (mode 0600), and an admin key that exists for
// this run only — created through the store at the start, revoked at the end, its plaintext
// never written anywhere.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapAdmin, createKeyService, type KeyService } from '../keyservice/index.js';
import type { KeyServiceCredentials } from './provider-host.js';

export interface EmbeddedServiceOptions {
  /** Directory of the store and the pepper, e.g. `<project dir>/.keywarden`. */
  readonly dataDir: string;
  /** Where the service's own (error) log lines go. */
  readonly logStream: NodeJS.WritableStream;
}

export interface EmbeddedService {
  readonly service: KeyService;
  /** Endpoint and the run's admin key (keys:read, keys:write, keys:rotate and the rest). */
  readonly credentials: KeyServiceCredentials;
  /** The SQLite file. */
  readonly databaseFile: string;
  /** True when this run created the store's account (its first run). */
  readonly firstRun: boolean;
  /** Revokes the run's admin key and closes the service. */
  stop(): Promise<void>;
}

export const PEPPER_FILE = 'pepper';
export const DATABASE_FILE = 'keywarden.db';

/** The data directory's pepper, generated (256 random bits, mode 0600) the first time. */
export function ensurePepper(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, PEPPER_FILE);
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

/** Starts the embedded key service on 127.0.0.1 (a free port) with a run-scoped admin key. */
export async function startEmbeddedService(options: EmbeddedServiceOptions): Promise<EmbeddedService> {
  const pepper = ensurePepper(options.dataDir);
  const databaseFile = join(options.dataDir, DATABASE_FILE);
  const service = await createKeyService({
    databaseUrl: `sqlite:${databaseFile}`,
    pepper,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error',
    logStream: options.logStream,
  });
  try {
    const existing = await service.store.listAccounts({ limit: 1 });
    const account = existing.items[0];
    // A run that was killed could not revoke its key: do it now (its plaintext is lost anyway).
    if (account !== undefined) await revokeLeftoverRunKeys(service, account.id);
    const keyName = `${RUN_KEY_NAME_PREFIX}${randomBytes(4).toString('hex')}`;
    const admin =
      account === undefined
        ? await bootstrapAdmin({ store: service.store, pepper, keyPrefix: service.options.keyPrefix, keyName, expiresAt: Date.now() + RUN_KEY_LIFETIME_MS })
        : await bootstrapAdmin({
            store: service.store,
            pepper,
            keyPrefix: service.options.keyPrefix,
            keyName,
            accountId: account.id,
            expiresAt: Date.now() + RUN_KEY_LIFETIME_MS,
          });
    const endpoint = await service.listen();
    let stopped: Promise<void> | undefined;
    return {
      service,
      credentials: { endpoint, apiKey: admin.secret },
      databaseFile,
      firstRun: account === undefined,
      stop() {
        stopped ??= (async () => {
          try {
            await service.store.revokeKey(admin.accountId, admin.keyId);
          } finally {
            await service.close();
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    await service.close();
    throw error;
  }
}

/** Name prefix of the run keys (`keywarden-up-<8 hex>`), in the account's `admin` environment. */
const RUN_KEY_NAME_PREFIX = 'keywarden-up-';

async function revokeLeftoverRunKeys(service: KeyService, accountId: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await service.store.listKeys(accountId, { environment: 'admin', status: 'active' }, { limit: 200, ...(cursor !== undefined ? { cursor } : {}) });
    for (const key of page.items) if (key.name.startsWith(RUN_KEY_NAME_PREFIX)) await service.store.revokeKey(accountId, key.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Lifetime of a run's admin key: it is revoked at the end of the run, and expires anyway. */
const RUN_KEY_LIFETIME_MS = 24 * 3600 * 1000;
