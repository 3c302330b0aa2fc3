// Validating admission webhooks in the fake API server: on CREATE and UPDATE of a resource,
// every ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1) whose rules match is
// called over HTTPS with an AdmissionReview v1, as kube-apiserver does: the caBundle is the only
// trusted CA; a `service` reference is dialled at the address the test routed it to, with the
// certificate checked for `<name>.<namespace>.svc`; a denial becomes the API error
// `admission webhook "<name>" denied the request: <message>` with the webhook's code and reason;
// warnings become `Warning: 299 - "…"` headers; a failed call refuses the request (500) under
// failurePolicy Fail and is skipped under Ignore. Not modelled: namespaceSelector,
// objectSelector, matchConditions, matchPolicy Equivalent, DELETE and CONNECT operations,
// reinvocation. Off (no cost) while the store holds no configuration.
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { failure, KubeStatusError, type StatusReason } from './status.js';
import { isObject } from './patch.js';
import type { KubeObject, ResourceType } from './resources.js';
import type { ObjectStore } from './store.js';

export const WEBHOOK_CONFIGURATION_GROUP = 'admissionregistration.k8s.io';
export const WEBHOOK_CONFIGURATION_PLURAL = 'validatingwebhookconfigurations';

/** The request being admitted. */
export interface AdmissionAttempt {
  readonly operation: 'CREATE' | 'UPDATE';
  readonly type: ResourceType;
  readonly version: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name: string;
  readonly object: KubeObject;
  readonly oldObject?: KubeObject;
  readonly dryRun: boolean;
}

interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  scope?: string;
}

interface Webhook {
  name: string;
  rules?: Rule[];
  failurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
  clientConfig?: { url?: string; caBundle?: string; service?: { namespace: string; name: string; path?: string; port?: number } };
}

const matches = (list: readonly string[] | undefined, value: string): boolean => (list ?? []).some((item) => item === '*' || item === value);

function ruleMatches(rule: Rule, attempt: AdmissionAttempt): boolean {
  const resource = attempt.subresource ? `${attempt.type.plural}/${attempt.subresource}` : attempt.type.plural;
  const resourceMatches = (rule.resources ?? []).some(
    (r) => r === resource || (attempt.subresource === undefined ? r === '*' : r === '*/*' || r === `${attempt.type.plural}/*` || r === `*/${attempt.subresource}`),
  );
  const scope = rule.scope ?? '*';
  const scopeMatches = scope === '*' || (scope === 'Namespaced') === attempt.type.namespaced;
  return matches(rule.apiGroups, attempt.type.group) && matches(rule.apiVersions, attempt.version) && matches(rule.operations, attempt.operation) && resourceMatches && scopeMatches;
}

export class FakeAdmission {
  /** `namespace/name` of a Service → the base URL (https://127.0.0.1:PORT) its webhook port reaches. */
  private readonly services = new Map<string, string>();

  constructor(private readonly store: ObjectStore) {}

  /** Makes `clientConfig.service` {namespace, name} reach `baseUrl` (the Service's port is ignored). */
  routeService(namespace: string, name: string, baseUrl: string): void {
    this.services.set(`${namespace}/${name}`, baseUrl.replace(/\/$/, ''));
  }

  /** Calls every matching webhook; resolves to their warnings, or throws the API error that refuses the request. */
  async admit(attempt: AdmissionAttempt): Promise<string[]> {
    if (this.store.type(WEBHOOK_CONFIGURATION_GROUP, WEBHOOK_CONFIGURATION_PLURAL) === undefined) return [];
    const configurations = this.store.list(WEBHOOK_CONFIGURATION_GROUP, WEBHOOK_CONFIGURATION_PLURAL);
    const webhooks = configurations.flatMap((c) => (Array.isArray(c.webhooks) ? (c.webhooks as Webhook[]) : []));
    const warnings: string[] = [];
    for (const webhook of webhooks) {
      if (!(webhook.rules ?? []).some((rule) => ruleMatches(rule, attempt))) continue;
      let response: Record<string, unknown>;
      try {
        response = await this.call(webhook, attempt);
      } catch (err) {
        if (webhook.failurePolicy === 'Ignore') continue;
        throw failure(500, 'InternalError', `Internal error occurred: failed calling webhook "${webhook.name}": ${(err as Error).message}`);
      }
      if (Array.isArray(response.warnings)) warnings.push(...response.warnings.map(String));
      if (response.allowed !== true) {
        const status = isObject(response.status) ? response.status : {};
        const code = typeof status.code === 'number' && status.code !== 0 ? status.code : 400;
        const message = typeof status.message === 'string' && status.message !== '' ? status.message : 'without explanation';
        throw new KubeStatusError({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `admission webhook "${webhook.name}" denied the request: ${message}`,
          ...(typeof status.reason === 'string' ? { reason: status.reason as StatusReason } : {}),
          code,
        });
      }
    }
    return warnings;
  }

  private async call(webhook: Webhook, attempt: AdmissionAttempt): Promise<Record<string, unknown>> {
    const config = webhook.clientConfig ?? {};
    let url: URL;
    let servername: string;
    if (config.url !== undefined) {
      url = new URL(config.url);
      servername = url.hostname;
    } else if (config.service !== undefined) {
      const { namespace, name, path } = config.service;
      const base = this.services.get(`${namespace}/${name}`);
      if (base === undefined) throw new Error(`service "${name}" in namespace "${namespace}" has no endpoints (route it with routeService)`);
      url = new URL(`${base}${path ?? '/'}`);
      servername = `${name}.${namespace}.svc`;
    } else throw new Error('the webhook has neither clientConfig.url nor clientConfig.service');
    const uid = randomUUID();
    const gvk = { group: attempt.type.group, version: attempt.version, kind: attempt.type.kind };
    const gvr = { group: attempt.type.group, version: attempt.version, resource: attempt.type.plural };
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: gvk,
        resource: gvr,
        requestKind: gvk,
        requestResource: gvr,
        ...(attempt.subresource ? { subResource: attempt.subresource } : {}),
        name: attempt.name,
        ...(attempt.namespace !== undefined ? { namespace: attempt.namespace } : {}),
        operation: attempt.operation,
        userInfo: { username: 'fake-token-user', groups: ['system:authenticated'] },
        object: attempt.object,
        ...(attempt.oldObject !== undefined ? { oldObject: attempt.oldObject } : {}),
        dryRun: attempt.dryRun,
        options: { kind: attempt.operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
      },
    };
    const timeoutMs = (webhook.timeoutSeconds ?? 10) * 1000;
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          ...(config.caBundle ? { ca: Buffer.from(config.caBundle, 'base64').toString('utf8') } : {}),
          ...(isIP(servername) === 0 ? { servername } : {}),
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`the server responded with status ${res.statusCode}: ${body.slice(0, 200)}`));
            else resolve(body);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (${timeoutMs} ms)`)));
      req.on('error', reject);
      req.end(JSON.stringify(review));
    });
    const answer = JSON.parse(text) as unknown;
    if (!isObject(answer) || answer.apiVersion !== 'admission.k8s.io/v1' || answer.kind !== 'AdmissionReview' || !isObject(answer.response)) {
      throw new Error('the webhook answered with something other than an admission.k8s.io/v1 AdmissionReview');
    }
    if (answer.response.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(answer.response.uid)}"`);
    return answer.response;
  }
}
