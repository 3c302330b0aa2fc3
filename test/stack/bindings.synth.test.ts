import { describe, expect, it } from '@jest/globals';
import { Testing } from 'cdktf';
import './cdktf-matchers.js';
import { ApiKey, DataKeywardenApiKey, DataKeywardenScopes, KeywardenProvider } from '../../src/stack/bindings/index.js';

describe('the generated bindings synthesize the provider, the resource and the data sources', () => {
  const json = Testing.synthScope((scope) => {
    new KeywardenProvider(scope, 'keywarden', { timeoutSeconds: 5, retries: 1, insecure: false });
    const key = new ApiKey(scope, 'billing', {
      name: 'development-order-bot',
      environment: 'development',
      mode: 'test',
      scopes: ['invoices:read'],
      limits: { max_payout: '5.00' },
      metadata: { 'keywarden.dev/owner': 'Payments Team' },
      rateLimit: { requests: 60, per: '1m' },
      kubernetesSecret: [{ namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' }],
      file: [{ path: '/tmp/key' }],
      enabled: true,
    });
    const found = new DataKeywardenApiKey(scope, 'found', { name: key.name });
    new DataKeywardenScopes(scope, 'scopes', { includeManagement: false, dependsOn: [found] });
  });

  it('writes snake_case attributes and blocks, keeping map keys as they are', () => {
    expect(json).toHaveResourceWithProperties(ApiKey, {
      name: 'development-order-bot',
      rate_limit: { requests: 60, per: '1m' },
      kubernetes_secret: [{ namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' }],
      file: [{ path: '/tmp/key' }],
      limits: { max_payout: '5.00' },
      metadata: { 'keywarden.dev/owner': 'Payments Team' },
      enabled: true,
    });
  });

  it('configures the provider and requires it from keywarden/keywarden at the provider\'s version', () => {
    expect(json).toHaveProviderWithProperties(KeywardenProvider, { timeout_seconds: 5, retries: 1, insecure: false });
    expect(JSON.parse(json).terraform.required_providers).toEqual({ keywarden: { source: 'keywarden/keywarden', version: '0.1.0' } });
  });

  it('reads computed attributes as Terraform references, and passes meta-arguments through', () => {
    expect(json).toHaveDataSourceWithProperties(DataKeywardenApiKey, { name: '${keywarden_api_key.billing.name}' });
    expect(json).toHaveDataSourceWithProperties(DataKeywardenScopes, { include_management: false, depends_on: ['data.keywarden_api_key.found'] });
  });
});
