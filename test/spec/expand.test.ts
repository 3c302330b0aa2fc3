import { describe, expect, it } from '@jest/globals';
import { loadFromStrings, type ResolvedKey } from '../../src/spec/index.js';

const SPEC = [
  'apiVersion: keywarden.dev/v1alpha1', //  1
  'kind: ApiKey', //                         2
  'metadata:', //                            3
  '  name: order-bot-billing', //            4
  '  labels: { team: payments, tier: "1" }', // 5
  'spec:', //                                6
  '  integration: order-bot', //             7
  '  service: billing', //                   8
  '  owner: payments-team@example.com', //   9
  '  scopes: [invoices:read, payouts:write]', // 10
  '  limits: { max_payout: "55.00", currency: EUR }', // 11
  '  rateLimit: { requests: 10000, per: 1h }', // 12
  '  expiresAfter: 365d', //                 13
  '  environments:', //                      14
  '    production:', //                      15
  '      allowedCidrs: [203.0.113.0/24]', // 16
  '      rotation: { every: 30d, overlap: 24h }', // 17
  '      delivery:', //                      18
  '        - awsSecretsManager: { name: prod/order-bot/billing }', // 19
  '        - kubernetesSecret: { namespace: orders, name: billing-api-key, key: API_KEY }', // 20
  '    staging:', //                         21
  '      name: stg-order-bot', //            22
  '      scopes: [invoices:read]', //        23
  '      labels: { tier: "2" }', //          24
  '      limits: { max_payout: "5.00" }', // 25
  '      delivery:', //                      26
  '        - awsSecretsManager: { name: staging/order-bot/billing, region: us-east-1 }', // 27
  '    development: {}', //                  28
  '',
].join('\n');

const PROJECT = [
  'apiVersion: keywarden.dev/v1alpha1',
  'kind: Project',
  'environments:',
  '  production: { mode: live, awsRegion: eu-west-1 }',
  '  staging: { mode: live }',
  '  development: { mode: test }',
  'naming:',
  '  template: "{service}-{environment}-{integration}"',
  '',
].join('\n');

function load(project = PROJECT): Record<string, ResolvedKey> {
  const result = loadFromStrings({ 'keys/order-bot.yaml': SPEC }, { project });
  expect(result.errors).toEqual([]);
  return Object.fromEntries(result.keys.map((k) => [k.environment, k]));
}

function at(key: ResolvedKey, field: Parameters<ResolvedKey['locate']>[0], ...rest: Array<string | number>): string {
  const l = key.locate(field, ...rest);
  return `${l.file}:${l.line}:${l.column} ${l.path}`;
}

describe('expansion', () => {
  it('makes one key per environment, in document order, with the mode of its environment', () => {
    const keys = Object.values(load());
    expect(keys.map((k) => `${k.environment}:${k.mode}`)).toEqual(['production:live', 'staging:live', 'development:test']);
  });

  it('names keys with the project template, unless the environment names its key', () => {
    const keys = load();
    expect(keys['production']?.name).toBe('billing-production-order-bot');
    expect(keys['staging']?.name).toBe('stg-order-bot');
  });

  it('names keys <environment>-<integration> without a naming template', () => {
    const result = loadFromStrings({ 'keys/order-bot.yaml': SPEC });
    expect(result.keys.map((k) => k.name)).toEqual(['production-order-bot', 'stg-order-bot', 'development-order-bot']);
  });

  it('takes spec-level defaults where the environment says nothing', () => {
    const dev = load()['development'] as ResolvedKey;
    expect(dev.owner).toBe('payments-team@example.com');
    expect(dev.scopes).toEqual(['invoices:read', 'payouts:write']);
    expect(dev.limits).toEqual({ max_payout: '55.00', currency: 'EUR' });
    expect(dev.rateLimit).toEqual({ requests: 10000, per: { text: '1h', seconds: 3600 } });
    expect(dev.expiresAfter).toEqual({ text: '365d', seconds: 365 * 86400 });
    expect(dev.allowedCidrs).toBeUndefined();
    expect(dev.rotation).toBeUndefined();
    expect(dev.delivery).toEqual([]);
  });

  it('replaces lists and records with the override, and merges limits and labels over the defaults', () => {
    const keys = load();
    const staging = keys['staging'] as ResolvedKey;
    expect(staging.scopes).toEqual(['invoices:read']);
    expect(staging.limits).toEqual({ max_payout: '5.00', currency: 'EUR' });
    expect(staging.labels).toEqual({ team: 'payments', tier: '2' });
    expect(keys['production']?.labels).toEqual({ team: 'payments', tier: '1' });
    expect(keys['production']?.rotation).toEqual({ every: { text: '30d', seconds: 2592000 }, overlap: { text: '24h', seconds: 86400 } });
  });

  it('fills a Secrets Manager region from the environment when the delivery gives none', () => {
    const keys = load();
    expect(keys['production']?.delivery).toEqual([
      { kind: 'awsSecretsManager', name: 'prod/order-bot/billing', region: 'eu-west-1' },
      { kind: 'kubernetesSecret', namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' },
    ]);
    expect(keys['staging']?.delivery).toEqual([{ kind: 'awsSecretsManager', name: 'staging/order-bot/billing', region: 'us-east-1' }]);
  });
});

describe('positions of resolved fields', () => {
  it('points at the environment override when there is one', () => {
    const staging = load()['staging'] as ResolvedKey;
    expect(at(staging, 'scopes')).toBe('keys/order-bot.yaml:23:15 spec.environments.staging.scopes');
    expect(at(staging, 'scopes', 0)).toBe('keys/order-bot.yaml:23:16 spec.environments.staging.scopes[0]');
    expect(at(staging, 'delivery', 0, 'awsSecretsManager', 'region')).toBe('keys/order-bot.yaml:27:73 spec.environments.staging.delivery[0].awsSecretsManager.region');
    expect(at(staging, 'name')).toBe('keys/order-bot.yaml:22:7 spec.environments.staging.name');
  });

  it('points at the spec-level value when the environment has no override', () => {
    const production = load()['production'] as ResolvedKey;
    expect(at(production, 'scopes', 1)).toBe('keys/order-bot.yaml:10:27 spec.scopes[1]');
    expect(at(production, 'owner')).toBe('keys/order-bot.yaml:9:10 spec.owner');
    expect(at(production, 'expiresAfter')).toBe('keys/order-bot.yaml:13:17 spec.expiresAfter');
    expect(at(production, 'rateLimit', 'per')).toBe('keys/order-bot.yaml:12:38 spec.rateLimit.per');
  });

  it('points each merged limit at the map that set it', () => {
    const staging = load()['staging'] as ResolvedKey;
    expect(at(staging, 'limits', 'max_payout')).toBe('keys/order-bot.yaml:25:29 spec.environments.staging.limits.max_payout');
    expect(at(staging, 'limits', 'currency')).toBe('keys/order-bot.yaml:11:44 spec.limits.currency');
  });

  it('points at the environment when the field is absent everywhere, naming the field that is missing', () => {
    const dev = load()['development'] as ResolvedKey;
    expect(at(dev, 'rotation')).toBe('keys/order-bot.yaml:28:5 spec.environments.development.rotation');
    expect(at(dev, 'allowedCidrs', 0)).toBe('keys/order-bot.yaml:28:5 spec.environments.development.allowedCidrs[0]');
    expect(at(dev, 'environment')).toBe('keys/order-bot.yaml:28:5 spec.environments.development');
    expect(at(dev, 'name')).toBe('keys/order-bot.yaml:28:5 spec.environments.development');
  });

  it('points at a block-style override by its key', () => {
    const production = load()['production'] as ResolvedKey;
    expect(at(production, 'delivery')).toBe('keys/order-bot.yaml:18:7 spec.environments.production.delivery');
    expect(at(production, 'delivery', 1, 'kubernetesSecret', 'namespace')).toBe('keys/order-bot.yaml:20:42 spec.environments.production.delivery[1].kubernetesSecret.namespace');
  });
});

describe('spec documents', () => {
  it('expose metadata and every scalar with its location', () => {
    const result = loadFromStrings({ 'keys/order-bot.yaml': SPEC }, { project: PROJECT });
    const doc = result.documents[0];
    expect(doc?.name).toBe('order-bot-billing');
    expect(doc?.labels).toEqual({ team: 'payments', tier: '1' });
    const scalars = [...(doc?.scalars() ?? [])];
    const owner = scalars.find((s) => s.value === 'payments-team@example.com');
    expect(owner?.location).toEqual({ file: 'keys/order-bot.yaml', line: 9, column: 10, path: 'spec.owner' });
    const k8sKey = scalars.find((s) => s.value === 'API_KEY');
    expect(k8sKey?.location).toEqual({ file: 'keys/order-bot.yaml', line: 20, column: 78, path: 'spec.environments.production.delivery[1].kubernetesSecret.key' });
    expect(scalars).toHaveLength(28);
  });

  it('locate the document root for an empty path and the deepest existing node otherwise', () => {
    const doc = loadFromStrings({ 'keys/order-bot.yaml': SPEC }).documents[0];
    expect(doc?.locate([])).toEqual({ file: 'keys/order-bot.yaml', line: 1, column: 1, path: '' });
    expect(doc?.locate(['spec', 'environments', 'production', 'nope', 3])).toEqual({ file: 'keys/order-bot.yaml', line: 15, column: 5, path: 'spec.environments.production.nope[3]' });
  });
});

describe('JSON output', () => {
  it('serialises a resolved key as its fields and its source, without the parsed YAML', () => {
    const production = load()['production'] as ResolvedKey;
    const json = JSON.parse(JSON.stringify(production));
    expect(json).toEqual({
      environment: 'production',
      mode: 'live',
      name: 'billing-production-order-bot',
      integration: 'order-bot',
      service: 'billing',
      owner: 'payments-team@example.com',
      scopes: ['invoices:read', 'payouts:write'],
      allowedCidrs: ['203.0.113.0/24'],
      limits: { max_payout: '55.00', currency: 'EUR' },
      rateLimit: { requests: 10000, per: { text: '1h', seconds: 3600 } },
      expiresAfter: { text: '365d', seconds: 31536000 },
      rotation: { every: { text: '30d', seconds: 2592000 }, overlap: { text: '24h', seconds: 86400 } },
      delivery: [
        { kind: 'awsSecretsManager', name: 'prod/order-bot/billing', region: 'eu-west-1' },
        { kind: 'kubernetesSecret', namespace: 'orders', name: 'billing-api-key', key: 'API_KEY' },
      ],
      labels: { team: 'payments', tier: '1' },
      annotations: {},
      source: { file: 'keys/order-bot.yaml', index: 0, name: 'order-bot-billing' },
    });
  });
});
