import { describe, expect, it } from '@jest/globals';
import { Testing } from 'cdktf';
import { KeysStack, PolicyBlockedError, StackError } from '../../src/stack/index.js';
import { load, ORDER_BOT, PROJECT } from './fixtures.js';

/** The error `fn` throws (failing the test when it throws none). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('KeysStack: the policy gate', () => {
  it('refuses to synthesize a wildcard scope and names the finding', () => {
    const specs = load({ 'keys/order-bot.yaml': ORDER_BOT.replace('scopes: [invoices:read, invoices:write]', 'scopes: [invoices:read, "invoices:*"]') });
    const err = thrown(() => new KeysStack(Testing.app(), 'production', { specs, environments: ['production'] }));
    expect(err).toBeInstanceOf(PolicyBlockedError);
    const findings = (err as PolicyBlockedError).findings;
    expect(findings.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.path}`)).toContain('KW002 keys/order-bot.yaml:10 spec.scopes[1]');
    expect((err as PolicyBlockedError).code).toBe('KWT001');
    expect((err as Error).message).toContain('keys/order-bot.yaml:10');
    expect((err as Error).message).toContain('KW002');
  });

  it('reports every blocking finding at once: load errors of one file and policy errors of another', () => {
    const badDuration = ORDER_BOT.replace('per: 1h }', 'per: 1hour }');
    const wildcard = ORDER_BOT.replace('name: order-bot-billing', 'name: refund-bot-billing').replace('integration: order-bot', 'integration: refund-bot').replace(/order-bot\/billing/g, 'refund-bot/billing').replace('name: billing-api-key', 'name: refund-api-key').replace('development-order-bot', 'development-refund-bot').replace('invoices:write]', '"invoices:*"]');
    const specs = load({ 'keys/a.yaml': badDuration, 'keys/b.yaml': wildcard });
    const err = thrown(() => new KeysStack(Testing.app(), 'production', { specs })) as PolicyBlockedError;
    expect(err).toBeInstanceOf(PolicyBlockedError);
    expect(err.findings.map((f) => `${f.ruleId} ${f.file} ${f.path}`)).toEqual([
      'KWS007 keys/a.yaml spec.rateLimit.per',
      'KW002 keys/b.yaml spec.scopes[1]',
    ]);
  });

  it('lets warnings through', () => {
    // KW006 (owner) made a warning: the key synthesizes though it has no owner.
    const project = `${PROJECT}policy:\n  rules: { KW006: { severity: warning } }\n`;
    const specs = load({ 'keys/order-bot.yaml': ORDER_BOT.replace('  owner: payments-team@example.com\n', '') }, project);
    const stack = new KeysStack(Testing.app(), 'production', { specs, environments: ['production'] });
    expect(stack.keys.map((k) => k.key.name)).toEqual(['production-order-bot']);
  });

  it('refuses an environment the project does not define', () => {
    const err = thrown(() => new KeysStack(Testing.app(), 'qa', { specs: load(), environments: ['qa'] }));
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).code).toBe('KWT002');
    expect((err as Error).message).toContain('"qa" is not an environment');
  });

  it('refuses two keys that would share one Terraform address', () => {
    const project = `${PROJECT}naming: { template: "{integration}" }\npolicy:\n  rules: { KW001: { enabled: false } }\n`;
    const err = thrown(() => new KeysStack(Testing.app(), 'keywarden', { specs: load(undefined, project), environments: ['staging', 'development'] }));
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).code).toBe('KWT004');
  });
});
