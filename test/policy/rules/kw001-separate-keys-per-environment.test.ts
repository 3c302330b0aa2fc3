import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT, yaml } from '../fixture.js';

describe('KW001 separate keys per environment', () => {
  it('accepts keys with their own names and destinations', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings)).toEqual([]);
  });

  it('reports two specs that resolve to the same key name, at the second one', () => {
    const other = COMPLIANT.replace('name: order-bot-billing', 'name: order-bot-billing-copy').replace('prod/order-bot/billing', 'prod/order-bot/billing-2').replace('development-order-bot', 'development-order-bot-2');
    const result = check({ 'a.yaml': COMPLIANT, 'b.yaml': other });
    // Both specs have integration order-bot: production-order-bot and development-order-bot twice.
    expect(at(result.findings, 'KW001')).toEqual(['KW001 b.yaml:14:5', 'KW001 b.yaml:18:5']);
    expect(result.findings[0]?.message).toContain('key name "production-order-bot"');
    expect(result.findings[0]?.message).toContain('a.yaml:14');
    expect(result.findings[0]?.key).toBe('production-order-bot');
  });

  it('reports two environments delivering to the same Secrets Manager secret, counting the default region', () => {
    const spec = yaml(
      'apiVersion: keywarden.dev/v1alpha1',
      'kind: ApiKey',
      'metadata:',
      '  name: order-bot-billing',
      'spec:',
      '  integration: order-bot',
      '  service: billing',
      '  owner: payments@example.com',
      '  scopes: [invoices:read]',
      '  rateLimit: { requests: 100, per: 1m }',
      '  expiresAfter: 180d',
      '  rotation: { every: 30d, overlap: 1h }',
      '  allowedCidrs: [203.0.113.0/24]',
      '  environments:',
      '    production:',
      '      delivery:',
      '        - awsSecretsManager: { name: shared/billing }',
      '    staging:',
      '      delivery:',
      '        - awsSecretsManager: { name: shared/billing, region: eu-west-1 }',
    );
    const project = yaml(
      'apiVersion: keywarden.dev/v1alpha1',
      'kind: Project',
      'environments:',
      '  production: { mode: live, awsRegion: eu-west-1 }',
      '  staging: { mode: live, awsRegion: us-east-1 }',
    );
    const result = check({ 'a.yaml': spec }, project);
    expect(at(result.findings)).toEqual(['KW001 a.yaml:20:11']);
    expect(result.findings[0]?.message).toMatch(/Secrets Manager secret "shared\/billing" in eu-west-1, which key production-order-bot \(a\.yaml:17\)/);
  });

  it('accepts the same secret name in two different regions', () => {
    const spec = COMPLIANT.replace(
      '    development:\n      delivery:\n        - file: { path: .secrets/development-order-bot }',
      '    staging:\n      allowedCidrs: [203.0.113.0/24]\n      delivery:\n        - awsSecretsManager: { name: prod/order-bot/billing, region: us-east-1 }',
    );
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual([]);
  });

  it('reports the same Kubernetes Secret key and the same file used by two specs', () => {
    const k8s = (name: string, file: string) =>
      COMPLIANT.replace('name: order-bot-billing', `name: ${name}`)
        .replace('integration: order-bot', `integration: ${name}`)
        .replace('- awsSecretsManager: { name: prod/order-bot/billing, region: eu-west-1 }', '- kubernetesSecret: { namespace: orders, name: api-keys, key: API_KEY }')
        .replace('.secrets/development-order-bot', file);
    const result = check({ 'a.yaml': k8s('alpha', '.secrets/dev'), 'b.yaml': k8s('beta', './.secrets//dev') });
    expect(at(result.findings)).toEqual(['KW001 b.yaml:17:11', 'KW001 b.yaml:20:11']);
    expect(result.findings.map((f) => f.message)).toEqual([
      expect.stringContaining('Kubernetes Secret orders/api-keys key API_KEY'),
      expect.stringContaining('file ".secrets/dev"'),
    ]);
  });

  it('reports a spec-level delivery inherited by several environments once, naming every key', () => {
    const spec = COMPLIANT.replace(
      '  environments:\n    production:\n      allowedCidrs: [203.0.113.0/24]\n      delivery:\n        - awsSecretsManager: { name: prod/order-bot/billing, region: eu-west-1 }\n    development:\n      delivery:\n        - file: { path: .secrets/development-order-bot }\n',
      '  allowedCidrs: [203.0.113.0/24]\n  delivery:\n    - kubernetesSecret: { namespace: orders, name: billing, key: API_KEY }\n  environments:\n    production: {}\n    staging: {}\n    development: {}\n',
    );
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings)).toEqual(['KW001 a.yaml:15:7']);
    expect(result.findings[0]?.message).toBe(
      "keys production-order-bot, staging-order-bot, development-order-bot all inherit this delivery to Kubernetes Secret orders/billing key API_KEY and would overwrite each other's secret: give each environment its own delivery",
    );
  });
});
