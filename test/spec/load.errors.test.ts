import { describe, expect, it } from '@jest/globals';
import { loadFromStrings } from '../../src/spec/index.js';

/** A valid ApiKey document with `body` lines spliced into spec (each line indented by two). */
function apiKey(specLines: string, environments = '    production: {}'): string {
  return [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: ApiKey',
    'metadata:',
    '  name: order-bot-billing',
    'spec:',
    '  integration: order-bot',
    '  service: billing',
    specLines,
    '  environments:',
    environments,
    '',
  ].filter((l) => l !== '').join('\n');
}

/** The load errors of one file as `code line:column path` strings. */
function errorsOf(text: string, project?: string): string[] {
  const result = loadFromStrings({ 'keys/a.yaml': text }, project === undefined ? undefined : { project });
  return result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}:${e.column} ${e.path}`);
}

function messagesOf(text: string): string[] {
  return loadFromStrings({ 'keys/a.yaml': text }).errors.map((e) => e.message);
}

describe('load errors: YAML', () => {
  it('reports a YAML syntax error at its line and column', () => {
    const text = apiKey('  owner: payments: team');
    const result = loadFromStrings({ 'keys/a.yaml': text });
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}:${e.column}`)).toEqual(['KWS001 keys/a.yaml:8:10']);
    expect(result.errors[0]?.message).toBe('Nested mappings are not allowed in compact mappings');
    expect(result.documents).toEqual([]);
  });

  it('reports an unterminated flow list where the parser notices it', () => {
    expect(errorsOf('a: [1, 2\nb: 3\n')).toEqual(['KWS001 keys/a.yaml:2:1 ']);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const text = apiKey('  owner: a@example.com\n  scopes: []\n  owner: b@example.com');
    expect(errorsOf(text)).toEqual(['KWS002 keys/a.yaml:10:3 ']);
  });

  it('reports errors in each document of a multi-document file with positions in the whole file', () => {
    const good = apiKey('  scopes: [invoices:read]');
    const bad = apiKey('  scops: [invoices:read]');
    const text = `${good}\n---\n${bad}`;
    const result = loadFromStrings({ 'keys/a.yaml': text });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line}:${e.column} ${e.path}`)).toEqual(['KWS003 19:3 spec.scops']);
    expect(result.documents.map((d) => d.index)).toEqual([0]);
    expect(result.keys.map((k) => k.name)).toEqual(['production-order-bot']);
  });

  it('skips empty documents without an error', () => {
    const text = `---\n${apiKey('  scopes: []')}\n---\n`;
    const result = loadFromStrings({ 'keys/a.yaml': text });
    expect(result.errors).toEqual([]);
    expect(result.documents).toHaveLength(1);
  });
});

describe('load errors: schema', () => {
  it('reports an unknown field at its key, with "did you mean"', () => {
    const text = apiKey('  scops: [invoices:read]');
    expect(errorsOf(text)).toEqual(['KWS003 keys/a.yaml:8:3 spec.scops']);
    expect(messagesOf(text)[0]).toBe('unknown field "scops" in spec; did you mean "scopes"?');
  });

  it('reports an unknown field inside an environment override and inside a delivery entry', () => {
    const text = apiKey('', ['    production:', '      expiresIn: 30d', '      delivery:', '        - awsSecretsManager: { name: a, regoin: eu-west-1 }'].join('\n'));
    expect(errorsOf(text)).toEqual([
      'KWS003 keys/a.yaml:10:7 spec.environments.production.expiresIn',
      'KWS003 keys/a.yaml:12:41 spec.environments.production.delivery[0].awsSecretsManager.regoin',
    ]);
    expect(messagesOf(text)).toEqual([
      'unknown field "expiresIn" in spec.environments.production; did you mean "expiresAfter"?',
      'unknown field "regoin" in spec.environments.production.delivery[0].awsSecretsManager; did you mean "region"?',
    ]);
  });

  it('lists the known fields when no field is close', () => {
    const [message] = messagesOf(apiKey('  colour: blue'));
    expect(message).toMatch(/^unknown field "colour" in spec; known fields: integration, service, owner, scopes/);
  });

  it('reports a wrong type at the value', () => {
    const text = apiKey('  scopes: invoices:read\n  rateLimit: { requests: "100", per: 1h }');
    expect(errorsOf(text)).toEqual(['KWS004 keys/a.yaml:8:11 spec.scopes', 'KWS004 keys/a.yaml:9:26 spec.rateLimit.requests']);
    expect(messagesOf(text)).toEqual([
      'spec.scopes must be a list, not the string "invoices:read"',
      'spec.rateLimit.requests must be an integer, not the string "100"',
    ]);
  });

  it('reports an empty environment entry and suggests {}', () => {
    const text = apiKey('', '    production:');
    expect(errorsOf(text)).toEqual(['KWS004 keys/a.yaml:9:5 spec.environments.production']);
    expect(messagesOf(text)[0]).toBe('spec.environments.production must be a mapping, not null (write {} for an empty mapping)');
  });

  it('reports a missing required field at the object that lacks it', () => {
    const text = ['apiVersion: keywarden.dev/v1alpha1', 'kind: ApiKey', 'metadata:', '  name: x', 'spec:', '  integration: order-bot', '  environments: { production: {} }', ''].join('\n');
    expect(errorsOf(text)).toEqual(['KWS006 keys/a.yaml:5:1 spec']);
    expect(messagesOf(text)[0]).toBe('spec is missing the required field "service"');
  });

  it('reports an invalid value with what the field accepts', () => {
    const text = apiKey('  owner: ""', '    production:\n      delivery:\n        - {}');
    expect(errorsOf(text)).toEqual(['KWS005 keys/a.yaml:8:10 spec.owner', 'KWS005 keys/a.yaml:12:11 spec.environments.production.delivery[0]']);
    expect(messagesOf(text)[1]).toBe('spec.environments.production.delivery[0] must name exactly one destination: awsSecretsManager, kubernetesSecret or file');
  });

  it('reports a scope listed twice at the second occurrence', () => {
    const text = apiKey('  scopes: [a:read, b:read, a:read]');
    expect(errorsOf(text)).toEqual(['KWS005 keys/a.yaml:8:28 spec.scopes[2]']);
  });

  it('reports an unknown apiVersion or kind and does not validate the rest', () => {
    const text = apiKey('  scops: []').replace('kind: ApiKey', 'kind: ApiToken');
    expect(errorsOf(text)).toEqual(['KWS013 keys/a.yaml:2:7 kind']);
    const v2 = apiKey('').replace('keywarden.dev/v1alpha1', 'keywarden.dev/v2');
    expect(errorsOf(v2)).toEqual(['KWS013 keys/a.yaml:1:13 apiVersion']);
    expect(errorsOf('- a\n- b\n')).toEqual(['KWS013 keys/a.yaml:1:1 ']);
  });
});

describe('load errors: values', () => {
  it('reports bad durations: no unit, unknown unit, compound', () => {
    const text = apiKey('  expiresAfter: 30days\n  rateLimit: { requests: 10, per: 3600 }\n  rotation: { every: 1h30m, overlap: 1h }');
    expect(errorsOf(text)).toEqual([
      'KWS007 keys/a.yaml:8:17 spec.expiresAfter',
      'KWS007 keys/a.yaml:9:35 spec.rateLimit.per',
      'KWS007 keys/a.yaml:10:22 spec.rotation.every',
    ]);
    expect(messagesOf(text)[1]).toBe('spec.rateLimit.per must be a duration such as 30d, 24h or 90m, not the number 3600; add a unit');
  });

  it('reports bad CIDRs: malformed, no prefix, bad prefix, host bits set (IPv4 and IPv6)', () => {
    const text = apiKey('  allowedCidrs:\n    - 203.0.113.0/24\n    - 300.0.0.0/8\n    - 203.0.113.7\n    - 10.0.0.0/33\n    - 10.1.2.3/8\n    - 2001:db8::1/32\n    - 2001:db8::/32');
    expect(errorsOf(text)).toEqual([
      'KWS008 keys/a.yaml:10:7 spec.allowedCidrs[1]',
      'KWS008 keys/a.yaml:11:7 spec.allowedCidrs[2]',
      'KWS008 keys/a.yaml:12:7 spec.allowedCidrs[3]',
      'KWS008 keys/a.yaml:13:7 spec.allowedCidrs[4]',
      'KWS008 keys/a.yaml:14:7 spec.allowedCidrs[5]',
    ]);
    const messages = messagesOf(text);
    expect(messages[1]).toBe('spec.allowedCidrs[2]: "203.0.113.7" has no prefix length; write 203.0.113.7/32 for a single address');
    expect(messages[3]).toBe('spec.allowedCidrs[4]: "10.1.2.3/8" has host bits set; the network is 10.0.0.0/8');
    expect(messages[4]).toBe('spec.allowedCidrs[5]: "2001:db8::1/32" has host bits set; the network is 2001:db8::/32');
  });

  it('reports bad cron schedules: wrong field count and out-of-range values', () => {
    const text = apiKey('  rotation: { schedule: "0 3 * *" }', '    production:\n      rotation: { schedule: "61 3 * * 0" }');
    expect(errorsOf(text)).toEqual(['KWS009 keys/a.yaml:8:25 spec.rotation.schedule', 'KWS009 keys/a.yaml:11:29 spec.environments.production.rotation.schedule']);
  });

  it('reports a rotation with both or neither of every and schedule', () => {
    const text = apiKey('  rotation: { every: 30d, schedule: "0 3 * * 0" }', '    production:\n      rotation:\n        overlap: 1h');
    expect(errorsOf(text)).toEqual(['KWS016 keys/a.yaml:8:27 spec.rotation.schedule', 'KWS016 keys/a.yaml:11:7 spec.environments.production.rotation']);
  });

  it('reports an environment the project does not define, with "did you mean"', () => {
    const text = apiKey('', '    prod: {}\n    staging: {}');
    const result = loadFromStrings({ 'keys/a.yaml': text });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line}:${e.column} ${e.path}`)).toEqual(['KWS015 9:5 spec.environments.prod']);
    expect(result.errors[0]?.message).toBe('environment "prod" is not defined in the default environments; did you mean "production"?');
    expect(result.keys.map((k) => k.name)).toEqual(['staging-order-bot']);
  });

  it('collects every error of a document instead of stopping at the first', () => {
    const text = apiKey('  scops: []\n  owner: 42\n  expiresAfter: 1y\n  allowedCidrs: [1.2.3.4/8]');
    expect(errorsOf(text).map((e) => e.split(' ')[0])).toEqual(['KWS003', 'KWS004', 'KWS007', 'KWS008']);
  });
});

describe('load errors: project file', () => {
  it('reports schema errors in the project file with its name and falls back to defaults', () => {
    const project = ['apiVersion: keywarden.dev/v1alpha1', 'kind: Project', 'environments:', '  production: { mode: life }', ''].join('\n');
    const result = loadFromStrings({ 'keys/a.yaml': apiKey('') }, { project });
    expect(result.errors.map((e) => `${e.ruleId} ${e.file}:${e.line}:${e.column} ${e.path}`)).toEqual(['KWS005 keywarden.yaml:4:23 environments.production.mode']);
    expect(result.errors[0]?.message).toBe('environments.production.mode must be "live" or "test", not the string "life"; did you mean "live"?');
    expect(Object.keys(result.project.environments)).toEqual(['production', 'staging', 'development']);
  });

  it('reports an unknown naming placeholder and a bad naming pattern', () => {
    const project = ['apiVersion: keywarden.dev/v1alpha1', 'kind: Project', 'naming:', '  template: "{env}-{integration}"', '  pattern: "^[a-z"', ''].join('\n');
    const result = loadFromStrings({}, { project });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line}:${e.column} ${e.path}`)).toEqual(['KWS018 4:13 naming.template', 'KWS018 5:12 naming.pattern']);
    expect(result.project.naming).toBe('{environment}-{integration}');
  });

  it('reports a project file whose kind is not Project', () => {
    const result = loadFromStrings({}, { project: 'apiVersion: keywarden.dev/v1alpha1\nkind: ApiKey\n' });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line}:${e.column} ${e.path}`)).toEqual(['KWS013 2:7 kind']);
  });
});

describe('load errors: names that shadow JavaScript built-ins', () => {
  it.each(['constructor', '__proto__', 'toString'])('treats an environment named %s as an unknown environment', (name) => {
    const text = apiKey('', `    ${name}: {}`);
    expect(errorsOf(text)).toEqual([`KWS015 keys/a.yaml:9:5 spec.environments${name === '__proto__' ? '.__proto__' : `.${name}`}`]);
  });

  it('accepts a project environment named constructor', () => {
    const project = 'apiVersion: keywarden.dev/v1alpha1\nkind: Project\nenvironments: { constructor: { mode: test } }\n';
    const result = loadFromStrings({ 'keys/a.yaml': apiKey('', '    constructor: {}') }, { project });
    expect(result.errors).toEqual([]);
    expect(result.keys.map((k) => `${k.name}:${k.mode}`)).toEqual(['constructor-order-bot:test']);
  });
});
