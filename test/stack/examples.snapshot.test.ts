import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { synthesize, type SynthResult } from '../../src/stack/index.js';

const EXAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');
/** A key as the key service formats it: `<prefix>_<live|test>_<random>`. */
const SECRET_SHAPED = /\b[a-z0-9]{1,16}_(live|test)_[A-Za-z0-9]{8,}/;

let dir: string;
let result: SynthResult;
/** Stack name → its cdk.tf.json text with the temporary project directory written as <project>. */
const texts = new Map<string, string>();

beforeAll(async () => {
  // A copy of examples/ (project file and specs), so that cdktf.out lands in a temp dir.
  dir = await mkdtemp(path.join(tmpdir(), 'kw-examples-'));
  await cp(path.join(EXAMPLES, 'keywarden.yaml'), path.join(dir, 'keywarden.yaml'));
  await cp(path.join(EXAMPLES, 'keys'), path.join(dir, 'keys'), { recursive: true });
  result = await synthesize({ project: path.join(dir, 'keywarden.yaml'), now: new Date('2026-01-01T00:00:00Z') });
  for (const stack of result.stacks) {
    texts.set(stack.name, (await readFile(path.join(stack.directory, 'cdk.tf.json'), 'utf8')).split(dir).join('<project>'));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the synthesized Terraform JSON of examples/', () => {
  it('matches the snapshot, stack by stack', () => {
    expect(result.stacks.map((s) => s.name)).toEqual(['production', 'staging', 'development']);
    for (const [name, text] of texts) expect(JSON.parse(text)).toMatchSnapshot(name);
  });

  it('holds no secret: no key-shaped string, no endpoint, no API key', () => {
    for (const [name, text] of texts) {
      expect({ name, secretShaped: SECRET_SHAPED.exec(text)?.[0] }).toEqual({ name, secretShaped: undefined });
      const json = JSON.parse(text);
      expect({ name, provider: json.provider.keywarden }).toEqual({ name, provider: [{}] });
      expect({ name, endpointOrKey: /"(endpoint|api_key|secret_string|secret_string_wo)"/.exec(text)?.[0] }).toEqual({ name, endpointOrKey: undefined });
    }
  });

  it('recognises a secret-shaped string, so the check above can fail', () => {
    expect(SECRET_SHAPED.test('{"x":"kw_live_3hTq9ZpLmN2vXc"}')).toBe(true);
    expect(SECRET_SHAPED.test('{"x":"production-order-bot"}')).toBe(false);
  });

  it('needs only the Keywarden provider for the test-mode environment, so it runs offline', () => {
    const development = result.stacks.find((s) => s.name === 'development');
    expect(development?.providers).toEqual(['registry.terraform.io/keywarden/keywarden']);
    expect(development?.keys.every((k) => k.mode === 'test' && k.deliveries.every((d) => d === 'file'))).toBe(true);
  });
});
