// The plan report in its three formats, from summaries as plan-summary.ts builds them.
import { describe, expect, it } from '@jest/globals';
import { changeDetails, hasChanges, renderPlan, type PlanReport } from '../../src/reconcile/plan-report.js';
import type { ResourceChange } from '../../src/reconcile/plan-summary.js';

const key: ResourceChange = {
  address: 'keywarden_api_key.a',
  type: 'keywarden_api_key',
  kind: 'key',
  name: 'development-order-bot',
  environment: 'development',
  action: 'update',
  keyPrefix: 'kw_test_AbCd',
  attributes: [],
  replacedBecause: [],
};
const update: ResourceChange = {
  ...key,
  scopes: { added: ['invoices:write'], removed: ['payouts:write'] },
  allowedCidrs: { added: [], removed: ['10.0.0.0/8'] },
  attributes: ['limits'],
};
const replace: ResourceChange = { ...key, name: 'development-crm-sync', action: 'replace', attributes: ['environment'], replacedBecause: ['environment'] };
const revoke: ResourceChange = { ...key, name: 'development-old', action: 'delete', reason: 'delete_because_no_resource_config' };

const report: PlanReport = {
  stacks: [{ stack: 'development', environments: ['development'], summary: { changes: [update, replace, revoke], unchanged: 2 } }],
  skipped: [{ stack: 'production', environments: ['production'], reasons: ['needs AWS Secrets Manager'] }],
};

describe('plan report', () => {
  it('names the scopes and CIDRs an update adds and removes, and the other attributes that change', () => {
    expect(changeDetails(update)).toBe('scopes +invoices:write, -payouts:write; cidrs -10.0.0.0/8; also limits');
  });

  it('says which attribute forces a replacement, and why a key is revoked', () => {
    expect(changeDetails(replace)).toBe('because environment changes');
    expect(changeDetails(revoke)).toBe('no longer in the specs');
  });

  it('renders text with one line per key, the skipped stacks and the totals', () => {
    const text = renderPlan('text', report);
    expect(text).toMatch(/^development: 0 to create, 1 to update, 1 to replace, 1 to revoke \(2 unchanged\)$/m);
    expect(text).toMatch(/~ development-order-bot \(kw_test_AbCd…\)\s+update\s+scopes \+invoices:write/);
    expect(text).toMatch(/- development-old \(kw_test_AbCd…\)\s+revoke\s+no longer in the specs/);
    expect(text).toMatch(/^production: skipped: needs AWS Secrets Manager$/m);
    expect(text).toMatch(/^Plan: 0 to create, 1 to update, 1 to replace, 1 to revoke\.$/m);
  });

  it('renders a markdown table for a pull-request comment', () => {
    const markdown = renderPlan('markdown', report);
    expect(markdown).toContain('### Keywarden plan');
    expect(markdown).toContain('| ~ | `development-order-bot` (`kw_test_AbCd…`) | update | scopes +invoices:write, -payouts:write; cidrs -10.0.0.0/8; also limits |');
    expect(markdown).toContain('- `production`: needs AWS Secrets Manager');
  });

  it('renders JSON with the totals and whether anything changes', () => {
    const json = JSON.parse(renderPlan('json', report)) as { changed: boolean; totals: Record<string, number> };
    expect(json.changed).toBe(true);
    expect(json.totals).toEqual({ create: 0, update: 1, replace: 1, delete: 1 });
  });

  it('says there is nothing to change when no stack changes', () => {
    const quiet: PlanReport = { stacks: [{ stack: 'development', environments: [], summary: { changes: [], unchanged: 5 } }], skipped: [] };
    expect(hasChanges(quiet)).toBe(false);
    expect(renderPlan('text', quiet)).toBe('development: no changes (5 unchanged)\nNo changes: the key service matches the specs.\n');
    expect(renderPlan('markdown', quiet)).toContain('**No changes**');
  });
});
