// The admission decision: the CLI's loader and policy engine applied to an ApiKey custom
// resource, in Fail and Warn mode, with the cluster's project file and KeywardenPolicy.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { admissionResponse, documentOf, reviewApiKey } from '../../src/operator/admission.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const NOW = new Date('2026-06-01T00:00:00Z');

/** An example document as the API server would hold it: server-set metadata and a status. */
function asResource(path: string): Record<string, unknown> {
  const doc = parse(read(path)) as Record<string, unknown> & { metadata: Record<string, unknown> };
  return {
    ...doc,
    metadata: {
      ...doc.metadata,
      namespace: 'orders',
      uid: '6f1c',
      resourceVersion: '42',
      generation: 2,
      creationTimestamp: '2026-01-01T00:00:00Z',
      annotations: { ...((doc.metadata.annotations as object) ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}' },
    },
    status: { observedGeneration: 1 },
  };
}

const project = read('examples/keywarden.yaml');

describe('reviewApiKey', () => {
  it.each(['order-bot-billing', 'crm-sync-contacts', 'analytics-export-events', 'deploy-bot-keywarden', 'support-portal-billing'])(
    'admits examples/keys/%s without warnings (server-set metadata and status ignored)',
    (name) => {
      const decision = reviewApiKey(asResource(`examples/keys/${name}.yaml`), { mode: 'Fail', project, now: NOW });
      expect(decision.findings).toEqual([]);
      expect(decision).toEqual({ allowed: true, findings: [], warnings: [] });
    },
  );

  it('refuses a non-compliant ApiKey in Fail mode, naming each rule', () => {
    const decision = reviewApiKey(asResource('examples/violations/keys/report-bot-billing.yaml'), { mode: 'Fail', project: read('examples/violations/keywarden.yaml'), now: NOW });
    expect(decision.allowed).toBe(false);
    expect(decision.message).toMatch(/^ApiKey report-bot-billing breaks \d+ policy rules?: KW\d{3}/);
    const errorRules = decision.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);
    expect(errorRules.length).toBeGreaterThan(0);
    for (const rule of errorRules) expect(decision.message).toContain(rule);
  });

  it('admits the same ApiKey in Warn mode with every finding as a warning', () => {
    const decision = reviewApiKey(asResource('examples/violations/keys/report-bot-billing.yaml'), { mode: 'Warn', project: read('examples/violations/keywarden.yaml'), now: NOW });
    expect(decision.allowed).toBe(true);
    expect(decision.warnings).toHaveLength(decision.findings.length);
    expect(decision.warnings.every((w) => /^[A-Z]+\d+/.test(w) && w.length <= 256)).toBe(true);
  });

  it('applies the cluster KeywardenPolicy: a disabled rule no longer refuses', () => {
    const resource = asResource('examples/violations/keys/report-bot-billing.yaml');
    const options = { mode: 'Fail' as const, project: read('examples/violations/keywarden.yaml'), now: NOW };
    const before = reviewApiKey(resource, options);
    const errorRules = [...new Set(before.findings.filter((f) => f.severity === 'error' && f.ruleId.startsWith('KW0')).map((f) => f.ruleId))];
    expect(errorRules.length).toBeGreaterThan(0);
    const rules = Object.fromEntries(errorRules.map((id) => [id, { enabled: false }]));
    const after = reviewApiKey(resource, { ...options, policy: { rules } });
    expect(after.findings.filter((f) => errorRules.includes(f.ruleId))).toEqual([]);
  });

  it('refuses a resource the spec schema refuses, with the load error, and never throws', () => {
    const resource = asResource('examples/keys/order-bot-billing.yaml');
    const decision = reviewApiKey({ ...resource, spec: { integration: 'order-bot' } }, { mode: 'Fail', project, now: NOW });
    expect(decision.allowed).toBe(false);
    expect(decision.findings.some((f) => f.ruleId.startsWith('KWS'))).toBe(true);
    expect(reviewApiKey({}, { mode: 'Warn' }).allowed).toBe(true);
    expect(reviewApiKey({}, { mode: 'Fail' }).allowed).toBe(false);
  });
});

describe('documentOf', () => {
  it('keeps name, namespace, labels, annotations and spec, and drops what the API server adds', () => {
    const doc = documentOf(asResource('examples/keys/order-bot-billing.yaml'));
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(doc.metadata).toEqual({ name: 'order-bot-billing', namespace: 'orders', labels: { team: 'payments' } });
  });
});

describe('admissionResponse', () => {
  it('answers an AdmissionReview: 403 with the message when refused, warnings when admitted', () => {
    expect(admissionResponse('u1', { allowed: false, findings: [], warnings: ['w'], message: 'no' })).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: false, warnings: ['w'], status: { code: 403, reason: 'Forbidden', message: 'no' } },
    });
    expect(admissionResponse('u2', { allowed: true, findings: [], warnings: [] })).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u2', allowed: true },
    });
  });
});
