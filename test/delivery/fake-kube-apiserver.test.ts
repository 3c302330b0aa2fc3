// The fake Kubernetes API server's own semantics, checked through the real
// @kubernetes/client-node against the API's documented behaviour.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiException,
  ApiextensionsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Secret,
} from '@kubernetes/client-node';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';

async function apiError(promise: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<unknown>;
    return { code: e.code, status: (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as Record<string, unknown> };
  }
  throw new Error('expected the call to fail');
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.dev' },
  spec: {
    group: 'example.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: { status: {} } }],
  },
};

describe('the fake Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let n = 0;
  const name = (): string => `obj-${++n}`;

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    const kc = server.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: CRD });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('creates with server-set metadata and answers 409 AlreadyExists for a taken name', async () => {
    const created = await core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 'a' }, stringData: { K: 'v' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.namespace).toBe('ns');
    expect(created.data).toEqual({ K: Buffer.from('v').toString('base64') });
    expect(created.type).toBe('Opaque');
    const dup = await apiError(core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 'a' } } }));
    expect(dup.code).toBe(409);
    expect(dup.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'secrets "a" already exists' });
  });

  it('answers 404 NotFound with a Status body', async () => {
    const missing = await apiError(core.readNamespacedSecret({ namespace: 'ns', name: 'never' }));
    expect(missing.code).toBe(404);
    expect(missing.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'secrets "never" not found',
      reason: 'NotFound',
      details: { name: 'never', group: '', kind: 'secrets' },
      code: 404,
    });
  });

  it('refuses a replace with a stale resourceVersion (409 Conflict) and keeps resourceVersion on a no-op write', async () => {
    const n1 = name();
    const created = await core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: n1 }, stringData: { K: '1' } } });
    const updated = await core.replaceNamespacedSecret({ namespace: 'ns', name: n1, body: { ...created, stringData: { K: '2' } } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = await apiError(core.replaceNamespacedSecret({ namespace: 'ns', name: n1, body: { ...created, stringData: { K: '3' } } }));
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    const same = await core.replaceNamespacedSecret({ namespace: 'ns', name: n1, body: updated });
    expect(same.metadata?.resourceVersion).toBe(updated.metadata?.resourceVersion);
  });

  it('applies merge, strategic-merge and JSON patches, with resourceVersion as a precondition', async () => {
    const n1 = name();
    await core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: n1, labels: { a: '1', b: '2' } }, stringData: { K: 'v' } } });
    let s: V1Secret = await core.patchNamespacedSecret({ namespace: 'ns', name: n1, body: { metadata: { labels: { a: null, c: '3' } } } }, merge);
    expect(s.metadata?.labels).toEqual({ b: '2', c: '3' });
    s = await core.patchNamespacedSecret({ namespace: 'ns', name: n1, body: { metadata: { annotations: { x: 'y' } } } }, strategic);
    expect(s.metadata?.annotations).toEqual({ x: 'y' });
    s = await core.patchNamespacedSecret(
      { namespace: 'ns', name: n1, body: [{ op: 'test', path: '/metadata/labels/b', value: '2' }, { op: 'remove', path: '/metadata/labels/b' }] },
      jsonPatch,
    );
    expect(s.metadata?.labels).toEqual({ c: '3' });
    const failedTest = await apiError(
      core.patchNamespacedSecret({ namespace: 'ns', name: n1, body: [{ op: 'test', path: '/metadata/labels/c', value: 'no' }] }, jsonPatch),
    );
    expect(failedTest.code).toBe(422);
    const stale = await apiError(core.patchNamespacedSecret({ namespace: 'ns', name: n1, body: { metadata: { resourceVersion: '1', labels: { d: '4' } } } }, merge));
    expect(stale.code).toBe(409);
  });

  it('validates Secret data keys (422 Invalid with causes)', async () => {
    const bad = await apiError(core.createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: name() }, stringData: { 'bad key': 'v' } } }));
    expect(bad.code).toBe(422);
    expect(bad.status.reason).toBe('Invalid');
    expect((bad.status.details as { causes: Array<{ field: string }> }).causes[0]!.field).toBe('data[bad key]');
  });

  it('lists with a resourceVersion and label selectors', async () => {
    await core.createNamespacedConfigMap({ namespace: 'sel', body: { metadata: { name: 'one', labels: { tier: 'web' } } } });
    await core.createNamespacedConfigMap({ namespace: 'sel', body: { metadata: { name: 'two', labels: { tier: 'db' } } } });
    await core.createNamespacedConfigMap({ namespace: 'other', body: { metadata: { name: 'three', labels: { tier: 'web' } } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'sel', labelSelector: 'tier in (web,cache)' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['one']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
    const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'tier!=db' });
    expect(all.items.map((i) => i.metadata?.name).sort()).toEqual(['one', 'three']);
  });

  it('serves custom resources from a CRD with a status subresource and generation', async () => {
    const group = 'example.dev';
    const base = { group, version: 'v1', namespace: 'ns', plural: 'widgets' };
    const created = (await custom.createNamespacedCustomObject({
      ...base,
      body: { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 }, status: { ignored: true } },
    })) as { metadata: { generation: number }; status?: unknown };
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const withStatus = (await custom.patchNamespacedCustomObjectStatus({ ...base, name: 'w', body: { status: { phase: 'Ready' } } }, merge)) as {
      metadata: { generation: number };
      status: unknown;
    };
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    expect(withStatus.metadata.generation).toBe(1);
    const respec = (await custom.patchNamespacedCustomObject({ ...base, name: 'w', body: { spec: { size: 2 }, status: { phase: 'Changed' } } }, merge)) as {
      metadata: { generation: number };
      status: unknown;
    };
    expect(respec.metadata.generation).toBe(2);
    expect(respec.status).toEqual({ phase: 'Ready' });
    // Custom resources need a resourceVersion on update.
    const unconditional = await apiError(
      custom.replaceNamespacedCustomObject({ ...base, name: 'w', body: { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} } }),
    );
    expect(unconditional.code).toBe(422);
  });

  it('holds deletion until finalizers are removed', async () => {
    const base = { group: 'example.dev', version: 'v1', namespace: 'ns', plural: 'widgets' };
    await custom.createNamespacedCustomObject({ ...base, body: { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { name: 'f', finalizers: ['keywarden.dev/revoke'] }, spec: {} } });
    await custom.deleteNamespacedCustomObject({ ...base, name: 'f' });
    const terminating = (await custom.getNamespacedCustomObject({ ...base, name: 'f' })) as { metadata: { deletionTimestamp?: string } };
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    const adding = await apiError(custom.patchNamespacedCustomObject({ ...base, name: 'f', body: { metadata: { finalizers: ['keywarden.dev/revoke', 'other'] } } }, merge));
    expect(adding.code).toBe(422);
    await custom.patchNamespacedCustomObject({ ...base, name: 'f', body: { metadata: { finalizers: null } } }, merge);
    expect((await apiError(custom.getNamespacedCustomObject({ ...base, name: 'f' }))).code).toBe(404);
  });

  it('serves Leases with optimistic concurrency', async () => {
    const leases = server.kubeConfig().makeApiClient(CoordinationV1Api);
    const lease = await leases.createNamespacedLease({ namespace: 'ns', body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
    const renewed = await leases.replaceNamespacedLease({ namespace: 'ns', name: 'leader', body: { ...lease, spec: { ...lease.spec, leaseTransitions: 1 } } });
    expect(renewed.metadata?.resourceVersion).not.toBe(lease.metadata?.resourceVersion);
    const other = await apiError(leases.replaceNamespacedLease({ namespace: 'ns', name: 'leader', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } }));
    expect(other.code).toBe(409);
  });

  it('streams watch events from a resourceVersion and expires compacted ones with 410', async () => {
    const list = await core.listNamespacedEvent({ namespace: 'w' });
    const events: Array<[string, string | undefined]> = [];
    const watch = new Watch(server.kubeConfig());
    let ended: (err: unknown) => void = () => undefined;
    const done = new Promise<unknown>((resolve) => (ended = resolve));
    const controller = await watch.watch('/api/v1/namespaces/w/events', { resourceVersion: list.metadata?.resourceVersion }, (type, obj) => {
      events.push([type, (obj as { metadata?: { name?: string } }).metadata?.name]);
    }, (err) => ended(err));
    await core.createNamespacedEvent({ namespace: 'w', body: { metadata: { name: 'e1' }, involvedObject: { name: 'x' }, reason: 'Test' } });
    await core.patchNamespacedEvent({ namespace: 'w', name: 'e1', body: { message: 'changed' } }, merge);
    await core.deleteNamespacedEvent({ namespace: 'w', name: 'e1' });
    await until(() => events.length === 3);
    expect(events).toEqual([
      ['ADDED', 'e1'],
      ['MODIFIED', 'e1'],
      ['DELETED', 'e1'],
    ]);
    controller.abort();
    await done;
    await until(() => server.openWatches === 0);

    server.store.compact();
    const expired: Array<[string, unknown]> = [];
    await new Promise<void>((resolve) => {
      void watch.watch('/api/v1/namespaces/w/events', { resourceVersion: list.metadata?.resourceVersion }, (type, obj) => expired.push([type, obj]), () => resolve());
    });
    expect(expired).toEqual([['ERROR', expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' })]]);
    const invalid = await fetch(`${server.url}/api/v1/namespaces/w/events?watch=true&resourceVersion=abc`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('feeds a client-node informer (list, then watch) and ends watches when asked', async () => {
    const kc = server.kubeConfig();
    const informer = makeInformer(kc, '/api/v1/namespaces/inf/secrets', () => core.listNamespacedSecret({ namespace: 'inf' }));
    const seen: string[] = [];
    informer.on('add', (s) => seen.push(`add:${s.metadata?.name}`));
    informer.on('update', (s) => seen.push(`update:${s.metadata?.name}`));
    await core.createNamespacedSecret({ namespace: 'inf', body: { metadata: { name: 'before' } } });
    await informer.start();
    await core.createNamespacedSecret({ namespace: 'inf', body: { metadata: { name: 'after' } } });
    await core.patchNamespacedSecret({ namespace: 'inf', name: 'before', body: { metadata: { labels: { x: 'y' } } } }, merge);
    await until(() => seen.length === 3);
    expect(seen).toEqual(['add:before', 'add:after', 'update:before']);
    expect(informer.list().map((s) => s.metadata?.name).sort()).toEqual(['after', 'before']);
    await informer.stop();
    await until(() => server.openWatches === 0);
  });

  it('lets an informer resume after the server ends its watch, and relist after 410 Expired', async () => {
    const informer = makeInformer(server.kubeConfig(), '/api/v1/namespaces/resume/configmaps', () => core.listNamespacedConfigMap({ namespace: 'resume' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    let connects = 0;
    informer.on('connect', () => connects++);
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'resume', body: { metadata: { name: 'a' } } });
    await until(() => seen.length === 1);

    const listsBefore = server.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/resume/configmaps' && r.query.watch === undefined).length;
    const connectsBefore = connects;
    server.closeWatches();
    await until(() => connects > connectsBefore && server.openWatches === 1);
    await core.createNamespacedConfigMap({ namespace: 'resume', body: { metadata: { name: 'b' } } });
    await until(() => seen.length === 2);
    // Resumed from its last resourceVersion: no relist, no duplicate add.
    expect(server.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/resume/configmaps' && r.query.watch === undefined)).toHaveLength(listsBefore);

    // History compacted while disconnected: the watch answers 410, the informer relists.
    // (Synchronous, so all of it happens before the informer reconnects.)
    server.closeWatches();
    server.store.delete({ group: '', plural: 'configmaps', namespace: 'resume', name: 'a' });
    server.store.compact();
    await until(() => seen.length === 3);
    expect(seen).toEqual(['add:a', 'add:b', 'delete:a']);
    expect(server.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/resume/configmaps' && r.query.watch === undefined)).toHaveLength(
      listsBefore + 1,
    );
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['b']);
    await informer.stop();
    // client-node's ListWatch cannot abort a watch whose request is still being opened when
    // stop() is called (here: the one right after the relist); it stays open, seen once in ~8
    // runs on a loaded machine. The server ends it, and the stopped informer does not reconnect.
    // (The operator's RestartingInformer aborts such late watches itself.)
    server.closeWatches();
    await until(() => server.openWatches === 0);
  });

  it('serves discovery for built-in and custom groups', async () => {
    const response = await fetch(`${server.url}/apis/example.dev/v1`);
    const body = (await response.json()) as { resources: Array<{ name: string }> };
    expect(body.resources.map((r) => r.name)).toEqual(['widgets', 'widgets/status']);
    const core1 = (await (await fetch(`${server.url}/api/v1`)).json()) as { resources: Array<{ name: string }> };
    expect(core1.resources.map((r) => r.name)).toContain('secrets');
  });
});

async function until(condition: () => boolean): Promise<void> {
  // A hang bound, not a timing assertion: generous for a loaded machine.
  for (let i = 0; i < 3000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
