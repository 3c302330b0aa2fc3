import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  AwsSecretsManagerDestination,
  DeliveryError,
  deliver,
  FileDestination,
  KubernetesSecretDestination,
  nodeFileIo,
  type SecretDestination,
} from '../../src/delivery/index.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.js';

const SECRET = 'kw_live_N0tInAnyErr0rMessage7Q';
const OTHER = 'kw_live_AlsoN0tInAnyErr0rMsg8R';
const forms = (s: string): string[] => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url')];

/** Everything an error could leak through: message, stack, JSON, inspect (own props), cause. */
function everything(err: unknown): string {
  return [String(err), (err as Error).stack ?? '', JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })].join('\n');
}

async function expectCleanFailure(run: () => Promise<unknown>): Promise<DeliveryError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DeliveryError);
  const text = everything(caught);
  for (const form of [...forms(SECRET), ...forms(OTHER)]) expect(text).not.toContain(form);
  return caught as DeliveryError;
}

describe('secrets never appear in delivery errors', () => {
  let sm: FakeSecretsManager;
  let kube: FakeKubeApiServer;
  let client: SecretsManagerClient;
  let api: CoreV1Api;
  let dir: string;
  let n = 0;

  beforeAll(async () => {
    sm = await startFakeSecretsManager();
    kube = await startFakeKubeApiServer();
    client = new SecretsManagerClient(sm.clientConfig());
    api = kube.kubeConfig().makeApiClient(CoreV1Api);
    dir = await mkdtemp(join(tmpdir(), 'kw-delivery-sec-'));
  });
  afterAll(async () => {
    client.destroy();
    await sm.stop();
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const destinations = (): Array<[string, SecretDestination]> => {
    n++;
    return [
      ['aws', new AwsSecretsManagerDestination({ secretId: `sec/${n}`, client })],
      ['kubernetes', new KubernetesSecretDestination({ namespace: 'sec', name: `s-${n}`, key: 'API_KEY', api })],
      ['file', new FileDestination({ path: join(dir, `key-${n}`), mode: 'test' })],
    ];
  };

  it('keeps both secrets out of version-conflict errors at every destination', async () => {
    for (const [, d] of destinations()) {
      await deliver(d, { keyId: 'k', versionId: 'v1', secret: SECRET });
      const err = await expectCleanFailure(() => d.stage({ keyId: 'k', versionId: 'v1', secret: OTHER }));
      expect(err.code).toBe('KW_DELIVERY_VERSION_CONFLICT');
    }
  });

  it('redacts a secret that an upstream error message echoes back (AWS)', async () => {
    const d = new AwsSecretsManagerDestination({ secretId: `sec/echo-${++n}`, client });
    await deliver(d, { keyId: 'k', versionId: 'v1', secret: OTHER });
    sm.injectFault({ operation: 'PutSecretValue', errorType: 'InvalidParameterException', message: `bad SecretString ${SECRET} (${Buffer.from(SECRET).toString('base64')})` });
    const err = await expectCleanFailure(() => d.stage({ keyId: 'k', versionId: 'v2', secret: SECRET }));
    expect(err.message).toContain('[REDACTED]');
    expect(err.upstream).toBe('InvalidParameterException');
    expect(err.retryable).toBe(false);
  });

  it('redacts a secret that an upstream Status message echoes back (Kubernetes)', async () => {
    const d = new KubernetesSecretDestination({ namespace: 'sec', name: `echo-${++n}`, key: 'API_KEY', api });
    kube.injectFault({ method: 'POST', code: 422, reason: 'Invalid', message: `Secret is invalid: data[API_KEY]: ${Buffer.from(SECRET).toString('base64')}` });
    const err = await expectCleanFailure(() => d.stage({ keyId: 'k', versionId: 'v1', secret: SECRET }));
    expect(err.upstream).toBe('HTTP 422 Invalid');
  });

  it('redacts a secret in a file-system error message (file)', async () => {
    const d = new FileDestination({
      path: join(dir, `echo-${++n}`),
      mode: 'test',
      io: {
        ...nodeFileIo,
        async create() {
          throw Object.assign(new Error(`EACCES: cannot write ${SECRET}`), { code: 'EACCES' });
        },
      },
    });
    const err = await expectCleanFailure(() => d.stage({ keyId: 'k', versionId: 'v1', secret: SECRET }));
    expect(err.upstream).toBe('EACCES');
  });

  it('keeps the secret out of failures of unreachable peers', async () => {
    const deadClient = new SecretsManagerClient({ ...sm.clientConfig(), endpoint: 'http://127.0.0.1:1' });
    const deadKube = kube.kubeConfig();
    deadKube.clusters[0] = { ...deadKube.clusters[0]!, server: 'http://127.0.0.1:1' };
    try {
      for (const d of [
        new AwsSecretsManagerDestination({ secretId: 'sec/dead', client: deadClient }),
        new KubernetesSecretDestination({ namespace: 'sec', name: 'dead', key: 'K', api: deadKube.makeApiClient(CoreV1Api) }),
      ]) {
        const err = await expectCleanFailure(() => d.stage({ keyId: 'k', versionId: 'v1', secret: SECRET }));
        expect(err.retryable).toBe(true);
      }
    } finally {
      deadClient.destroy();
    }
  });
});
