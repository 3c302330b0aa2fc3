import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { generateBindings } from '../../src/stack/bindings-generator.js';
import { keywardenBindings } from '../../src/stack/keywarden-bindings.js';
import { t } from '../../src/provider/plugin/index.js';

const BINDINGS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'stack', 'bindings');

describe('cdktf bindings of the Keywarden provider', () => {
  it('are what `npm run bindings` generates from the provider schema today (run it when this fails)', () => {
    const expected = keywardenBindings();
    const onDisk = new Map(readdirSync(BINDINGS_DIR).filter((f) => f.endsWith('.ts')).map((f) => [f, readFileSync(join(BINDINGS_DIR, f), 'utf8')]));
    expect([...onDisk.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected) expect({ file, text: onDisk.get(file) }).toEqual({ file, text });
  });

  it('carry every attribute of the schema as a documented property', () => {
    const files = generateBindings({
      typeName: 'demo',
      address: 'registry.terraform.io/acme/demo',
      version: '1.2.3',
      schema: { attributes: { token: { type: t.string, optional: true, sensitive: true, description: 'The token.' } } },
      resources: [
        {
          typeName: 'demo_thing',
          schema: {
            description: 'A thing.',
            attributes: {
              id: { type: t.string, computed: true, description: 'Id.' },
              display_name: { type: t.string, required: true, planModifiers: ['requiresReplace'], description: 'Shown name.' },
              tags: { type: t.map(t.string), optional: true, description: 'Tags.' },
            },
            blocks: { part: { nesting: 'list', block: { description: 'A part.', attributes: { size: { type: t.number, required: true, description: 'Size in bytes.' } } } } },
          },
        },
      ],
      dataSources: [],
    });
    const thing = files.get('thing.ts') ?? '';
    expect(thing).toContain("static readonly tfResourceType = 'demo_thing';");
    expect(thing).toContain('   * Shown name.\n   *\n   * Terraform attribute `display_name` (required); changing it replaces the object.\n   */\n  readonly displayName: string;');
    expect(thing).toContain('readonly tags?: { [key: string]: string };');
    expect(thing).toContain('   * Size in bytes.\n   *\n   * Terraform attribute `size` (required).\n   */\n  readonly size: number;');
    expect(thing).toContain('readonly part?: ThingPart[] | cdktf.IResolvable;');
    expect(thing).toContain("display_name: cdktf.stringToTerraform(struct.displayName),");
    expect(thing).not.toContain('readonly id?:'); // computed only: a getter, not configuration
    expect(thing).toContain("get id(): string {\n    return this.getStringAttribute('id');");
    const provider = files.get('provider.ts') ?? '';
    expect(provider).toContain("terraformProviderSource: 'acme/demo',");
    expect(provider).toContain("providerVersion: '1.2.3'");
    expect(provider).toContain('Terraform attribute `token`; sensitive: redacted in plans.');
    expect(files.get('index.ts')).toContain("export * from './thing.js';");
  });

  it('refuses an attribute whose property name would shadow a cdktf meta-argument', () => {
    expect(() =>
      generateBindings({
        typeName: 'demo',
        address: 'registry.terraform.io/acme/demo',
        version: '1.0.0',
        schema: { attributes: {} },
        resources: [{ typeName: 'demo_thing', schema: { attributes: { depends_on: { type: t.string, optional: true } } } }],
        dataSources: [],
      }),
    ).toThrow('"dependsOn" clashes with a cdktf member');
  });
});
