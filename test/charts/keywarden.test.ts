// The Helm chart: metadata, values.yaml against values.schema.json (both ways), every value
// used and every used value defined, templates well-formed, least-privilege RBAC, the webhook.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { chartFile, chartYaml, CHART_DIR, crudeRender, templateNames, valuesReferences } from './chart-files.js';

type Schema = { type?: unknown; description?: string; properties?: Record<string, Schema>; additionalProperties?: boolean | Schema; items?: Schema };

const values = chartYaml('values.yaml') as Record<string, unknown>;
const schema = JSON.parse(chartFile('values.schema.json')) as Schema;
const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

describe('Chart.yaml', () => {
  it('is a v2 application chart named keywarden whose appVersion is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(CHART_DIR, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(chartYaml('Chart.yaml')).toMatchObject({ apiVersion: 'v2', name: 'keywarden', type: 'application', appVersion: pkg.version });
    expect((chartYaml('Chart.yaml') as { version: string }).version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('values.yaml and values.schema.json', () => {
  it('values.yaml validates against the schema', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(values) ? [] : validate.errors).toEqual([]);
  });

  it('the schema refuses a misspelt value and a webhook mode other than Fail or Warn', () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate({ ...values, operatr: {} })).toBe(false);
    expect(validate({ ...values, webhook: { ...(values.webhook as object), mode: 'Audit' } })).toBe(false);
    expect(validate({ ...values, operator: { ...(values.operator as object), replicas: 0 } })).toBe(false);
  });

  it('describes every value in values.yaml, and values.yaml sets every value the schema describes', () => {
    const missing: string[] = [];
    const unset: string[] = [];
    const walk = (value: unknown, node: Schema, path: string): void => {
      if (!node.description && path !== '') missing.push(`${path} (no description)`);
      if (!isMap(value) || node.properties === undefined) return;
      for (const [key, child] of Object.entries(value)) {
        const childSchema = node.properties[key];
        if (childSchema === undefined) missing.push(`${path}${key}`);
        else walk(child, childSchema, `${path}${key}.`);
      }
      for (const key of Object.keys(node.properties)) if (!(key in value)) unset.push(`${path}${key}`);
    };
    walk(values, schema, '');
    expect(missing).toEqual([]);
    expect(unset).toEqual([]);
  });

  it('closes every object the schema describes field by field', () => {
    const open: string[] = [];
    const walk = (node: Schema, path: string): void => {
      if (node.properties !== undefined) {
        if (node.additionalProperties !== false) open.push(path || '.');
        for (const [key, child] of Object.entries(node.properties)) walk(child, `${path}.${key}`);
      }
      if (node.items) walk(node.items, `${path}[]`);
    };
    walk(schema, '');
    expect(open).toEqual([]);
  });
});

describe('the templates', () => {
  const references = valuesReferences();

  it('only use values that values.yaml defines', () => {
    const undefinedPaths = [...references.keys()].filter((path) => {
      let node: unknown = values;
      for (const key of path.split('.')) {
        if (!isMap(node) || !(key in node)) return true;
        node = node[key];
      }
      return false;
    });
    expect(undefinedPaths).toEqual([]);
  });

  it('use every value values.yaml defines (no dead settings)', () => {
    const used = [...references.keys()];
    const unused: string[] = [];
    const walk = (value: unknown, path: string, node: Schema): void => {
      const isUsed = used.some((ref) => ref === path || ref.startsWith(`${path}.`) || path.startsWith(`${ref}.`));
      if (isMap(value) && node.properties !== undefined && !used.includes(path)) {
        for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key, node.properties[key] ?? {});
      } else if (!isUsed) unused.push(path);
    };
    walk(values, '', schema);
    expect(unused).toEqual([]);
  });

  it('include only helpers that _helpers.tpl defines', () => {
    const defined = new Set([...chartFile('templates/_helpers.tpl').matchAll(/define "([^"]+)"/g)].map((m) => m[1]));
    const files = [...templateNames().map((n) => `templates/${n}`), 'templates/_helpers.tpl'];
    const used = files.flatMap((file) => [...chartFile(file).matchAll(/include "([^"]+)"/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });

  it.each(templateNames())('%s is well-formed YAML once the template actions are taken out', (name) => {
    const docs = crudeRender(name);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(doc).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
  });

  it('grant least privilege: exactly the rules the operator needs, no wildcards, Leases only in its namespace', () => {
    const docs = crudeRender('rbac.yaml');
    expect(JSON.stringify(docs)).not.toContain('"*"');
    const rules = (kind: string): string[] =>
      (docs.find((d) => d.kind === kind)!.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>).flatMap((rule) =>
        rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${group || 'core'}/${resource}: ${[...rule.verbs].sort().join(',')}`)),
      );
    expect(rules('ClusterRole').sort()).toEqual(
      [
        'keywarden.dev/apikeys: get,list,patch,update,watch',
        'keywarden.dev/apikeys/status: get,patch,update',
        'keywarden.dev/apikeys/finalizers: update',
        'keywarden.dev/keywardenpolicies: get,list,watch',
        'keywarden.dev/keywardenpolicies/status: get,patch,update',
        'core/secrets: create,get,list,patch,update,watch',
        'core/events: create,patch',
        'events.k8s.io/events: create,patch',
        'apps/deployments: get,list,patch',
        'apps/statefulsets: get,list,patch',
      ].sort(),
    );
    expect(rules('Role')).toEqual(['coordination.k8s.io/leases: create,get,list,patch,update,watch']);
    expect(docs.find((d) => d.kind === 'Role')!.metadata).toMatchObject({ namespace: 'X' });
    // No delete anywhere: the operator never deletes Secrets or resources it does not own.
    expect(JSON.stringify(docs)).not.toContain('"delete"');
  });

  it('register the validating webhook for ApiKey create and update with the failure policy from values', () => {
    const webhook = crudeRender('webhook.yaml').find((d) => d.kind === 'ValidatingWebhookConfiguration')!;
    expect(webhook.webhooks).toMatchObject([
      { name: 'apikeys.keywarden.dev', sideEffects: 'None', rules: [{ apiGroups: ['keywarden.dev'], resources: ['apikeys'], operations: ['CREATE', 'UPDATE'] }] },
    ]);
    expect(chartFile('templates/webhook.yaml')).toContain('failurePolicy: {{ .Values.webhook.failurePolicy }}');
    expect(chartFile('templates/deployment.yaml')).toContain('--webhook-mode={{ .Values.webhook.mode }}');
  });

  it('read the key service database URL from a Secret, never from a value', () => {
    const deployment = crudeRender('key-service.yaml').find((d) => d.kind === 'Deployment')!;
    const env = JSON.stringify(deployment);
    expect(env).toContain('"KEYWARDEN_DATABASE_URL","valueFrom":{"secretKeyRef"');
  });

  it('leave the ServiceAccount annotations to values (IAM roles for service accounts)', () => {
    expect(chartFile('templates/serviceaccount.yaml')).toContain('.Values.serviceAccount.annotations');
  });

  it('let into the operator and key service pods only the ports they serve, when networkPolicy is enabled', () => {
    const template = chartFile('templates/network-policy.yaml');
    expect(template.startsWith('{{- if .Values.networkPolicy.enabled }}')).toBe(true);
    const [operator, keyService] = crudeRender('network-policy.yaml') as Array<{ kind: string; spec: { podSelector: unknown; policyTypes: string[]; ingress: Array<{ ports: Array<{ port: string }>; from?: unknown }> } }>;
    expect(operator).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: { matchLabels: { rendered: 'x' } } } });
    // Ingress only: the operator must still reach the API server, the key service and AWS.
    expect(operator!.spec.policyTypes).toEqual(['Ingress']);
    expect(operator!.spec.ingress.flatMap((rule) => rule.ports.map((p) => p.port)).sort()).toEqual(['health', 'metrics', 'webhook']);
    // Named ports: the same names the Deployment's container declares.
    const deployment = chartFile('templates/deployment.yaml');
    for (const port of ['health', 'metrics', 'webhook']) expect(deployment).toContain(`- name: ${port}`);
    expect(template).toContain('{{- with .Values.networkPolicy.metricsFrom }}');
    expect(keyService!.spec.ingress).toEqual([{ ports: [{ port: 'https', protocol: 'TCP' }], from: [{ podSelector: { matchLabels: { rendered: 'x' } } }, 'X'] }]);
    expect(chartFile('templates/key-service.yaml')).toContain('- name: https');
  });
});
