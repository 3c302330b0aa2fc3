// An in-process key service on SQLite in a temp dir, listening on 127.0.0.1:0, with a
// bootstrapped admin key: the real peer of the client tests (and of the fuzz tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { bootstrapAdmin, createKeyService, type KeyService, type KeyServiceOptions } from '../../src/keyservice/index.js';

export const TEST_PEPPER = 'test-pepper-0123456789abcdef';
export const TEST_PREFIX = 'kw';

export interface InProcessService {
  readonly service: KeyService;
  /** Base URL, e.g. http://127.0.0.1:PORT (undefined when `listen: false`). */
  readonly url: string;
  readonly adminKey: string;
  readonly adminKeyId: string;
  readonly accountId: string;
  /** Every log line the service wrote (to check that no secret is logged). */
  readonly logs: string[];
  stop(): Promise<void>;
}

export async function startInProcessService(
  overrides: Partial<KeyServiceOptions> = {},
  opts: { listen?: boolean } = {},
): Promise<InProcessService> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-svc-'));
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const service = await createKeyService({
    databaseUrl: `sqlite:${join(dir, 'keys.db')}`,
    pepper: TEST_PEPPER,
    keyPrefix: TEST_PREFIX,
    port: 0,
    logStream,
    ...overrides,
  });
  try {
    const admin = await bootstrapAdmin({ store: service.store, pepper: TEST_PEPPER, keyPrefix: TEST_PREFIX });
    const url = opts.listen === false ? '' : await service.listen();
    return {
      service,
      url,
      adminKey: admin.secret,
      adminKeyId: admin.keyId,
      accountId: admin.accountId,
      logs,
      async stop() {
        await service.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
