import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { DeliveryError, deliver, KubernetesSecretDestination } from '../../src/delivery/index.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { V1, V2, b64, deliveryFailure } from './fixtures.js';

describe('Kubernetes Secret delivery under conflicts and failures', () => {
  let server: FakeKubeApiServer;
  let api: CoreV1Api;
  let n = 0;
  const destination = (maxConflictRetries?: number): KubernetesSecretDestination =>
    new KubernetesSecretDestination({
      namespace: 'orders',
      name: `app-${++n}`,
      key: 'API_KEY',
      api,
      ...(maxConflictRetries !== undefined ? { maxConflictRetries } : {}),
    });
  const ref = () => ({ group: '', plural: 'secrets', namespace: 'orders', name: `app-${n}` });

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    api = server.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('re-reads and retries when another writer changed the Secret between read and replace (409)', async () => {
    const d = destination();
    await deliver(d, V1);
    let raced = 0;
    server.beforeRequest = ({ method }) => {
      if (method === 'PUT' && raced++ === 0) {
        server.store.patch(ref(), { data: { OTHER: b64('written-meanwhile') } }, 'merge');
      }
    };
    try {
      await d.stage(V2);
    } finally {
      server.beforeRequest = undefined;
    }
    const secret = await api.readNamespacedSecret({ namespace: 'orders', name: `app-${n}` });
    expect(secret.data).toEqual({ API_KEY: b64(V1.secret), 'API_KEY.pending': b64(V2.secret), OTHER: b64('written-meanwhile') });
    const puts = server.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/app-${n}`));
    expect(puts.map((r) => r.status)).toEqual([200, 409, 200]);
  });

  it('retries a create that lost the race to another creator (409 AlreadyExists)', async () => {
    const d = destination();
    server.beforeRequest = ({ method }) => {
      if (method === 'POST') {
        server.beforeRequest = undefined;
        server.store.create('', 'secrets', 'orders', { metadata: { name: `app-${n}` }, stringData: { OTHER: 'x' } });
      }
    };
    await deliver(d, V1);
    const secret = await api.readNamespacedSecret({ namespace: 'orders', name: `app-${n}` });
    expect(secret.data).toEqual({ OTHER: b64('x'), API_KEY: b64(V1.secret) });
  });

  it('gives up after the configured number of 409s with a retryable error', async () => {
    const d = destination(2);
    await deliver(d, V1);
    server.injectFault({ method: 'PUT', path: `/api/v1/namespaces/orders/secrets/app-${n}`, code: 409, reason: 'Conflict', times: 3 });
    const err = await deliveryFailure(d.stage(V2));
    expect(err.code).toBe('KW_DELIVERY_CONCURRENT_UPDATE');
    expect(err.retryable).toBe(true);
    expect(await d.state()).toEqual({ current: 'ver_1' });
  });

  it('refuses the same version id with other data', async () => {
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    expect((await deliveryFailure(d.stage({ ...V2, secret: 'kw_test_DifferentForVer2' }))).code).toBe('KW_DELIVERY_VERSION_CONFLICT');
    expect((await deliveryFailure(d.stage({ ...V1, secret: 'kw_test_DifferentForVer1' }))).code).toBe('KW_DELIVERY_VERSION_CONFLICT');
  });

  it('refuses to promote an unstaged version and to discard the current one', async () => {
    const d = destination();
    expect((await deliveryFailure(d.promote('ver_1'))).code).toBe('KW_DELIVERY_VERSION_NOT_STAGED');
    await deliver(d, V1);
    expect((await deliveryFailure(d.promote('ver_5'))).code).toBe('KW_DELIVERY_VERSION_NOT_STAGED');
    expect((await deliveryFailure(d.discard('ver_1'))).code).toBe('KW_DELIVERY_DISCARD_CURRENT');
  });

  it('surfaces a server error as a retryable upstream error with the Status reason', async () => {
    const d = destination();
    await deliver(d, V1);
    server.injectFault({ method: 'PUT', code: 500, reason: 'InternalError', message: 'etcdserver: request timed out' });
    const err = await deliveryFailure(d.stage(V2));
    expect(err.code).toBe('KW_DELIVERY_UPSTREAM');
    expect(err.upstream).toBe('HTTP 500 InternalError');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('etcdserver: request timed out');
  });

  it('does not retry a 403', async () => {
    const d = destination();
    server.injectFault({ method: 'GET', code: 403, reason: 'Forbidden', message: 'secrets "x" is forbidden: User cannot get resource' });
    const err = await deliveryFailure(d.stage(V1));
    expect(err.retryable).toBe(false);
    expect(err.upstream).toBe('HTTP 403 Forbidden');
  });

  it('refuses data keys that Kubernetes would reject', () => {
    expect(() => new KubernetesSecretDestination({ namespace: 'orders', name: 'x', key: 'bad key', api })).toThrow(DeliveryError);
    expect(() => new KubernetesSecretDestination({ namespace: '', name: 'x', key: 'K', api })).toThrow(/namespace is empty/);
  });
});
