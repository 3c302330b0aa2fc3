// The synthesized JSON against the real provider: terraform init (offline, from a filesystem
// mirror) and validate check every attribute and block the bindings write against the
// schema the provider serves, and its validators against the values.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWith } from '../support/prerequisite.js';
import { installKeywarden, runTerraform, terraformMissing } from '../provider/keywarden/keywarden-install.js';
import { synthesize, type SynthResult } from '../../src/stack/index.js';

const EXAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

describeWith(terraformMissing)('the synthesized test-mode stack of examples/ with terraform, offline', () => {
  let dir: string;
  let cliConfig: string;
  let result: SynthResult;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kw-stack-tf-'));
    await cp(path.join(EXAMPLES, 'keywarden.yaml'), path.join(dir, 'project', 'keywarden.yaml'));
    await cp(path.join(EXAMPLES, 'keys'), path.join(dir, 'project', 'keys'), { recursive: true });
    ({ cliConfig } = await installKeywarden(dir));
    result = await synthesize({ project: path.join(dir, 'project', 'keywarden.yaml') });
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises with no network and validates against the provider\'s schema', async () => {
    const development = result.stacks.find((s) => s.name === 'development');
    expect(development?.keys).toHaveLength(5);
    const init = await runTerraform(development?.directory ?? '', cliConfig, ['init', '-input=false']);
    expect({ status: init.status, stderr: init.stderr }).toEqual({ status: 0, stderr: '' });
    const validate = await runTerraform(development?.directory ?? '', cliConfig, ['validate', '-json']);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  }, 120_000);
});
