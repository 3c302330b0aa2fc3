// Shared by the webhook tests: a throw-away serving certificate, a running webhook server on
// loopback, an HTTPS client that trusts only that certificate, and AdmissionReviews built
// from the example ApiKeys as the API server would send them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateCertificate } from '../../../src/provider/plugin/certificate.js';
import { createWebhookServer, type WebhookServer, type WebhookServerOptions } from '../../../src/operator/webhook/index.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const NOW = new Date('2026-06-01T00:00:00Z');

/** A certificate for `hostname`, written as tls.crt/tls.key (a kubernetes.io/tls Secret volume). */
export function certificateDir(hostname = 'localhost'): { dir: string; certFile: string; keyFile: string; certPem: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kw-webhook-'));
  const cert = generateCertificate({ hostname });
  writeFileSync(join(dir, 'tls.crt'), cert.certPem);
  writeFileSync(join(dir, 'tls.key'), cert.keyPem);
  return { dir, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), certPem: cert.certPem, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningWebhook {
  readonly server: WebhookServer;
  readonly url: string;
  readonly ca: string;
  readonly files: ReturnType<typeof certificateDir>;
  stop(): Promise<void>;
}

export async function startWebhook(options: Omit<WebhookServerOptions, 'certFile' | 'keyFile'>): Promise<RunningWebhook> {
  const files = certificateDir();
  const server = createWebhookServer({ host: '127.0.0.1', port: 0, tlsReloadIntervalMs: 0, ...options, certFile: files.certFile, keyFile: files.keyFile });
  const url = await server.listen();
  return {
    server,
    url,
    ca: files.certPem,
    files,
    stop: async () => {
      await server.close();
      files.remove();
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown> & { response?: Record<string, unknown>; error?: { code: string; message: string } };
  readonly headers: Record<string, string | string[] | undefined>;
}

/** POSTs `body` (a value is sent as JSON, a string or Buffer as is) and reads the JSON answer. */
export function post(
  webhook: { url: string; ca: string },
  body: unknown,
  options: { path?: string; method?: string; headers?: Record<string, string>; ca?: string } = {},
): Promise<Reply> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${webhook.url}${options.path ?? '/validate-apikey?timeout=10s'}`,
      {
        method: options.method ?? 'POST',
        ca: options.ca ?? webhook.ca,
        servername: 'localhost',
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply['body'], headers: res.headers });
          } catch {
            reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** An example document as the API server holds it (server-set metadata, a status). */
export function asResource(path: string, namespace = 'orders'): Record<string, unknown> {
  const doc = parse(read(path)) as Record<string, unknown> & { metadata: Record<string, unknown> };
  return {
    ...doc,
    metadata: { ...doc.metadata, namespace, uid: '6f1c2a', resourceVersion: '42', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
  };
}

/** An AdmissionReview v1 request for an ApiKey, as the API server sends it. */
export function review(
  object: Record<string, unknown> | undefined,
  extra: { operation?: string; oldObject?: Record<string, unknown>; uid?: string; kind?: Record<string, string>; subResource?: string } = {},
): Record<string, unknown> {
  const metadata = (object?.metadata ?? {}) as Record<string, unknown>;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: extra.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: extra.kind ?? { group: 'keywarden.dev', version: 'v1alpha1', kind: 'ApiKey' },
      resource: { group: 'keywarden.dev', version: 'v1alpha1', resource: 'apikeys' },
      requestKind: extra.kind ?? { group: 'keywarden.dev', version: 'v1alpha1', kind: 'ApiKey' },
      requestResource: { group: 'keywarden.dev', version: 'v1alpha1', resource: 'apikeys' },
      ...(extra.subResource ? { subResource: extra.subResource } : {}),
      name: metadata.name,
      namespace: metadata.namespace,
      operation: extra.operation ?? 'CREATE',
      userInfo: { username: 'admin', uid: '014fbff9a07c', groups: ['system:authenticated'] },
      ...(object !== undefined ? { object } : {}),
      ...(extra.oldObject ? { oldObject: extra.oldObject } : {}),
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}
