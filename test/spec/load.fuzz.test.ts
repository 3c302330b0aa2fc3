import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { LOAD_ERROR_LIST, loadFromStrings, type LoadResult } from '../../src/spec/index.js';

const VALID = [
  'apiVersion: keywarden.dev/v1alpha1',
  'kind: ApiKey',
  'metadata:',
  '  name: order-bot-billing',
  'spec:',
  '  integration: order-bot',
  '  service: billing',
  '  owner: payments-team@example.com',
  '  scopes: [invoices:read, payouts:write]',
  '  rateLimit: { requests: 100, per: 1m }',
  '  rotation: { every: 30d, overlap: 1h }',
  '  environments:',
  '    production:',
  '      allowedCidrs: [203.0.113.0/24]',
  '      delivery:',
  '        - awsSecretsManager: { name: prod/order-bot/billing }',
  '    development: {}',
  '',
].join('\n');

const CODES = new Set(LOAD_ERROR_LIST.map((e) => e.code));

/** Every error is a known load error positioned inside its source. */
function expectWellFormed(result: LoadResult, text: string): void {
  const lines = text.split('\n').length;
  for (const e of result.errors) {
    expect(CODES.has(e.ruleId)).toBe(true);
    expect(e.file).toBe('keys/fuzz.yaml');
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(typeof e.message).toBe('string');
  }
}

const YAMLISH = fc.string({ unit: fc.constantFrom(...'ab:-[]{},&*!|>#"\'\n  \t%@`?0'.split('')), maxLength: 200 });

describe('the loader on arbitrary input', () => {
  it('never throws on arbitrary YAML-like text, and positions every error inside the file', () => {
    fc.assert(
      fc.property(YAMLISH, (text) => {
        expectWellFormed(loadFromStrings({ 'keys/fuzz.yaml': text }), text);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on a valid spec with one character inserted, deleted or replaced', () => {
    const edit = fc.record({
      at: fc.nat({ max: VALID.length - 1 }),
      kind: fc.constantFrom('insert', 'delete', 'replace'),
      char: fc.constantFrom(...' :-[]{},&*#"\'\nx0'.split('')),
    });
    fc.assert(
      fc.property(edit, ({ at, kind, char }) => {
        const text = kind === 'insert' ? VALID.slice(0, at) + char + VALID.slice(at) : kind === 'delete' ? VALID.slice(0, at) + VALID.slice(at + 1) : VALID.slice(0, at) + char + VALID.slice(at + 1);
        const result = loadFromStrings({ 'keys/fuzz.yaml': text });
        expectWellFormed(result, text);
        if (result.errors.length === 0) {
          for (const key of result.keys) expect(key.locate('scopes').line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reports, never throws, whatever JSON value a field holds', () => {
    const fields = ['owner', 'scopes', 'limits', 'rateLimit', 'allowedCidrs', 'expiresAfter', 'rotation', 'delivery', 'environments'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 4 }), (field, value) => {
        const spec: Record<string, unknown> = { integration: 'order-bot', service: 'billing', environments: { production: {} }, [field]: value };
        const text = stringify({ apiVersion: 'keywarden.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'fuzz' }, spec });
        expectWellFormed(loadFromStrings({ 'keys/fuzz.yaml': text }), text);
      }),
      { numRuns: 200 },
    );
  });
});
