// The informer wrapper against the in-test API server through the real client: it comes back
// after the watch is killed with an error (which stops a plain client-node 1.4 informer for
// good), retries a failing first list, and leaves no watch open once stopped.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { apiKeyCrd } from '../../../src/operator/index.js';
import { RestartingInformer } from '../../../src/operator/controller/restarting-informer.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';

const group = 'keywarden.dev';
const version = 'v1alpha1';
const plural = 'apikeys';

function apiKey(name: string): Record<string, unknown> {
  return { apiVersion: `${group}/${version}`, kind: 'ApiKey', metadata: { name, namespace: 'orders' }, spec: { integration: name, service: 'billing', environments: { development: {} } } };
}

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('RestartingInformer', () => {
  let kube: FakeKubeApiServer;
  let custom: CustomObjectsApi;
  let informer: RestartingInformer<KubernetesObject> | undefined;

  beforeEach(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.create('apiextensions.k8s.io', 'customresourcedefinitions', undefined, apiKeyCrd());
    custom = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  });
  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
    await kube.stop();
  });

  function makeInformer(errors: unknown[] = []): RestartingInformer<KubernetesObject> {
    return new RestartingInformer<KubernetesObject>({
      kubeConfig: kube.kubeConfig(),
      path: `/apis/${group}/${version}/namespaces/orders/${plural}`,
      list: async () => (await custom.listNamespacedCustomObject({ group, version, namespace: 'orders', plural })) as KubernetesListObject<KubernetesObject>,
      baseDelayMs: 5,
      maxDelayMs: 50,
      onError: (err) => errors.push(err),
    });
  }

  const names = (i: RestartingInformer<KubernetesObject>): string[] => i.list().map((o) => o.metadata!.name!).sort();

  it('comes back after the watch is killed and its re-watch fails, and sees objects created afterwards', async () => {
    const errors: unknown[] = [];
    informer = makeInformer(errors);
    await custom.createNamespacedCustomObject({ group, version, namespace: 'orders', plural, body: apiKey('first') });
    await informer.start();
    expect(informer.synced).toBe(true);
    expect(names(informer)).toEqual(['first']);

    kube.injectFault({ method: 'GET', path: /\/apikeys$/, times: 3, code: 500, reason: 'InternalError' });
    kube.closeWatches();
    await eventually(() => errors.length >= 1, 'the watch error');
    await custom.createNamespacedCustomObject({ group, version, namespace: 'orders', plural, body: apiKey('second') });
    const i = informer;
    await eventually(() => names(i).includes('second'), 'the object created after the watch died');
    expect(informer.restarts).toBeGreaterThanOrEqual(1);
    expect(names(informer)).toEqual(['first', 'second']);
  });

  it('retries a failing first list with backoff and resolves start() once it lists', async () => {
    const errors: unknown[] = [];
    informer = makeInformer(errors);
    await custom.createNamespacedCustomObject({ group, version, namespace: 'orders', plural, body: apiKey('only') });
    kube.injectFault({ method: 'GET', path: /\/apikeys$/, times: 2, code: 503, reason: 'ServiceUnavailable' });
    await informer.start();
    expect(informer.synced).toBe(true);
    expect(errors).toHaveLength(2);
    expect(names(informer)).toEqual(['only']);
  });

  it('leaves no watch open after stop(), also when stopped while restarting', async () => {
    informer = makeInformer();
    await informer.start();
    await eventually(() => kube.openWatches === 1, 'the watch');
    kube.injectFault({ method: 'GET', path: /\/apikeys$/, times: 1, code: 500, reason: 'InternalError' });
    kube.closeWatches();
    await informer.stop();
    await eventually(() => kube.openWatches === 0, 'every watch closed');
    expect(informer.openWatches).toBe(0);
    // Nothing comes back after the stop.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kube.openWatches).toBe(0);
  });
});
