import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PUBLISHED_SCHEMAS, schemaText, type SchemaName } from '../../src/spec/published-schemas.js';
import { main } from '../../src/cli/main.js';

const names = Object.keys(PUBLISHED_SCHEMAS) as SchemaName[];

function objectsWithoutClosedProperties(node: unknown, path = '#'): string[] {
  if (node === null || typeof node !== 'object') return [];
  const out: string[] = [];
  const schema = node as Record<string, unknown>;
  if (schema['type'] === 'object' && schema['additionalProperties'] === undefined && path !== '#/properties/policy') out.push(path);
  for (const [key, value] of Object.entries(schema)) {
    if (typeof value === 'object') out.push(...objectsWithoutClosedProperties(value, `${path}/${key}`));
  }
  return out;
}

async function capture(argv: string[]): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  let stdout = '';
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'keywarden', ...argv]), stdout };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

describe('published schemas', () => {
  it.each(names)('schemas/%s.schema.json is up to date with src/spec/schema.ts (run `npm run schemas`)', (name) => {
    const published = readFileSync(new URL(`../../schemas/${PUBLISHED_SCHEMAS[name].file}`, import.meta.url), 'utf8');
    expect(published).toBe(schemaText(name));
  });

  it.each(names)('the %s schema compiles under JSON Schema 2020-12 in strict mode', (name) => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(PUBLISHED_SCHEMAS[name].schema)).not.toThrow();
  });

  it.each(names)('the %s schema is structural: no $ref, every object says what else it allows', (name) => {
    const text = schemaText(name);
    expect(text).not.toContain('"$ref"');
    expect(objectsWithoutClosedProperties(PUBLISHED_SCHEMAS[name].schema)).toEqual([]);
  });
});

describe('keywarden schema', () => {
  it('prints the ApiKey schema by default', async () => {
    const { code, stdout } = await capture(['schema']);
    expect(code).toBe(0);
    expect(stdout).toBe(schemaText('apikey'));
  });

  it('prints the project schema for "project"', async () => {
    const { code, stdout } = await capture(['schema', 'project']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).$id).toBe('https://keywarden.dev/schemas/project.schema.json');
  });

  it('exits 2 for an unknown document kind', async () => {
    const { code, stdout } = await capture(['schema', 'crd']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });
});

describe('docs/spec.md', () => {
  const docs = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');

  it('documents every load error code', async () => {
    const { LOAD_ERROR_LIST } = await import('../../src/spec/errors.js');
    const missing = LOAD_ERROR_LIST.filter((e) => !docs.includes(`| \`${e.code}\` | ${e.title}`)).map((e) => e.code);
    expect(missing).toEqual([]);
  });

  it('documents every spec and project field', () => {
    const fields = new Set<string>();
    const collect = (schema: unknown): void => {
      if (schema === null || typeof schema !== 'object') return;
      const properties = (schema as { properties?: Record<string, unknown> }).properties;
      for (const [name, sub] of Object.entries(properties ?? {})) {
        fields.add(name);
        collect(sub);
      }
      for (const value of Object.values(schema)) if (typeof value === 'object') collect(value);
    };
    for (const name of names) collect(PUBLISHED_SCHEMAS[name].schema);
    const missing = [...fields].filter((f) => !docs.includes(`\`${f}\``) && !docs.includes(`.${f}\``));
    expect(missing).toEqual([]);
  });
});
