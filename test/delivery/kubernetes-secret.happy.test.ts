import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { deliver, KubernetesSecretDestination, MANAGED_BY_LABEL, VERSIONS_ANNOTATION } from '../../src/delivery/index.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { V1, V2, b64 } from './fixtures.js';

describe('Kubernetes Secret delivery through the real client', () => {
  let server: FakeKubeApiServer;
  let api: CoreV1Api;
  let n = 0;
  const destination = (key = 'API_KEY'): KubernetesSecretDestination =>
    new KubernetesSecretDestination({ namespace: 'orders', name: `billing-${++n}`, key, api });
  const read = (name = `billing-${n}`) => api.readNamespacedSecret({ namespace: 'orders', name });

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    api = server.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('creates the Secret on first delivery with the key, the managed-by label and version annotations', async () => {
    const d = destination();
    await deliver(d, V1);
    const secret = await read();
    expect(secret.data).toEqual({ API_KEY: b64(V1.secret) });
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata?.labels?.[MANAGED_BY_LABEL]).toBe('keywarden');
    expect(JSON.parse(secret.metadata!.annotations![VERSIONS_ANNOTATION]!)).toEqual({ API_KEY: { current: 'ver_1', keyId: 'key_1' } });
    expect(JSON.stringify(secret.metadata)).not.toContain(V1.secret);
    expect(await d.state()).toEqual({ current: 'ver_1' });
  });

  it('keeps the Secret\'s other keys, labels and annotations', async () => {
    const name = `billing-${n + 1}`;
    await api.createNamespacedSecret({
      namespace: 'orders',
      body: {
        metadata: { name, labels: { team: 'payments', [MANAGED_BY_LABEL]: 'Helm' }, annotations: { note: 'kept' } },
        stringData: { DATABASE_URL: 'postgres://db/orders' },
      },
    });
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    await d.promote('ver_2');
    const secret = await read();
    expect(secret.data).toEqual({ DATABASE_URL: b64('postgres://db/orders'), API_KEY: b64(V2.secret) });
    expect(secret.metadata?.labels).toEqual({ team: 'payments', [MANAGED_BY_LABEL]: 'Helm' });
    expect(secret.metadata?.annotations?.note).toBe('kept');
  });

  it('stages under <key>.pending and switches on promote', async () => {
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    let secret = await read();
    expect(secret.data).toEqual({ API_KEY: b64(V1.secret), 'API_KEY.pending': b64(V2.secret) });
    expect(await d.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
    await d.promote('ver_2');
    secret = await read();
    expect(secret.data).toEqual({ API_KEY: b64(V2.secret) });
    expect(await d.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('repeats every step without writing again', async () => {
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    const staged = (await read()).metadata?.resourceVersion;
    await d.stage(V2);
    expect((await read()).metadata?.resourceVersion).toBe(staged);
    await d.promote('ver_2');
    const promoted = (await read()).metadata?.resourceVersion;
    await d.promote('ver_2');
    await d.stage(V2);
    await deliver(d, V2);
    expect((await read()).metadata?.resourceVersion).toBe(promoted);
  });

  it('discards a staged version and leaves the current one', async () => {
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    await d.discard('ver_2');
    await d.discard('ver_2');
    expect((await read()).data).toEqual({ API_KEY: b64(V1.secret) });
    expect(await d.state()).toEqual({ current: 'ver_1' });
  });

  it('holds two Keywarden keys in one Secret independently', async () => {
    const billing = destination('BILLING_KEY');
    const shipping = new KubernetesSecretDestination({ namespace: 'orders', name: `billing-${n}`, key: 'SHIPPING_KEY', api });
    await deliver(billing, V1);
    await deliver(shipping, { keyId: 'key_2', versionId: 'ver_7', secret: 'kw_test_ShippingSecretValue07' });
    await billing.stage(V2);
    expect(await billing.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
    expect(await shipping.state()).toEqual({ current: 'ver_7' });
    expect(Object.keys((await read()).data ?? {}).sort()).toEqual(['BILLING_KEY', 'BILLING_KEY.pending', 'SHIPPING_KEY']);
  });

  it('lands every key when many are delivered into one Secret at once (409s retried)', async () => {
    const name = `billing-${++n}`;
    const keys = Array.from({ length: 12 }, (_, i) => `KEY_${i}`);
    await Promise.all(
      keys.map((key, i) =>
        deliver(new KubernetesSecretDestination({ namespace: 'orders', name, key, api, maxConflictRetries: 20 }), {
          keyId: `key_${i}`,
          versionId: `ver_${i}`,
          secret: `kw_test_ConcurrentSecret_${i}`,
        }),
      ),
    );
    const secret = await read(name);
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([...keys].sort());
    for (const [i, key] of keys.entries()) expect(secret.data?.[key]).toBe(b64(`kw_test_ConcurrentSecret_${i}`));
    const versions = JSON.parse(secret.metadata!.annotations![VERSIONS_ANNOTATION]!) as Record<string, { current: string }>;
    expect(Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, v.current]))).toEqual(Object.fromEntries(keys.map((k, i) => [k, `ver_${i}`])));
  });

  it('reports no current version for a missing Secret', async () => {
    expect(await destination().state()).toEqual({});
  });
});
