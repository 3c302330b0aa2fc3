import { describe, expect, it } from '@jest/globals';
import './cdktf-matchers.js';
import { ApiKey, KeywardenProvider } from '../../src/stack/bindings/index.js';
import { load, PROJECT, synthStack } from './fixtures.js';

const PRODUCTION_SECRET = 'secret-eu-west-1-prod_order-bot_billing';

describe('KeysStack: spec fields in keywarden_api_key attributes', () => {
  it('maps every field of a production key to its attribute', () => {
    const { json } = synthStack('production', { specs: load(), environments: ['production'] });
    expect(json).toHaveResourceWithProperties(ApiKey, {
      name: 'production-order-bot',
      environment: 'production',
      mode: 'live',
      integration: 'order-bot',
      service: 'billing',
      scopes: ['invoices:read', 'invoices:write'],
      allowed_cidrs: ['203.0.113.0/24', '2001:db8:100::/48'],
      limits: { max_payout: '55.00', max_items: '20', refunds: 'true' },
      rate_limit: { requests: 10000, per: '1h' },
      expires_after: '365d',
      metadata: {
        team: 'payments',
        'keywarden.dev/spec': 'order-bot-billing',
        'keywarden.dev/owner': 'payments-team@example.com',
        'keywarden.dev/rotation-every': '30d',
        'keywarden.dev/rotation-overlap': '24h',
      },
      aws_secrets_manager: [{ secret_id: `\${aws_secretsmanager_secret.${PRODUCTION_SECRET}.arn}`, region: 'eu-west-1' }],
      kubernetes_secret: [{ namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' }],
    });
  });

  it('takes the environment overrides: scopes, CIDRs, schedule rotation and the delivery region', () => {
    const { json } = synthStack('staging', { specs: load(), environments: ['staging'] });
    expect(json).toHaveResourceWithProperties(ApiKey, {
      name: 'staging-order-bot',
      scopes: ['invoices:read'],
      allowed_cidrs: ['198.51.100.0/24'],
      metadata: {
        team: 'payments',
        'keywarden.dev/spec': 'order-bot-billing',
        'keywarden.dev/owner': 'payments-team@example.com',
        'keywarden.dev/rotation-schedule': '0 3 * * 0',
        'keywarden.dev/rotation-window': '2h',
        'keywarden.dev/rotation-overlap': '1h',
      },
      aws_secrets_manager: [{ secret_id: '${aws_secretsmanager_secret.secret-us-west-2-staging_order-bot_billing.arn}', region: 'us-west-2' }],
    });
  });

  it('merges limits and labels and writes file deliveries as absolute paths under the project root', () => {
    const { json } = synthStack('development', { specs: load(), environments: ['development'] });
    expect(json).toHaveResourceWithProperties(ApiKey, {
      name: 'development-order-bot',
      mode: 'test',
      limits: { max_payout: '5.00', max_items: '20', refunds: 'true' },
      file: [{ path: `${process.cwd()}/.keywarden/secrets/development-order-bot` }],
    });
    const key = JSON.parse(json).resource.keywarden_api_key['development-order-bot'];
    expect(key.metadata).toMatchObject({ team: 'payments', tier: 'sandbox' });
    expect(key.allowed_cidrs).toBeUndefined();
    expect(key.aws_secrets_manager).toBeUndefined();
    expect(key.kubernetes_secret).toBeUndefined();
  });

  it('leaves out what a spec does not set instead of writing empty values', () => {
    const minimal = `apiVersion: keywarden.dev/v1alpha1
kind: ApiKey
metadata: { name: tiny }
spec:
  integration: tiny
  service: billing
  environments: { development: {} }
`;
    // The rules that want scopes, rotation, an owner and a delivery are turned off for this key.
    const lenient = `${PROJECT}policy:\n  rules: { KW002: { enabled: false }, KW004: { enabled: false }, KW006: { enabled: false }, KW010: { enabled: false } }\n`;
    const { json } = synthStack('development', { specs: load({ 'keys/tiny.yaml': minimal }, lenient), environments: ['development'] });
    const key = JSON.parse(json).resource.keywarden_api_key['development-tiny'];
    expect(key).toEqual({
      name: 'development-tiny',
      environment: 'development',
      mode: 'test',
      integration: 'tiny',
      service: 'billing',
      scopes: [],
      metadata: { 'keywarden.dev/spec': 'tiny' },
    });
  });

  it('configures the Keywarden provider with no endpoint and no API key (they come from the environment)', () => {
    const { json } = synthStack('production', { specs: load(), environments: ['production'] });
    expect(json).toHaveProviderWithProperties(KeywardenProvider, {});
    expect(JSON.parse(json).provider.keywarden).toEqual([{}]);
    expect(JSON.parse(json).terraform.required_providers.keywarden).toEqual({ source: 'keywarden/keywarden', version: '0.1.0' });
  });

  it('names each resource after its key, so the Terraform address is keywarden_api_key.<name>', () => {
    const { stack, json } = synthStack('production', { specs: load(), environments: ['production'] });
    expect(stack.keys.map((k) => k.address)).toEqual(['keywarden_api_key.production-order-bot']);
    expect(Object.keys(JSON.parse(json).resource.keywarden_api_key)).toEqual(['production-order-bot']);
  });
});
