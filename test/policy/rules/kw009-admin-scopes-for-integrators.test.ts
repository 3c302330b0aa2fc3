import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT, yaml } from '../fixture.js';

const PROJECT = yaml(
  'apiVersion: keywarden.dev/v1alpha1',
  'kind: Project',
  'integrators: [deploy-bot]',
);

function withScopes(scopes: string, integration = 'order-bot'): string {
  return COMPLIANT.replace('scopes: [invoices:read, payouts:write]', `scopes: ${scopes}`).replace('integration: order-bot', `integration: ${integration}`);
}

describe('KW009 admin and key-management scopes only for integrators', () => {
  it('accepts key-management scopes for an integrator', () => {
    expect(at(check({ 'a.yaml': withScopes('[api-keys:write, admin]', 'deploy-bot') }, PROJECT).findings)).toEqual([]);
  });

  it.each([['admin'], ['admin.users'], ['api-keys:write'], ['keys:write']])('reports %s for an integration that is not an integrator', (scope) => {
    const result = check({ 'a.yaml': withScopes(`[invoices:read, "${scope}"]`) }, PROJECT);
    expect(at(result.findings)).toEqual(['KW009 a.yaml:9:27']);
    expect(result.findings[0]?.message).toContain('integration order-bot is not an integrator: remove the scope or list order-bot under integrators in the project file');
  });

  it('reports a wildcard that covers a key-management scope under both KW002 and KW009', () => {
    const result = check({ 'a.yaml': withScopes('["*:write"]') }, PROJECT);
    expect(at(result.findings)).toEqual(['KW002 a.yaml:9:12', 'KW009 a.yaml:9:12']);
    expect(result.findings[1]?.message).toMatch(/^scope "\*:write" covers api-keys:write, which is a key-management or admin scope/);
  });

  it('takes the list of admin scopes from the adminScopes parameter', () => {
    const project = `${PROJECT}policy:\n  rules:\n    KW009: { params: { adminScopes: ["payouts:*"] } }\n`;
    expect(at(check({ 'a.yaml': COMPLIANT }, project).findings)).toEqual(['KW009 a.yaml:9:27']);
  });
});
