import { describe, expect, it } from '@jest/globals';
import { at, check, COMPLIANT, yaml } from '../fixture.js';

const PROJECT = yaml(
  'apiVersion: keywarden.dev/v1alpha1',
  'kind: Project',
  'naming:',
  '  pattern: "^(production|development)-[a-z-]+$"',
);

describe('KW007 key names follow the naming pattern', () => {
  it('accepts names made from the template that match the pattern', () => {
    expect(at(check({ 'a.yaml': COMPLIANT }, PROJECT).findings)).toEqual([]);
  });

  it('reports a per-environment name that does not match, at that name', () => {
    const spec = COMPLIANT.replace('    development:\n', '    development:\n      name: dev-order-bot\n');
    const result = check({ 'a.yaml': spec }, PROJECT);
    expect(at(result.findings)).toEqual(['KW007 a.yaml:19:7']);
    expect(result.findings[0]?.message).toBe('key name "dev-order-bot" does not match the naming pattern ^(production|development)-[a-z-]+$: rename the key');
  });

  it('reports template names that break the pattern, at each environment', () => {
    const spec = COMPLIANT.replace('integration: order-bot', 'integration: order-bot2');
    expect(at(check({ 'a.yaml': spec }, PROJECT).findings)).toEqual(['KW007 a.yaml:14:5', 'KW007 a.yaml:18:5']);
  });

  it('uses the default pattern without a project file', () => {
    const spec = COMPLIANT.replace('    development:\n', '    development:\n      name: dev..order-bot\n');
    expect(at(check({ 'a.yaml': spec }).findings)).toEqual(['KW007 a.yaml:19:7']);
  });
});
