// keywarden_api_key delivering its secret to a Kubernetes Secret (the loopback API server
// double, through the real @kubernetes/client-node and a kubeconfig file) and to AWS Secrets
// Manager (the loopback double, through the real AWS SDK), from one create.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TfObject } from '../../../src/provider/plugin/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager.js';
import { configuredServer, diagnosticsOf, keyObject, planAndCreate } from './provider-server.js';

describe('keywarden_api_key delivery to Kubernetes and Secrets Manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-provider-delivery-'));
  let service: InProcessService;
  let kube: FakeKubeApiServer;
  let aws: FakeSecretsManager;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    [service, kube, aws] = await Promise.all([startInProcessService(), startFakeKubeApiServer(), startFakeSecretsManager({ region: 'us-west-2' })]);
    writeFileSync(join(dir, 'kubeconfig'), kube.kubeConfig().exportConfig());
    // The provider takes AWS credentials from the SDK's default chain, as in production.
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-access-key';
  });
  afterAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
    process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
    if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    await Promise.all([service.stop(), kube.stop(), aws.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same secret into the Secret (other keys kept) and as AWSCURRENT, and keeps it out of state', async () => {
    kube.store.create('', 'secrets', 'orders', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'billing-api-key', namespace: 'orders' },
      data: { OTHER: Buffer.from('keep me').toString('base64') },
    });
    const server = await configuredServer({ endpoint: service.url, api_key: service.adminKey, kubeconfig: join(dir, 'kubeconfig'), aws_endpoint: aws.endpoint, aws_region: 'us-west-2' });
    const { apply, state } = await planAndCreate(
      server,
      keyObject({
        name: 'delivered',
        environment: 'prod',
        mode: 'live',
        kubernetes_secret: [{ namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' }],
        aws_secrets_manager: [{ secret_id: 'prod/order-bot/billing', region: null }],
      }),
    );
    expect(diagnosticsOf(apply)).toEqual([]);
    const secretObject = kube.store.get({ group: '', plural: 'secrets', namespace: 'orders', name: 'billing-api-key' }) as unknown as { data: Record<string, string> };
    const secret = Buffer.from(secretObject.data.API_KEY ?? '', 'base64').toString('utf8');
    expect(secret).toMatch(/^kw_live_/);
    expect(Buffer.from(secretObject.data.OTHER ?? '', 'base64').toString('utf8')).toBe('keep me');
    const stages = aws.versionStages('prod/order-bot/billing');
    const current = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0] ?? '';
    expect(aws.secretString('prod/order-bot/billing', current)).toBe(secret);
    expect((state as TfObject).key_prefix).toBe(secret.slice(0, String((state as TfObject).key_prefix).length));
    expect(JSON.stringify(state)).not.toContain(secret);
  });
});
