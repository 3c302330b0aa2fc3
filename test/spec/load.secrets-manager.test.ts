import { describe, expect, it } from '@jest/globals';
import { loadFromStrings } from '../../src/spec/index.js';

/** An ApiKey whose production entry delivers to Secrets Manager with `settings` (a YAML flow mapping body). */
function withSecret(settings: string): string {
  return [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: ApiKey',
    'metadata: { name: order-bot-billing }',
    'spec:',
    '  integration: order-bot',
    '  service: billing',
    '  environments:',
    '    production:',
    '      delivery:',
    `        - awsSecretsManager: { name: prod/order-bot/billing, ${settings} }`,
    '',
  ].join('\n');
}

const PROJECT = 'apiVersion: keywarden.dev/v1alpha1\nkind: Project\nenvironments:\n  production: { mode: live, awsRegion: eu-west-1, awsProfile: prod-admin }\n';

describe('Secrets Manager delivery settings', () => {
  it('carries the KMS key, recovery window, replica regions and policy into the resolved delivery', () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    const result = loadFromStrings({ 'keys/a.yaml': withSecret(`kmsKeyId: alias/keywarden, recoveryWindowDays: 7, replicaRegions: [eu-central-1], policy: '${policy}'`) }, { project: PROJECT });
    expect(result.errors).toEqual([]);
    expect(result.keys[0]?.delivery).toEqual([
      { kind: 'awsSecretsManager', name: 'prod/order-bot/billing', region: 'eu-west-1', kmsKeyId: 'alias/keywarden', recoveryWindowDays: 7, replicaRegions: ['eu-central-1'], policy },
    ]);
    expect(result.project.environments['production']?.awsProfile).toBe('prod-admin');
  });

  it('refuses a recovery window of 1 to 6 days at the field', () => {
    const result = loadFromStrings({ 'keys/a.yaml': withSecret('recoveryWindowDays: 3') });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line} ${e.path}`)).toEqual(['KWS005 10 spec.environments.production.delivery[0].awsSecretsManager.recoveryWindowDays']);
    expect(result.errors[0]?.message).toContain('0 (delete at once) or 7 to 30 days');
  });

  it('refuses a resource policy that is not a JSON object', () => {
    const result = loadFromStrings({ 'keys/a.yaml': withSecret("policy: 'Allow everything'") });
    expect(result.errors.map((e) => `${e.ruleId} ${e.path}`)).toEqual(['KWS005 spec.environments.production.delivery[0].awsSecretsManager.policy']);
    expect(result.errors[0]?.message).toContain('IAM policy document as JSON text');
  });

  it('reads the stack section of the project file', () => {
    const project = `${PROJECT}stack:\n  split: single\n  backend:\n    s3: { bucket: acme-state, region: eu-west-1, dynamodbTable: locks }\n`;
    const result = loadFromStrings({}, { project });
    expect(result.errors).toEqual([]);
    expect(result.project.stack).toEqual({ split: 'single', backend: { s3: { bucket: 'acme-state', region: 'eu-west-1', dynamodbTable: 'locks' } } });
  });

  it('refuses an S3 backend without a bucket', () => {
    const project = `${PROJECT}stack:\n  backend:\n    s3: { region: eu-west-1 }\n`;
    const result = loadFromStrings({}, { project });
    expect(result.errors.map((e) => e.ruleId)).toEqual(['KWS006']);
  });
});
