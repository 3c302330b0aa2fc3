// The refusal seen end to end through the real client: the chart's ValidatingWebhookConfiguration
// registered in the in-test API server, which calls the webhook over HTTPS (trusting only the
// caBundle, checking the certificate for the Service's DNS name) on every ApiKey create and update.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiKeyCrd } from '../../../src/operator/crds.js';
import { createWebhookServer, type WebhookServer } from '../../../src/operator/webhook/index.js';
import { generateCertificate } from '../../../src/provider/plugin/certificate.js';
import { crudeRender } from '../../charts/chart-files.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';
import { certificateDir, NOW, read } from './webhook-harness.js';
import { parse } from 'yaml';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const SERVICE = { namespace: 'keywarden', name: 'keywarden-webhook' };
const project = read('examples/keywarden.yaml');
const doc = (path: string): Record<string, unknown> => parse(read(path)) as Record<string, unknown>;

/** The chart's webhook configuration with the values a release would give it. */
function chartWebhookConfiguration(caPem: string, failurePolicy: 'Fail' | 'Ignore'): Record<string, unknown> {
  const rendered = crudeRender('webhook.yaml').find((d) => d.kind === 'ValidatingWebhookConfiguration')!;
  const webhooks = (rendered.webhooks as Array<Record<string, unknown>>).map((w) => ({
    ...w,
    failurePolicy,
    timeoutSeconds: 10,
    clientConfig: { service: { ...(w.clientConfig as { service: Record<string, unknown> }).service, ...SERVICE }, caBundle: Buffer.from(caPem).toString('base64') },
  }));
  return { ...rendered, metadata: { name: 'keywarden' }, webhooks };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    return { code: err.code, message: (JSON.parse(err.body as string) as { message: string }).message };
  }
  throw new Error('the API server admitted the request');
}

describe('the API server calling the admission webhook', () => {
  let kube: FakeKubeApiServer;
  let api: CustomObjectsApi;
  const dir = mkdtempSync(join(tmpdir(), 'kw-webhook-e2e-'));
  const servers: WebhookServer[] = [];
  const cert = generateCertificate({ hostname: `${SERVICE.name}.${SERVICE.namespace}.svc` });

  async function startWebhook(mode: 'Fail' | 'Warn'): Promise<void> {
    writeFileSync(join(dir, 'tls.crt'), cert.certPem);
    writeFileSync(join(dir, 'tls.key'), cert.keyPem);
    const server = createWebhookServer({ mode, project: () => project, now: () => NOW, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), host: '127.0.0.1', port: 0, tlsReloadIntervalMs: 0 });
    servers.push(server);
    kube.admission.routeService(SERVICE.namespace, SERVICE.name, await server.listen());
  }

  const create = (body: Record<string, unknown>, namespace = 'orders'): Promise<unknown> =>
    api.createNamespacedCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', namespace, plural: 'apikeys', body });

  beforeAll(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.create('apiextensions.k8s.io', 'customresourcedefinitions', undefined, apiKeyCrd());
    kube.store.create('admissionregistration.k8s.io', 'validatingwebhookconfigurations', undefined, chartWebhookConfiguration(cert.certPem, 'Fail'));
    api = kube.kubeConfig().makeApiClient(CustomObjectsApi);
    await startWebhook('Fail');
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a compliant ApiKey', async () => {
    await create(doc('examples/keys/order-bot-billing.yaml'));
    expect(kube.store.get({ group: 'keywarden.dev', plural: 'apikeys', namespace: 'orders', name: 'order-bot-billing' }).spec).toMatchObject({ integration: 'order-bot' });
  });

  it('refuses a non-compliant ApiKey in Fail mode with 403 and the rule ids in the message, and stores nothing', async () => {
    const { code, message } = await refusal(create(doc('examples/violations/keys/report-bot-billing.yaml')));
    expect(code).toBe(403);
    expect(message).toMatch(/^admission webhook "apikeys\.keywarden\.dev" denied the request: ApiKey report-bot-billing breaks \d+ policy rules: /);
    expect(message).toContain('KW002');
    expect(kube.store.list('keywarden.dev', 'apikeys').map((o) => o.metadata.name)).toEqual(['order-bot-billing']);
  });

  it('refuses an update that makes a compliant ApiKey break policy, and lets the status subresource through', async () => {
    const target = { group: 'keywarden.dev', version: 'v1alpha1', namespace: 'orders', plural: 'apikeys', name: 'order-bot-billing' };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const { code, message } = await refusal(api.patchNamespacedCustomObject({ ...target, body: { spec: { scopes: ['invoices:*'] } } }, merge));
    expect(code).toBe(403);
    expect(message).toContain('KW002');
    await api.patchNamespacedCustomObjectStatus({ ...target, body: { status: { observedGeneration: 1 } } }, merge);
    expect(kube.store.get({ group: 'keywarden.dev', plural: 'apikeys', namespace: 'orders', name: 'order-bot-billing' }).status).toEqual({ observedGeneration: 1 });
  });

  it('admits the same ApiKey in Warn mode and sends the findings as Warning headers', async () => {
    await servers[0]!.close();
    await startWebhook('Warn');
    // Raw HTTP here: the client library does not hand Warning headers to its caller (kubectl prints them).
    const res = await fetch(`${kube.url}/apis/keywarden.dev/v1alpha1/namespaces/orders/apikeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer fake-token' },
      body: JSON.stringify(doc('examples/violations/keys/report-bot-billing.yaml')),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toMatch(/^299 - "KW\d{3} /);
    expect(res.headers.get('warning')).toContain('299 - "KW002');
    expect(kube.store.list('keywarden.dev', 'apikeys').map((o) => o.metadata.name)).toEqual(['order-bot-billing', 'report-bot-billing']);
  });

  it('refuses every ApiKey write while the webhook is down under failurePolicy Fail, and lets it through under Ignore', async () => {
    await servers[1]!.close();
    const { code, message } = await refusal(create({ ...doc('examples/keys/crm-sync-contacts.yaml') }));
    expect(code).toBe(500);
    expect(message).toMatch(/failed calling webhook "apikeys\.keywarden\.dev"/);
    // failurePolicy Ignore: the write goes through unchecked.
    const ref = { group: 'admissionregistration.k8s.io', plural: 'validatingwebhookconfigurations', name: 'keywarden' };
    kube.store.replace(ref, { ...chartWebhookConfiguration(cert.certPem, 'Ignore'), metadata: { name: 'keywarden' } });
    try {
      await create(doc('examples/keys/crm-sync-contacts.yaml'));
      expect(kube.store.list('keywarden.dev', 'apikeys').map((o) => o.metadata.name)).toContain('crm-sync-contacts');
    } finally {
      kube.store.replace(ref, { ...chartWebhookConfiguration(cert.certPem, 'Fail'), metadata: { name: 'keywarden' } });
    }
  });

  it('refuses to call a webhook whose certificate is not for the Service name', async () => {
    const wrong = certificateDir('somewhere-else.example');
    try {
      const server = createWebhookServer({ mode: 'Fail', project: () => project, certFile: wrong.certFile, keyFile: wrong.keyFile, host: '127.0.0.1', port: 0, tlsReloadIntervalMs: 0 });
      servers.push(server);
      kube.admission.routeService(SERVICE.namespace, SERVICE.name, await server.listen());
      const { message } = await refusal(create(doc('examples/keys/analytics-export-events.yaml')));
      expect(message).toMatch(/failed calling webhook/);
    } finally {
      wrong.remove();
    }
  });
});
