import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT, yaml } from '../fixture.js';

const PROJECT = yaml(
  'apiVersion: keywarden.dev/v1alpha1',
  'kind: Project',
  'scopeCatalogs:',
  '  billing: [invoices:read, invoices:write, payouts:write]',
);

describe('KW008 scopes exist in the scope catalog', () => {
  it('accepts catalog scopes, and any scope of a service without a catalog', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }, PROJECT).findings)).toEqual([]);
    const other = COMPLIANT.replace('service: billing', 'service: shipping').replace('invoices:read', 'parcels:read');
    expect(at(check({ 'a.yaml': other }, PROJECT).findings)).toEqual([]);
  });

  it('reports a scope missing from the catalog once, with a suggestion', () => {
    const spec = COMPLIANT.replace('scopes: [invoices:read, payouts:write]', 'scopes: [invoices:raed, payouts:write]');
    const result = check({ 'a.yaml': spec }, PROJECT);
    expect(at(result.findings)).toEqual(['KW008 a.yaml:9:12']);
    expect(result.findings[0]?.message).toBe(
      'scope "invoices:raed" is not in the scope catalog of service billing (did you mean "invoices:read"?): use a catalog scope or add it to scopeCatalogs.billing',
    );
  });

  it('leaves wildcard scopes to KW002', () => {
    const spec = COMPLIANT.replace('scopes: [invoices:read, payouts:write]', 'scopes: ["invoices:*"]');
    expect(at(check({ 'a.yaml': spec }, PROJECT).findings)).toEqual(['KW002 a.yaml:9:12']);
  });
});
