// The CRDs: generated from the spec's JSON Schema, structural, written to the chart, accepting
// every example ApiKey, and served by a Kubernetes API server (the in-test one) through the
// real @kubernetes/client-node.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { apiKeyCrd, apiKeyOpenApiSchema, crdFiles, policyCrd, policyOpenApiSchema } from '../../src/operator/crds.js';
import { apiKeyStatusSchema } from '../../src/operator/status-schema.js';
import { structuralProblems, type SchemaNode } from '../../src/operator/structural-schema.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { compileCrdSchema } from './crd-ajv.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CRD_DIR = join(ROOT, 'charts', 'keywarden', 'crds');
const KEYS_DIR = join(ROOT, 'examples', 'keys');

function exampleKeys(): Array<{ file: string; doc: Record<string, unknown> }> {
  return readdirSync(KEYS_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(KEYS_DIR, file), 'utf8')).map((doc) => ({ file, doc: doc.toJSON() as Record<string, unknown> })),
    )
    .filter(({ doc }) => doc?.kind === 'ApiKey');
}

describe('the generated CRD files', () => {
  it('match what src/operator/crds.ts builds (run `npm run crds` after changing the spec schema)', () => {
    const files = crdFiles();
    expect(readdirSync(CRD_DIR).sort()).toEqual(Object.keys(files).sort());
    for (const [file, text] of Object.entries(files)) expect(readFileSync(join(CRD_DIR, file), 'utf8')).toBe(text);
  });

  it('parse back to the CRD objects', () => {
    const files = crdFiles();
    expect(parse(files['apikeys.keywarden.dev.yaml']!)).toEqual(apiKeyCrd());
    expect(parse(files['keywardenpolicies.keywarden.dev.yaml']!)).toEqual(policyCrd());
  });
});

describe('the CRD schemas', () => {
  it('are structural (no problems Kubernetes would refuse)', () => {
    expect(structuralProblems(apiKeyOpenApiSchema())).toEqual([]);
    expect(structuralProblems(policyOpenApiSchema())).toEqual([]);
  });

  it('name the ApiKey columns kubectl prints: integration, environments, next rotation, compliant', () => {
    const version = (apiKeyCrd().spec as { versions: Array<{ additionalPrinterColumns: Array<{ name: string; jsonPath: string }> }> }).versions[0]!;
    expect(version.additionalPrinterColumns.map((column) => column.name)).toEqual(['Integration', 'Environments', 'Next Rotation', 'Compliant', 'Ready', 'Age']);
  });

  it('scope ApiKey to namespaces and KeywardenPolicy to the cluster, both with a status subresource', () => {
    expect(apiKeyCrd().spec).toMatchObject({ scope: 'Namespaced', versions: [{ name: 'v1alpha1', subresources: { status: {} } }] });
    expect(policyCrd().spec).toMatchObject({ scope: 'Cluster', versions: [{ name: 'v1alpha1', subresources: { status: {} } }] });
  });
});

describe('the ApiKey CRD schema validated with ajv', () => {
  const validate = compileCrdSchema(apiKeyOpenApiSchema());
  const examples = exampleKeys();

  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map(({ file, doc }) => [file, doc]))('accepts examples/keys/%s as a custom resource', (_file, doc) => {
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('refuses what the spec schema refuses: a zero rate, a bad duration, no environments, two destinations in one entry, a duplicate scope type', () => {
    const base = examples[0]!.doc as { spec: Record<string, unknown> };
    const bad = (spec: Record<string, unknown>): boolean => validate({ ...base, spec: { ...base.spec, ...spec } });
    expect(bad({ rateLimit: { requests: 0, per: '1h' } })).toBe(false);
    expect(bad({ expiresAfter: '1 year' })).toBe(false);
    expect(bad({ environments: {} })).toBe(false);
    expect(bad({ environments: { production: { delivery: [{ file: { path: 'a' }, kubernetesSecret: { namespace: 'n', name: 'x', key: 'K' } }] } } })).toBe(false);
    expect(bad({ environments: { production: { delivery: [{}] } } })).toBe(false);
    expect(bad({ integration: 'Not_A_Name' })).toBe(false);
    expect(bad({ scopes: [1] })).toBe(false);
    expect(validate({ ...base, spec: undefined })).toBe(false);
  });

  it('keeps limits of every scalar type (an open map in the CRD)', () => {
    const base = examples[0]!.doc as { spec: Record<string, unknown> };
    expect(validate({ ...base, spec: { ...base.spec, limits: { a: '1.00', b: 2, c: true } } })).toBe(true);
  });

  it('accepts a full status and refuses an unknown rotation phase or condition status', () => {
    const validateStatus = compileCrdSchema(apiKeyStatusSchema as unknown as SchemaNode);
    const status = {
      observedGeneration: 3,
      environmentNames: 'production,staging',
      nextRotation: '2026-12-01T00:00:00Z',
      conditions: [{ type: 'Ready', status: 'True', observedGeneration: 3, lastTransitionTime: '2026-11-01T00:00:00Z', reason: 'Reconciled', message: '' }],
      environments: {
        production: {
          keyName: 'production-order-bot',
          keyId: 'key_1',
          nextRotation: '2026-12-01T00:00:00Z',
          observedGeneration: 3,
          rotation: { phase: 'Overlapping', currentVersion: 'v2', previousVersion: 'v1', lastRotation: '2026-11-01T00:00:00Z', overlapUntil: '2026-11-02T00:00:00Z', attempt: 0 },
        },
      },
    };
    expect(validateStatus(status)).toBe(true);
    expect(validateStatus({ environments: { production: { rotation: { phase: 'Sleeping', attempt: 0 } } } })).toBe(false);
    expect(validateStatus({ conditions: [{ ...status.conditions[0], status: 'Maybe' }] })).toBe(false);
  });
});

describe('the KeywardenPolicy CRD schema validated with ajv', () => {
  const validate = compileCrdSchema(policyOpenApiSchema());

  it('accepts rule settings, CEL rules and exceptions', () => {
    const policy = {
      apiVersion: 'keywarden.dev/v1alpha1',
      kind: 'KeywardenPolicy',
      metadata: { name: 'cluster' },
      spec: {
        rules: { KW004: { severity: 'warning', params: { minOverlap: '2h' } } },
        customRules: [{ id: 'ACME001', expression: 'key.owner.endsWith("@example.com")', message: 'owners are company addresses' }],
        exceptions: [{ rule: 'KW005', key: 'production-legacy', reason: 'migration', expires: '2027-01-31' }],
      },
    };
    expect(validate(policy)).toBe(true);
  });

  it('refuses a CEL rule without a message and an exception without a target', () => {
    expect(validate({ spec: { customRules: [{ id: 'ACME001', expression: 'true' }] } })).toBe(false);
    expect(validate({ spec: { exceptions: [{ rule: 'KW005', reason: 'x', expires: '2027-01-31' }] } })).toBe(false);
    expect(validate({ spec: { rules: { KW004: { severity: 'fatal' } } } })).toBe(false);
  });
});

describe('the CRDs on a Kubernetes API server', () => {
  let server: FakeKubeApiServer;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    const kc = server.kubeConfig();
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({ body: apiKeyCrd() as unknown as V1CustomResourceDefinition });
    await extensions.createCustomResourceDefinition({ body: policyCrd() as unknown as V1CustomResourceDefinition });
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves ApiKeys: create, status through the status subresource, read back with a new generation only for spec changes', async () => {
    const { doc } = exampleKeys()[0]!;
    const body = { ...doc, metadata: { ...(doc.metadata as object), namespace: 'orders' } };
    const created = (await custom.createNamespacedCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', namespace: 'orders', plural: 'apikeys', body })) as {
      metadata: { name: string; generation: number };
    };
    expect(created.metadata.generation).toBe(1);
    const name = created.metadata.name;
    await custom.patchNamespacedCustomObjectStatus(
      { group: 'keywarden.dev', version: 'v1alpha1', namespace: 'orders', plural: 'apikeys', name, body: { status: { environmentNames: 'production', observedGeneration: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const read = (await custom.getNamespacedCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', namespace: 'orders', plural: 'apikeys', name })) as {
      metadata: { generation: number };
      status: Record<string, unknown>;
      spec: unknown;
    };
    expect(read.metadata.generation).toBe(1);
    expect(read.status).toEqual({ environmentNames: 'production', observedGeneration: 1 });
    expect(read.spec).toEqual(doc.spec);
  });

  it('serves KeywardenPolicy at cluster scope', async () => {
    await custom.createClusterCustomObject({
      group: 'keywarden.dev',
      version: 'v1alpha1',
      plural: 'keywardenpolicies',
      body: { apiVersion: 'keywarden.dev/v1alpha1', kind: 'KeywardenPolicy', metadata: { name: 'cluster' }, spec: { rules: { KW004: { enabled: false } } } },
    });
    const list = (await custom.listClusterCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', plural: 'keywardenpolicies' })) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });
});
