import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { checkPolicy } from '../../src/policy/index.js';
import type { ResolvedKey } from '../../src/spec/index.js';
import { loadFromStrings } from '../../src/spec/index.js';
import { load, NOW } from './fixture.js';

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const duration = fc.oneof(fc.constantFrom('1h', '30m', '24h', '30d', '90d', '365d', '800d', '0s'), fc.string());
const scope = fc.oneof(fc.constantFrom('invoices:read', '*', 'invoices:*', '*:read', 'admin.*', 'keys:write', 'admin'), fc.string({ minLength: 1 }));
const cidr = fc.oneof(fc.constantFrom('203.0.113.0/24', '0.0.0.0/0', '::/0', '10.0.0.1/8', '2001:db8::/32', 'nonsense'), fc.string());
const delivery = fc.oneof(
  fc.record({ awsSecretsManager: fc.record({ name: fc.constantFrom('a', 'b', 'shared') }) }),
  fc.record({ kubernetesSecret: fc.record({ namespace: fc.constant('ns'), name: fc.constantFrom('s1', 's2'), key: fc.constant('K') }) }),
  fc.record({ file: fc.record({ path: fc.constantFrom('a', './a', 'b') }) }),
);
const fields = fc.record(
  {
    owner: maybe(fc.string()),
    scopes: maybe(fc.uniqueArray(scope, { maxLength: 4 })),
    allowedCidrs: maybe(fc.array(cidr, { maxLength: 3 })),
    rateLimit: maybe(fc.record({ requests: fc.integer({ min: 1, max: 10 }), per: duration })),
    expiresAfter: maybe(duration),
    rotation: maybe(fc.oneof(fc.record({ every: duration, overlap: maybe(duration) }), fc.record({ schedule: fc.constantFrom('0 3 * * 0', '0 0 1 1 *', 'bad'), overlap: maybe(duration) }))),
    delivery: maybe(fc.array(delivery, { maxLength: 2 })),
    name: maybe(fc.constantFrom('x', 'Bad_Name', 'production-a')),
  },
  { requiredKeys: [] },
);

function strip(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

describe('checkPolicy on arbitrary specs', () => {
  it('never throws, never fails internally, and returns positioned findings in order', () => {
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 3 }), fields, (envs, top) => {
        const { name: _ignored, ...spec } = strip(top);
        const environments = Object.fromEntries(envs.map((e, i) => [['production', 'staging', 'development'][i], strip(e)]));
        const text = stringify({
          apiVersion: 'keywarden.dev/v1alpha1',
          kind: 'ApiKey',
          metadata: { name: 'fuzz', annotations: { note: 'sk_live_abcdefghijklmnop' } },
          spec: { integration: 'fuzz', service: 'billing', ...spec, environments },
        });
        const loaded = loadFromStrings({ 'a.yaml': text });
        const result = checkPolicy(loaded, { now: NOW });
        expect(result.errors).toEqual([]);
        for (const f of result.findings) {
          expect(f.file).toBe('a.yaml');
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.column).toBeGreaterThanOrEqual(1);
          expect(f.message).not.toContain('sk_live_abcdefghijklmnop');
        }
        const order = result.findings.map((f) => [f.line, f.column]);
        expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
      }),
      { numRuns: 60 },
    );
  });

  it('turns a rule that fails internally into a KWP007 error instead of throwing', () => {
    const loaded = load({
      'a.yaml': [
        'apiVersion: keywarden.dev/v1alpha1',
        'kind: ApiKey',
        'metadata: { name: a }',
        'spec: { integration: a, service: s, environments: { development: { delivery: [{ file: { path: x } }] } } }',
        '',
      ].join('\n'),
    });
    const real = loaded.keys[0] as ResolvedKey;
    const broken: ResolvedKey = Object.assign(Object.create(Object.getPrototypeOf(real) as object) as ResolvedKey, real, {
      owner: 'someone',
      locate: () => {
        throw new Error('position lost');
      },
    });
    const result = checkPolicy({ ...loaded, keys: [broken] }, { now: NOW });
    // Every rule that needed a position for this key failed; the reason is reported, nothing throws.
    expect(result.errors.map((e) => e.ruleId)).toContain('KWP007');
    expect(result.errors.find((e) => e.ruleId === 'KWP007')?.message).toMatch(/^rule KW\d{3} failed: position lost$/);
  });
});
