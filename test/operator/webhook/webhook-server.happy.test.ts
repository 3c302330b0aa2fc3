// The admission webhook over HTTPS: the answers the API server gets for ApiKeys that pass and
// that break policy, in Fail and Warn mode, with the cluster's KeywardenPolicy read per request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { asResource, NOW, post, read, review, startWebhook, type RunningWebhook } from './webhook-harness.js';

const project = read('examples/keywarden.yaml');
const violationsProject = read('examples/violations/keywarden.yaml');
const compliant = asResource('examples/keys/order-bot-billing.yaml');
const nonCompliant = asResource('examples/violations/keys/report-bot-billing.yaml');

describe('the admission webhook in Fail mode', () => {
  let webhook: RunningWebhook;
  let clusterPolicy: Record<string, unknown> | undefined;
  let currentProject = project;
  const registry = new Registry();

  beforeAll(async () => {
    webhook = await startWebhook({ mode: 'Fail', project: () => currentProject, policy: () => clusterPolicy, now: () => NOW, registry });
  });
  afterAll(async () => {
    await webhook.stop();
  });

  it('admits a compliant ApiKey, echoing the request uid', async () => {
    const reply = await post(webhook, review(compliant, { uid: 'uid-compliant' }));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-compliant', allowed: true } });
  });

  it('refuses a non-compliant ApiKey with 403 and a message naming every failing rule id', async () => {
    currentProject = violationsProject;
    try {
      const reply = await post(webhook, review(nonCompliant, { uid: 'uid-bad' }));
      expect(reply.status).toBe(200);
      const response = reply.body.response as { uid: string; allowed: boolean; status: { code: number; reason: string; message: string } };
      expect(response).toMatchObject({ uid: 'uid-bad', allowed: false, status: { code: 403, reason: 'Forbidden' } });
      expect(response.status.message).toMatch(/^ApiKey report-bot-billing breaks \d+ policy rules: /);
      for (const rule of ['KW002', 'KW003', 'KW005', 'KW006']) expect(response.status.message).toContain(rule);
    } finally {
      currentProject = project;
    }
  });

  it('applies the KeywardenPolicy as it is when the request comes: a rule disabled there no longer refuses', async () => {
    currentProject = violationsProject;
    try {
      const before = (await post(webhook, review(nonCompliant))).body.response as { allowed: boolean; status: { message: string } };
      const builtIn = [...new Set(before.status.message.match(/KW0\d\d/g))];
      expect(builtIn.length).toBeGreaterThan(3);
      clusterPolicy = { rules: Object.fromEntries(builtIn.map((id) => [id, { enabled: false }])) };
      // The KeywardenPolicy replaces the project file's policy section (its custom rule KW100 included).
      const after = (await post(webhook, review(nonCompliant))).body.response as { allowed: boolean };
      expect(after.allowed).toBe(true);
    } finally {
      clusterPolicy = undefined;
      currentProject = project;
    }
  });

  it('refuses a spec the schema refuses, with the schema finding, instead of failing', async () => {
    const reply = await post(webhook, review({ ...compliant, spec: { integration: 42, scopes: 'all' } }));
    const response = reply.body.response as { allowed: boolean; status: { message: string } };
    expect(reply.status).toBe(200);
    expect(response.allowed).toBe(false);
    expect(response.status.message).toMatch(/KWS\d+/);
  });

  it('admits an update that leaves the document unchanged (a finalizer added), turning the findings into warnings', async () => {
    currentProject = violationsProject;
    try {
      const withFinalizer = { ...nonCompliant, metadata: { ...(nonCompliant.metadata as object), finalizers: ['keywarden.dev/revoke'], resourceVersion: '43' } };
      const response = (await post(webhook, review(withFinalizer, { operation: 'UPDATE', oldObject: nonCompliant }))).body.response as { allowed: boolean; warnings: string[] };
      expect(response.allowed).toBe(true);
      expect(response.warnings.some((w) => w.startsWith('KW002'))).toBe(true);
      // A change to the spec itself is reviewed in Fail mode.
      const changed = { ...nonCompliant, spec: { ...(nonCompliant.spec as object), service: 'billing-v2' } };
      const refused = (await post(webhook, review(changed, { operation: 'UPDATE', oldObject: nonCompliant }))).body.response as { allowed: boolean };
      expect(refused.allowed).toBe(false);
    } finally {
      currentProject = project;
    }
  });

  it('admits what is not a change to an ApiKey document: deletion, an object being deleted, the status subresource, other kinds', async () => {
    currentProject = violationsProject;
    try {
      const deleting = { ...nonCompliant, metadata: { ...(nonCompliant.metadata as object), deletionTimestamp: '2026-06-01T00:00:00Z', finalizers: [] } };
      const answers = await Promise.all([
        post(webhook, review(undefined, { operation: 'DELETE', oldObject: nonCompliant })),
        post(webhook, review(deleting, { operation: 'UPDATE', oldObject: { ...deleting, metadata: { ...deleting.metadata, finalizers: ['keywarden.dev/revoke'] } } })),
        post(webhook, review(nonCompliant, { operation: 'UPDATE', oldObject: nonCompliant, subResource: 'status' })),
        post(webhook, review(nonCompliant, { kind: { group: '', version: 'v1', kind: 'ConfigMap' } })),
      ]);
      expect(answers.map((a) => (a.body.response as { allowed: boolean }).allowed)).toEqual([true, true, true, true]);
      expect((answers[3]!.body.response as { warnings: string[] }).warnings).toEqual([
        'keywarden: core/ConfigMap is not reviewed (this webhook checks keywarden.dev ApiKeys only)',
      ]);
    } finally {
      currentProject = project;
    }
  });

  it('counts the answers by outcome on the registry it was given', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/keywarden_operator_admission_reviews_total\{outcome="allowed"\} [1-9]/);
    expect(text).toMatch(/keywarden_operator_admission_reviews_total\{outcome="refused"\} [1-9]/);
    expect(text).toMatch(/keywarden_operator_admission_reviews_total\{outcome="skipped"\} [1-9]/);
  });
});

describe('the admission webhook in Warn mode', () => {
  let webhook: RunningWebhook;

  beforeAll(async () => {
    webhook = await startWebhook({ mode: 'Warn', project: () => violationsProject, now: () => NOW });
  });
  afterAll(async () => {
    await webhook.stop();
  });

  it('admits a non-compliant ApiKey and returns each finding, rule id first, as a warning', async () => {
    const response = (await post(webhook, review(nonCompliant))).body.response as { allowed: boolean; warnings: string[]; status?: unknown };
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings.length).toBeGreaterThan(3);
    for (const rule of ['KW002', 'KW003', 'KW005', 'KW006']) expect(response.warnings.some((w) => w.startsWith(rule))).toBe(true);
    expect(response.warnings.every((w) => w.length <= 256)).toBe(true);
  });
});
