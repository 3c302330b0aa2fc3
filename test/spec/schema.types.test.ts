import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { apiKeySchema, projectSchema, type ApiKeyDocument, type ProjectDocument } from '../../src/spec/index.js';

// These constants are checked by `npm run typecheck` against the types derived from the
// schema, and at run time against the schema itself: the two cannot drift apart.
const apiKey: ApiKeyDocument = {
  apiVersion: 'keywarden.dev/v1alpha1',
  kind: 'ApiKey',
  metadata: { name: 'order-bot-billing', labels: { team: 'payments' } },
  spec: {
    integration: 'order-bot',
    service: 'billing',
    owner: 'payments-team@example.com',
    scopes: ['invoices:read'],
    limits: { max_payout: '55.00', max_rows: 10, dry_run: false },
    rateLimit: { requests: 100, per: '1m' },
    rotation: { schedule: '0 3 * * 0', window: '2h', overlap: '24h' },
    environments: {
      production: {
        allowedCidrs: ['203.0.113.0/24'],
        delivery: [{ awsSecretsManager: { name: 'prod/order-bot/billing' } }, { kubernetesSecret: { namespace: 'orders', name: 'billing', key: 'API_KEY' } }],
      },
      development: { name: 'dev-order-bot', delivery: [{ file: { path: '.keywarden/secrets/dev' } }] },
    },
  },
};

const project: ProjectDocument = {
  apiVersion: 'keywarden.dev/v1alpha1',
  kind: 'Project',
  environments: { production: { mode: 'live', awsRegion: 'eu-west-1' }, development: { mode: 'test' } },
  naming: { template: '{environment}-{integration}' },
  integrators: ['deploy-bot'],
  scopeCatalogs: { billing: ['invoices:read'] },
  specs: ['keys'],
  policy: { rules: { KW003: { params: { maxLifetime: '400d' } } } },
};

describe('types derived from the schema', () => {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });

  it('accept exactly what the ApiKey schema accepts', () => {
    expect(ajv.validate(apiKeySchema, apiKey)).toBe(true);
    // @ts-expect-error — the derived type rejects a field the schema does not know.
    const unknownField: ApiKeyDocument = { ...apiKey, spec: { ...apiKey.spec, scops: [] } };
    expect(ajv.validate(apiKeySchema, unknownField)).toBe(false);
  });

  it('accept exactly what the project schema accepts', () => {
    expect(ajv.validate(projectSchema, project)).toBe(true);
    // @ts-expect-error — the derived type knows the two modes.
    const badMode: ProjectDocument = { ...project, environments: { production: { mode: 'prod' } } };
    expect(ajv.validate(projectSchema, badMode)).toBe(false);
  });
});
