import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Delivery } from '../../src/spec/model.js';
import {
  AwsSecretsManagerDestination,
  createDestination,
  DeliveryError,
  deliverAll,
  FileDestination,
  KubernetesSecretDestination,
  secretsManagerClients,
} from '../../src/delivery/index.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.js';

const V1 = { keyId: 'key_1', versionId: 'ver_1', secret: 'kw_test_FactorySecretValue01' };

describe('destinations from spec delivery entries', () => {
  let sm: FakeSecretsManager;
  let kube: FakeKubeApiServer;
  let dir: string;
  let clients: ReturnType<typeof secretsManagerClients>;

  beforeAll(async () => {
    sm = await startFakeSecretsManager({ region: 'eu-west-1' });
    kube = await startFakeKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), 'kw-delivery-factory-'));
    const config = sm.clientConfig();
    clients = secretsManagerClients({ endpoint: config.endpoint, credentials: config.credentials, defaultRegion: 'eu-west-1', maxAttempts: 1 });
  });
  afterAll(async () => {
    await sm.stop();
    await kube.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives up on a Secrets Manager that accepts the connection and never answers, once the deadline passes', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const make = secretsManagerClients({ endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, credentials: sm.clientConfig().credentials, defaultRegion: 'eu-west-1', maxAttempts: 1, requestTimeoutMs: 300 });
      const client = make(undefined);
      await expect(client.send(new GetSecretValueCommand({ SecretId: 'prod/app' }))).rejects.toMatchObject({ name: 'TimeoutError' });
      client.destroy();
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('builds each kind of destination with a description that names where, not what', () => {
    const context = { mode: 'test' as const, secretsManager: clients, kubernetes: kube.kubeConfig().makeApiClient(CoreV1Api) };
    const aws = createDestination({ kind: 'awsSecretsManager', name: 'prod/app', region: 'us-east-1' }, context);
    const k8s = createDestination({ kind: 'kubernetesSecret', namespace: 'ns', name: 's', key: 'K' }, context);
    const file = createDestination({ kind: 'file', path: join(dir, 'k') }, context);
    expect(aws).toBeInstanceOf(AwsSecretsManagerDestination);
    expect(aws.description).toBe('aws-secrets-manager:prod/app (us-east-1)');
    expect(k8s).toBeInstanceOf(KubernetesSecretDestination);
    expect(k8s.description).toBe('kubernetes-secret:ns/s#K');
    expect(file).toBeInstanceOf(FileDestination);
    expect(file.description).toBe(`file:${join(dir, 'k')}`);
  });

  it('keeps one Secrets Manager client per region', () => {
    expect(clients('eu-west-1')).toBe(clients(undefined));
    expect(clients('us-east-1')).not.toBe(clients('eu-west-1'));
  });

  it('says which client is missing', () => {
    expect(() => createDestination({ kind: 'awsSecretsManager', name: 'x' }, { mode: 'live' })).toThrow(/KW_DELIVERY_MISSING_CLIENT/);
    expect(() => createDestination({ kind: 'kubernetesSecret', namespace: 'n', name: 'x', key: 'K' }, { mode: 'live' })).toThrow(
      /KW_DELIVERY_MISSING_CLIENT/,
    );
  });

  it('delivers one version to every destination of a key', async () => {
    const api = kube.kubeConfig().makeApiClient(CoreV1Api);
    const entries: Delivery[] = [
      { kind: 'awsSecretsManager', name: 'staging/order-bot/billing' },
      { kind: 'kubernetesSecret', namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' },
      { kind: 'file', path: join(dir, 'billing.key') },
    ];
    const destinations = entries.map((e) => createDestination(e, { mode: 'test', secretsManager: clients, kubernetes: api }));
    await deliverAll(destinations, V1);
    await deliverAll(destinations, V1);
    for (const d of destinations) expect(await d.current()).toBe('ver_1');
    const aws = await clients(undefined).send(new GetSecretValueCommand({ SecretId: 'staging/order-bot/billing' }));
    expect(aws.SecretString).toBe(V1.secret);
    expect(await readFile(join(dir, 'billing.key'), 'utf8')).toBe(V1.secret);
  });

  it('promotes nowhere when one destination refuses the staged write, and discards the others', async () => {
    const api = kube.kubeConfig().makeApiClient(CoreV1Api);
    const context = { mode: 'test' as const, secretsManager: clients, kubernetes: api, createMissingSecrets: false };
    const file = createDestination({ kind: 'file', path: join(dir, 'partial.key') }, context);
    const missing = createDestination({ kind: 'awsSecretsManager', name: 'not/created/by/the/stack' }, context);
    let caught: unknown;
    try {
      await deliverAll([file, missing], V1);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DeliveryError);
    expect((caught as DeliveryError).code).toBe('KW_DELIVERY_DESTINATION_MISSING');
    expect(await file.state()).toEqual({});
  });
});
