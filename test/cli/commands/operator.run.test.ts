// `keywarden operator` running in process against the in-test API server: probes, metrics and
// the webhook served, the Lease taken, JSON logs on stderr without the API key, and on
// SIGTERM readiness off, the Lease released and every server closed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runOperator } from '../../../src/cli/commands/operator.js';
import { apiKeyCrd, policyCrd } from '../../../src/operator/crds.js';
import { generateCertificate } from '../../../src/provider/plugin/certificate.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';

const API_KEY = 'kw_test_operator_secret_do_not_log';

async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function postReview(url: string, ca: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/validate-apikey`, { method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('keywarden operator', () => {
  let kube: FakeKubeApiServer;
  const dir = mkdtempSync(join(tmpdir(), 'kw-operator-run-'));
  const cert = generateCertificate({ hostname: 'localhost' });

  beforeAll(async () => {
    kube = await startFakeKubeApiServer();
    kube.store.create('apiextensions.k8s.io', 'customresourcedefinitions', undefined, apiKeyCrd());
    kube.store.create('apiextensions.k8s.io', 'customresourcedefinitions', undefined, policyCrd());
    writeFileSync(join(dir, 'kubeconfig'), kube.kubeConfig().exportConfig());
    writeFileSync(join(dir, 'tls.crt'), cert.certPem);
    writeFileSync(join(dir, 'tls.key'), cert.keyPem);
    writeFileSync(join(dir, 'api-key'), `${API_KEY}\n`);
  });
  afterAll(async () => {
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves probes, metrics and the webhook, leads on the Lease, and on SIGTERM releases it and stops', async () => {
    const stderr = new PassThrough();
    let logs = '';
    stderr.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    let started!: (urls: { metrics: string; health: string; webhook?: string }) => void;
    const urls = new Promise<{ metrics: string; health: string; webhook?: string }>((resolve) => (started = resolve));
    const exit = runOperator(
      {
        kubeconfig: join(dir, 'kubeconfig'),
        apiKeyFile: join(dir, 'api-key'),
        leaderElect: 'true',
        leaseNamespace: 'keywarden',
        identity: 'pod-a',
        bindAddress: '127.0.0.1',
        metricsPort: '0',
        healthPort: '0',
        webhookPort: '0',
        webhookCertDir: dir,
        webhookMode: 'Fail',
      },
      { stderr, env: { KEYWARDEN_ENDPOINT: 'http://127.0.0.1:9' }, onStarted: started },
    );
    const { metrics, health, webhook } = await urls;
    expect(metrics).not.toBe(health);

    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    const leases = kube.kubeConfig().makeApiClient(CoordinationV1Api);
    await eventually(async () => ((await leases.readNamespacedLease({ namespace: 'keywarden', name: 'keywarden-operator' })).spec?.holderIdentity === 'pod-a' ? true : undefined), 'pod-a holds the Lease');
    const scrape = await eventually(async () => {
      const text = await (await fetch(`${metrics}/metrics`)).text();
      return text.includes('keywarden_operator_leader 1') ? text : undefined;
    }, 'the leader gauge');
    expect(scrape).toMatch(/^process_resident_memory_bytes /m);

    const review = await postReview(webhook!, cert.certPem, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'u-1', kind: { group: 'keywarden.dev', version: 'v1alpha1', kind: 'ApiKey' }, operation: 'CREATE', name: 'x', namespace: 'orders', object: { apiVersion: 'keywarden.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'x' }, spec: { integration: 'x' } } },
    });
    expect(review.body.response).toMatchObject({ uid: 'u-1', allowed: false });
    expect(await (await fetch(`${metrics}/metrics`)).text()).toContain('keywarden_operator_admission_reviews_total{outcome="refused"} 1');

    process.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(0);
    const lease = await leases.readNamespacedLease({ namespace: 'keywarden', name: 'keywarden-operator' });
    expect(lease.spec?.holderIdentity ?? '').toBe('');
    await expect(fetch(`${health}/healthz`)).rejects.toThrow();

    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number; identity: string });
    expect(lines.every((l) => l.identity === 'pod-a')).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['admission webhook listening', 'informers synced; the operator is ready', 'shutting down', 'stopped']));
    expect(logs).not.toContain(API_KEY);
  });

  it('exits 2 with the problems when the configuration is wrong, and with a clear message for an unreadable kubeconfig', async () => {
    let out = '';
    const stderr = new PassThrough();
    stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    expect(await runOperator({ metricsPort: 'x' }, { stderr, env: {} })).toBe(2);
    expect(out).toMatch(/^keywarden operator: KWC005 /m);
    expect(out).toMatch(/^keywarden operator: KWC007 .*--metrics-port x/m);
    out = '';
    expect(await runOperator({ kubeconfig: join(dir, 'missing') }, { stderr, env: { KEYWARDEN_ENDPOINT: 'http://127.0.0.1:9', KEYWARDEN_API_KEY: API_KEY } })).toBe(2);
    expect(out).toMatch(/cannot load the kubeconfig .*missing/);
  });
});
