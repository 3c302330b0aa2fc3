import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PolicyBlockedError, StackError, synthesize } from '../../src/stack/index.js';
import { ORDER_BOT, PROJECT } from './fixtures.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kw-synth-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a project (keywarden.yaml + keys/order-bot.yaml) into the temp dir; returns the project file. */
async function project(projectText = PROJECT, spec = ORDER_BOT): Promise<string> {
  await mkdir(path.join(dir, 'keys'));
  await writeFile(path.join(dir, 'keys', 'order-bot.yaml'), spec);
  await writeFile(path.join(dir, 'keywarden.yaml'), projectText);
  return path.join(dir, 'keywarden.yaml');
}

async function stackJson(directory: string): Promise<any> {
  return JSON.parse(await readFile(path.join(directory, 'cdk.tf.json'), 'utf8'));
}

describe('synthesize', () => {
  it('writes one stack per environment under cdktf.out next to the project file, with what each holds', async () => {
    const result = await synthesize({ project: await project() });
    expect(result.outdir).toBe(path.join(dir, 'cdktf.out'));
    expect(result.stacks.map((s) => [s.name, path.relative(dir, s.directory), s.environments, s.providers])).toEqual([
      ['production', 'cdktf.out/stacks/production', ['production'], ['registry.terraform.io/hashicorp/aws', 'registry.terraform.io/keywarden/keywarden']],
      ['staging', 'cdktf.out/stacks/staging', ['staging'], ['registry.terraform.io/hashicorp/aws', 'registry.terraform.io/keywarden/keywarden']],
      ['development', 'cdktf.out/stacks/development', ['development'], ['registry.terraform.io/keywarden/keywarden']],
    ]);
    expect(result.stacks[0]?.keys).toEqual([
      { address: 'keywarden_api_key.production-order-bot', name: 'production-order-bot', environment: 'production', integration: 'order-bot', mode: 'live', deliveries: ['aws_secrets_manager', 'kubernetes_secret'] },
    ]);
    expect(result.stacks[2]?.keys[0]).toMatchObject({ mode: 'test', deliveries: ['file'] });
    const development = await stackJson(result.stacks[2]?.directory ?? '');
    expect(development.resource.keywarden_api_key['development-order-bot'].name).toBe('development-order-bot');
  });

  it('keeps local state outside the output directory, in .keywarden/state, by a path relative to the stack', async () => {
    const result = await synthesize({ project: await project() });
    for (const stack of result.stacks) {
      const json = await stackJson(stack.directory);
      const statePath = json.terraform.backend.local.path as string;
      expect(statePath).toBe(`../../../.keywarden/state/${stack.name}.tfstate`);
      expect(path.resolve(stack.directory, statePath)).toBe(path.join(dir, '.keywarden', 'state', `${stack.name}.tfstate`));
    }
  });

  it('honours outdir and stateDir, relative to the project file', async () => {
    const result = await synthesize({ project: await project(), outdir: 'build/tf', stateDir: '/var/tmp/kw-state' });
    expect(result.stacks[0]?.directory).toBe(path.join(dir, 'build', 'tf', 'stacks', 'production'));
    const json = await stackJson(result.stacks[0]?.directory ?? '');
    expect(path.resolve(result.stacks[0]?.directory ?? '', json.terraform.backend.local.path)).toBe('/var/tmp/kw-state/production.tfstate');
  });

  it('puts every environment in one stack with split single, and only the chosen ones with environments', async () => {
    const single = await synthesize({ project: await project(), split: 'single', environments: ['development', 'staging'] });
    expect(single.stacks.map((s) => [s.name, s.environments, s.keys.map((k) => k.name)])).toEqual([
      ['keywarden', ['staging', 'development'], ['staging-order-bot', 'development-order-bot']],
    ]);
  });

  it('takes the split and an S3 backend with DynamoDB locking from the project file', async () => {
    const projectText = `${PROJECT}stack:\n  split: single\n  backend:\n    s3: { bucket: acme-tf-state, region: eu-west-1, profile: state-admin, dynamodbTable: tf-locks }\n`;
    const result = await synthesize({ project: await project(projectText) });
    expect(result.stacks.map((s) => s.name)).toEqual(['keywarden']);
    const json = await stackJson(result.stacks[0]?.directory ?? '');
    expect(json.terraform.backend).toEqual({ s3: { bucket: 'acme-tf-state', key: 'keywarden/keywarden.tfstate', region: 'eu-west-1', encrypt: true, profile: 'state-admin', dynamodb_table: 'tf-locks' } });
  });

  it('locks S3 state with a lock file when no DynamoDB table is named', async () => {
    const projectText = `${PROJECT}stack:\n  backend:\n    s3: { bucket: acme-tf-state, region: eu-west-1, keyPrefix: platform/keys, encrypt: false }\n`;
    const result = await synthesize({ project: await project(projectText), environments: ['development'] });
    const json = await stackJson(result.stacks[0]?.directory ?? '');
    expect(json.terraform.backend).toEqual({ s3: { bucket: 'acme-tf-state', key: 'platform/keys/development.tfstate', region: 'eu-west-1', encrypt: false, use_lockfile: true } });
  });

  it('writes nothing when the policy check fails, and says why', async () => {
    const file = await project(PROJECT, ORDER_BOT.replace('  expiresAfter: 365d\n', ''));
    const err = await synthesize({ project: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyBlockedError);
    expect((err as PolicyBlockedError).findings.map((f) => `${f.ruleId} ${f.key}`)).toEqual(['KW003 production-order-bot', 'KW003 staging-order-bot']);
    await expect(readdir(path.join(dir, 'cdktf.out'))).rejects.toThrow('ENOENT');
  });

  it('refuses an unknown environment before writing anything', async () => {
    const err = await synthesize({ project: await project(), environments: ['qa'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).code).toBe('KWT002');
  });
});
