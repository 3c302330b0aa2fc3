import { describe, expect, it } from '@jest/globals';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import './cdktf-matchers.js';
import { ApiKey } from '../../src/stack/bindings/index.js';
import { load, ORDER_BOT, synthStack } from './fixtures.js';

const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:DeleteSecret","Resource":"*"}]}';

describe('KeysStack: Secrets Manager secrets', () => {
  it('declares the secret with its name, KMS key, recovery window, replicas, resource policy and tags', () => {
    const { json } = synthStack('production', { specs: load(), environments: ['production'] });
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: 'prod/order-bot/billing',
      region: 'eu-west-1',
      kms_key_id: 'alias/keywarden-prod',
      recovery_window_in_days: 7,
      replica: [{ region: 'eu-central-1' }, { region: 'us-east-1' }],
      policy: POLICY,
      tags: { integration: 'order-bot', environment: 'production', owner: 'payments-team@example.com', 'managed-by': 'keywarden' },
      provider: 'aws',
    });
  });

  it('delivers the key into the secret it declares, by ARN', () => {
    const { json } = synthStack('production', { specs: load(), environments: ['production'] });
    const parsed = JSON.parse(json);
    const [secretId] = Object.keys(parsed.resource.aws_secretsmanager_secret);
    expect(parsed.resource.keywarden_api_key['production-order-bot'].aws_secrets_manager).toEqual([{ secret_id: `\${aws_secretsmanager_secret.${secretId}.arn}`, region: 'eu-west-1' }]);
  });

  it('uses the environment\'s AWS region and profile from the project file', () => {
    const { json } = synthStack('production', { specs: load(), environments: ['production'] });
    expect(json).toHaveProviderWithProperties(AwsProvider, { region: 'eu-west-1', profile: 'acme-prod' });
    expect(JSON.parse(json).terraform.required_providers.aws).toEqual({ source: 'aws', version: '6.11.0' });
  });

  it('leaves out the settings a delivery does not give, and takes the delivery\'s own region', () => {
    const { json } = synthStack('staging', { specs: load(), environments: ['staging'] });
    const secrets = JSON.parse(json).resource.aws_secretsmanager_secret;
    expect(Object.values(secrets)).toEqual([
      {
        name: 'staging/order-bot/billing',
        description: 'API key staging-order-bot (order-bot → billing), managed by Keywarden',
        region: 'us-west-2',
        tags: { integration: 'order-bot', environment: 'staging', owner: 'payments-team@example.com', 'managed-by': 'keywarden' },
        provider: 'aws',
      },
    ]);
    expect(json).toHaveProviderWithProperties(AwsProvider, { region: 'eu-central-1' });
  });

  it('points the delivery at the secret\'s own region when neither the delivery nor the environment names one', () => {
    const project = 'apiVersion: keywarden.dev/v1alpha1\nkind: Project\nenvironments: { production: { mode: live }, staging: { mode: live }, development: { mode: test } }\n';
    const { json } = synthStack('production', { specs: load(undefined, project), environments: ['production'] });
    const parsed = JSON.parse(json);
    expect(parsed.provider.aws).toEqual([{}]);
    expect(parsed.resource.aws_secretsmanager_secret['secret-default-prod_order-bot_billing'].region).toBeUndefined();
    expect(parsed.resource.keywarden_api_key['production-order-bot'].aws_secrets_manager).toEqual([
      { secret_id: '${aws_secretsmanager_secret.secret-default-prod_order-bot_billing.arn}', region: '${aws_secretsmanager_secret.secret-default-prod_order-bot_billing.region}' },
    ]);
  });

  it('omits the owner tag when the spec names no owner', () => {
    const project = `apiVersion: keywarden.dev/v1alpha1
kind: Project
environments: { production: { mode: live, awsRegion: eu-west-1 } }
policy:
  rules: { KW006: { enabled: false } }
`;
    const noOwner = ORDER_BOT.replace('  owner: payments-team@example.com\n', '').replace(/ {4}staging:[\s\S]*$/, '');
    const { json } = synthStack('production', { specs: load({ 'keys/order-bot.yaml': noOwner }, project), environments: ['production'] });
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, { tags: { integration: 'order-bot', environment: 'production', 'managed-by': 'keywarden' } });
  });

  it('needs no AWS provider in a stack without Secrets Manager deliveries', () => {
    const { json } = synthStack('development', { specs: load(), environments: ['development'] });
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed.terraform.required_providers)).toEqual(['keywarden']);
    expect(parsed.provider.aws).toBeUndefined();
    expect(parsed.resource.aws_secretsmanager_secret).toBeUndefined();
    expect(json).toHaveResource(ApiKey);
  });

  it('gives each environment its own aliased AWS provider in a stack that holds several', () => {
    const { json } = synthStack('keywarden', { specs: load() });
    const parsed = JSON.parse(json);
    expect(parsed.provider.aws).toEqual([
      { alias: 'production', region: 'eu-west-1', profile: 'acme-prod' },
      { alias: 'staging', region: 'eu-central-1' },
    ]);
    const secrets = parsed.resource.aws_secretsmanager_secret as Record<string, { name: string; provider: string }>;
    expect(Object.values(secrets).map((s) => [s.name, s.provider])).toEqual([
      ['prod/order-bot/billing', 'aws.production'],
      ['staging/order-bot/billing', 'aws.staging'],
    ]);
    expect(Object.keys(parsed.resource.keywarden_api_key)).toEqual(['development-order-bot', 'production-order-bot', 'staging-order-bot']); // Testing.synth sorts keys
  });
});
