// Every Kubernetes API request the operator and the provider make has a deadline: an API server that accepts the
// connection and never answers fails the request (and the reconcile is retried) instead of
// holding it for ever. The clients still reach a live server as makeApiClient's do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { withRequestDeadline } from '../../src/delivery/index.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'token-1' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('Kubernetes API clients with a deadline', () => {
  let silent: Server;
  let silentUrl = '';
  const received: IncomingMessage[] = [];
  const held: ServerResponse[] = [];
  let kube: FakeKubeApiServer;

  beforeAll(async () => {
    // Takes every request and never answers.
    silent = createServer((req, res) => {
      received.push(req);
      held.push(res);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    kube = await startFakeKubeApiServer();
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    await kube.stop();
  });

  it('fails a request the API server never answers, once the deadline passes', async () => {
    const core = withRequestDeadline(kubeConfigFor(silentUrl), 300).makeApiClient(CoreV1Api);
    await expect(core.readNamespacedSecret({ namespace: 'orders', name: 'billing-key' })).rejects.toThrow(/abort|timeout/i);
    // It was sent, with the kubeconfig's credentials, and then given up.
    expect(received.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([['GET', '/api/v1/namespaces/orders/secrets/billing-key', 'Bearer token-1']]);
  });

  it('reads, creates and merge-patches through a live API server like makeApiClient does', async () => {
    const kc = kube.kubeConfig();
    const core = withRequestDeadline(kc, 5_000).makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: 'orders', body: { metadata: { name: 'k' }, stringData: { API_KEY: 'x' } } });
    expect((await core.readNamespacedSecret({ namespace: 'orders', name: 'k' })).metadata?.name).toBe('k');
    const custom = withRequestDeadline(kc, 5_000).makeApiClient(CustomObjectsApi);
    await expect(
      custom.patchNamespacedCustomObject(
        { group: 'keywarden.dev', version: 'v1alpha1', namespace: 'orders', plural: 'apikeys', name: 'missing', body: { metadata: { labels: { a: 'b' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    ).rejects.toMatchObject({ code: 404 });
  });
});
