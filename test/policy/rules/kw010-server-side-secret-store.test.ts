import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT } from '../fixture.js';

describe('KW010 secrets go to a server-side store, never into the spec', () => {
  it('accepts Secrets Manager for live keys and a file for a test key', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }).findings)).toEqual([]);
  });

  it('reports a live key delivered to a file', () => {
    const spec = COMPLIANT.replace('        - awsSecretsManager: { name: prod/order-bot/billing, region: eu-west-1 }', '        - file: { path: /etc/order-bot/key }');
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings)).toEqual(['KW010 a.yaml:17:11']);
    expect(result.findings[0]?.message).toBe(
      'live key production-order-bot is delivered to the local file /etc/order-bot/key: deliver it to awsSecretsManager or kubernetesSecret (files are for test environments only)',
    );
  });

  it('reports a key delivered nowhere', () => {
    const spec = COMPLIANT.replace('    development:\n      delivery:\n        - file: { path: .secrets/development-order-bot }\n', '    development: {}\n');
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual(['KW010 a.yaml:18:5']);
  });

  it.each([
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_…'],
    ['kw_live_Zx81kQ0aTr5vB2mN9pLc', 'kw_live_…'],
    ['AKIAIOSFODNN7EXAMPLE', 'AKIA…'],
    ['q8Zr2LmX7vNc4TbW1yKe9HsD3fGj6PaQ0uVx', 'q8Zr…'],
  ])('reports a value that looks like a secret (%s) without repeating it', (secret, preview) => {
    const spec = COMPLIANT.replace('  name: order-bot-billing\n', `  name: order-bot-billing\n  annotations:\n    note: "old key ${secret}"\n`);
    const result = check({ 'a.yaml': spec });
    expect(at(result.findings)).toEqual(['KW010 a.yaml:6:11']);
    expect(result.findings[0]?.message).toContain(`(${preview})`);
    expect(result.findings[0]?.message).not.toContain(secret);
    expect(result.findings[0]?.key).toBeUndefined();
  });

  it('does not mistake names, paths, UUIDs or hex digests for secrets', () => {
    const spec = COMPLIANT.replace(
      '  name: order-bot-billing\n',
      '  name: order-bot-billing\n  annotations:\n    a: prod/order-bot/billing-api-key-for-the-payments-team\n    b: 123e4567-e89b-12d3-a456-426614174000\n    c: 3f786850e387550fdab836ed7e6dc881de23001b\n',
    );
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual([]);
  });
});
