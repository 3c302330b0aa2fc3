// The keywarden provider end to end: the real terraform binary, offline, against a real key
// service (SQLite, in-process on 127.0.0.1) with file delivery and AWS Secrets Manager
// delivery (the loopback double, through the real AWS SDK). After every step the plaintext
// key (read from the delivered file) is searched for in the state, the saved plan as
// `terraform show -json` prints it, and the TF_LOG=trace log, and found nowhere.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardenClient } from '../../../src/client/index.js';
import { PROVIDER_VERSION } from '../../../src/provider/keywarden/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager.js';
import { describeWith } from '../../support/prerequisite.js';
import { installKeywarden, runTerraform, terraformMissing } from './keywarden-install.js';

interface KeyConfig {
  environment: string;
  scopes: string[];
  importId?: string;
  /** Leave the aws_secrets_manager block out. */
  withoutAws?: boolean;
}

interface StateResource {
  mode: string;
  type: string;
  name: string;
  instances: { attributes: Record<string, unknown> }[];
}

describeWith(terraformMissing)('keywarden provider driven by terraform', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-tf-keywarden-'));
  const work = join(dir, 'work');
  const secretFile = join(dir, 'delivered', 'main.key');
  let cliConfig = '';
  let service: InProcessService;
  let secretsManager: FakeSecretsManager;
  let client: KeywardenClient;
  /** Every plaintext key delivered so far: none may appear anywhere Terraform writes. */
  const plaintexts: string[] = [];
  let logCount = 0;
  const logs: string[] = [];

  function terraform(args: string[]) {
    const log = join(dir, `trace-${++logCount}.log`);
    logs.push(log);
    return runTerraform(work, cliConfig, args, {
      TF_LOG: 'trace',
      TF_LOG_PATH: log,
      KEYWARDEN_API_KEY: service.adminKey,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    });
  }

  function writeConfig(key: KeyConfig) {
    const imported =
      key.importId === undefined
        ? ''
        : `
import {
  to = keywarden_api_key.handmade
  id = ${JSON.stringify(key.importId)}
}

resource "keywarden_api_key" "handmade" {
  name        = "handmade"
  environment = "staging"
  scopes      = ["invoices:read"]
}
`;
    writeFileSync(
      join(work, 'main.tf'),
      `terraform {
  required_providers {
    keywarden = { source = "keywarden/keywarden", version = "${PROVIDER_VERSION}" }
  }
}

provider "keywarden" {
  endpoint     = ${JSON.stringify(service.url)}
  retries      = 0
  aws_endpoint = ${JSON.stringify(secretsManager.endpoint)}
  aws_region   = "eu-west-1"
}

resource "keywarden_api_key" "main" {
  name          = "order-bot-billing"
  environment   = ${JSON.stringify(key.environment)}
  integration   = "order-bot"
  service       = "billing"
  mode          = "test"
  scopes        = ${JSON.stringify(key.scopes)}
  allowed_cidrs = ["203.0.113.0/24"]
  limits        = { max_payout = "55.00" }
  expires_after = "365d"
  metadata      = { team = "payments" }

  rate_limit {
    requests = 10000
    per      = "1h"
  }

  file {
    path = ${JSON.stringify(secretFile)}
  }

${
    key.withoutAws
      ? ''
      : `
  aws_secrets_manager {
    secret_id = "test/order-bot/billing"
  }
`
  }}

data "keywarden_api_key" "by_name" {
  name = keywarden_api_key.main.name
}

data "keywarden_scopes" "all" {}

output "prefix_from_data" {
  value = data.keywarden_api_key.by_name.key_prefix
}

output "catalog_has_keys_read" {
  value = contains(data.keywarden_scopes.all.names, "keys:read")
}
${imported}`,
    );
  }

  const stateText = () => readFileSync(join(work, 'terraform.tfstate'), 'utf8');
  const managed = (name: string) => {
    const state = JSON.parse(stateText()) as { resources: StateResource[] };
    return state.resources.find((r) => r.mode === 'managed' && r.name === name)?.instances[0]?.attributes;
  };
  const mainId = () => String(managed('main')?.id);

  /** Reads the delivered plaintext and remembers it; checks the AWS copy matches. */
  function delivered(): string {
    const secret = readFileSync(secretFile, 'utf8');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(secret).toMatch(/^kw_test_/);
    const stages = secretsManager.versionStages('test/order-bot/billing');
    const current = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0] ?? '';
    expect(secretsManager.secretString('test/order-bot/billing', current)).toBe(secret);
    if (!plaintexts.includes(secret)) plaintexts.push(secret);
    return secret;
  }

  /** The plaintexts appear in no state, saved plan (as JSON) or trace log written so far. */
  function expectNoPlaintextAnywhere(extra: string[] = []) {
    expect(plaintexts.length).toBeGreaterThan(0);
    const haystacks: [string, string][] = [
      ['state', existsSync(join(work, 'terraform.tfstate')) ? stateText() : ''],
      ['state backup', existsSync(join(work, 'terraform.tfstate.backup')) ? readFileSync(join(work, 'terraform.tfstate.backup'), 'utf8') : ''],
      ...logs.map((log): [string, string] => [log, existsSync(log) ? readFileSync(log, 'utf8') : '']),
      ...extra.map((text, i): [string, string] => [`output ${i}`, text]),
    ];
    for (const secret of plaintexts) {
      for (const [where, text] of haystacks) expect({ where, found: text.includes(secret) }).toEqual({ where, found: false });
    }
    // The trace logs are real: they hold the provider's gRPC traffic.
    expect(readFileSync(logs[logs.length - 1] ?? '', 'utf8')).toContain('provider');
  }

  /** `terraform plan -out` then `terraform show -json` of that plan; returns the JSON text and the resource changes. */
  async function savedPlan() {
    const plan = await terraform(['plan', '-input=false', '-out=tfplan']);
    expect(plan.stderr).toBe('');
    expect(plan.status).toBe(0);
    const show = await terraform(['show', '-json', 'tfplan']);
    expect(show.status).toBe(0);
    const parsed = JSON.parse(show.stdout) as { resource_changes?: { address: string; change: { actions: string[] } }[] };
    const actions = Object.fromEntries((parsed.resource_changes ?? []).map((c) => [c.address, c.change.actions.join(',')]));
    return { json: show.stdout, actions, plan };
  }

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    [service, secretsManager] = await Promise.all([startInProcessService(), startFakeSecretsManager({ region: 'eu-west-1' })]);
    client = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey, retry: { retries: 0 } });
    ({ cliConfig } = await installKeywarden(dir));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all([service?.stop(), secretsManager?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('initialises offline, plans and applies: the key exists, its secret is delivered, and Terraform never sees it', async () => {
    writeConfig({ environment: 'staging', scopes: ['invoices:read', 'payouts:write'] });
    const init = await terraform(['init', '-input=false']);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain(`Installed keywarden/keywarden v${PROVIDER_VERSION}`);

    const { json, actions } = await savedPlan();
    expect(actions['keywarden_api_key.main']).toBe('create');
    const apply = await terraform(['apply', '-input=false', 'tfplan']);
    expect(apply.stderr).toBe('');
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(apply.stdout).toContain('catalog_has_keys_read = true');

    const state = managed('main');
    expect(state).toMatchObject({
      name: 'order-bot-billing',
      environment: 'staging',
      mode: 'test',
      scopes: ['invoices:read', 'payouts:write'],
      rate_limit: { requests: 10000, per: '1h' },
      limits: { max_payout: '55.00' },
      expires_after: '365d',
    });
    expect(String(state?.key_prefix).length).toBeGreaterThan(0);
    expect(apply.stdout).toContain(`prefix_from_data = "${String(state?.key_prefix)}"`);
    const secret = delivered();
    expect(secret.startsWith(String(state?.key_prefix))).toBe(true);
    expect(String(state?.key_prefix).length).toBeLessThan(secret.length / 2);
    expectNoPlaintextAnywhere([json, apply.stdout]);
  }, 120_000);

  it('the key in the service is what the configuration says, and the delivered secret verifies', async () => {
    const key = await client.getKey(mainId());
    expect(key).toMatchObject({ name: 'order-bot-billing', environment: 'staging', integration: 'order-bot', service: 'billing', status: 'active' });
    expect([...key.scopes].sort()).toEqual(['invoices:read', 'payouts:write']);
    expect(key.rateLimit).toEqual({ requests: 10000, windowSeconds: 3600 });
    expect(Date.parse(key.expiresAt ?? '') - Date.now()).toBeGreaterThan(364 * 86_400_000);
    const verified = await client.verify({ key: readFileSync(secretFile, 'utf8'), ip: '203.0.113.7' });
    expect(verified).toMatchObject({ valid: true, keyId: key.id });
  });

  it('plans no changes right after apply', async () => {
    const plan = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.status).toBe(0);
    expectNoPlaintextAnywhere([plan.stdout]);
  }, 120_000);

  it('updates scopes in place: same key, same secret', async () => {
    const before = mainId();
    const secretBefore = readFileSync(secretFile, 'utf8');
    writeConfig({ environment: 'staging', scopes: ['invoices:read'] });
    const { json, actions } = await savedPlan();
    expect(actions['keywarden_api_key.main']).toBe('update');
    const apply = await terraform(['apply', '-input=false', 'tfplan']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Resources: 0 added, 1 changed, 0 destroyed.');
    expect(mainId()).toBe(before);
    expect((await client.getKey(before)).scopes).toEqual(['invoices:read']);
    expect(readFileSync(secretFile, 'utf8')).toBe(secretBefore);
    expectNoPlaintextAnywhere([json, apply.stdout]);
  }, 120_000);

  it('replaces the key when its environment changes: the old one is revoked, the new secret delivered', async () => {
    const before = mainId();
    writeConfig({ environment: 'qa', scopes: ['invoices:read'] });
    const { json, actions } = await savedPlan();
    expect(actions['keywarden_api_key.main']).toBe('delete,create');
    const apply = await terraform(['apply', '-input=false', 'tfplan']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Resources: 1 added, 0 changed, 1 destroyed.');
    const after = mainId();
    expect(after).not.toBe(before);
    expect((await client.getKey(before)).status).toBe('revoked');
    expect(await client.getKey(after)).toMatchObject({ environment: 'qa', status: 'active' });
    delivered();
    expect(plaintexts).toHaveLength(2);
    expectNoPlaintextAnywhere([json, apply.stdout]);
  }, 120_000);

  it('shows scopes changed by hand in the key service as an update, and recreates a key revoked by hand', async () => {
    const id = mainId();
    await client.updateKey(id, { scopes: ['invoices:read', 'payouts:write'] });
    const drift = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(drift.status).toBe(2);
    expect(drift.stdout).toContain('keywarden_api_key.main will be updated in-place');
    expect(drift.stdout).toContain('"payouts:write"');

    await client.revokeKey(id);
    const apply = await terraform(['apply', '-auto-approve', '-input=false']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('keywarden_api_key.main will be created');
    expect(apply.stdout).toContain('Resources: 1 added, 0 changed, 0 destroyed.');
    const recreated = mainId();
    expect(recreated).not.toBe(id);
    expect((await client.getKey(recreated)).scopes).toEqual(['invoices:read']);
    delivered();
    expect(plaintexts).toHaveLength(3);
    expectNoPlaintextAnywhere([drift.stdout, apply.stdout]);
  }, 120_000);

  it('imports a key made outside Terraform by its id, then plans no changes', async () => {
    const handmade = await client.createKey({ name: 'handmade', environment: 'staging', mode: 'test', scopes: ['invoices:read'] });
    plaintexts.push(handmade.secret);
    writeConfig({ environment: 'qa', scopes: ['invoices:read'], importId: handmade.key.id });
    const apply = await terraform(['apply', '-auto-approve', '-input=false']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Resources: 1 imported, 0 added, 0 changed, 0 destroyed.');
    expect(managed('handmade')).toMatchObject({ id: handmade.key.id, name: 'handmade', key_prefix: handmade.key.displayPrefix });
    const plan = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.status).toBe(0);
    expectNoPlaintextAnywhere([apply.stdout, plan.stdout]);
  }, 120_000);

  it('stops managing a removed delivery block with a warning, leaving the secret there and the key as it was', async () => {
    const id = mainId();
    const secret = readFileSync(secretFile, 'utf8');
    writeConfig({ environment: 'qa', scopes: ['invoices:read'], importId: String(managed('handmade')?.id), withoutAws: true });
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(apply.status).toBe(0);
    expect(apply.stdout + apply.stderr).toContain('Warning: Delivery removed: the secret stays at its destination');
    expect(apply.stdout + apply.stderr).toContain('the Secrets Manager secret "test/order-bot/billing"');
    expect(apply.stdout).toContain('Resources: 0 added, 1 changed, 0 destroyed.');
    expect(mainId()).toBe(id);
    const stages = secretsManager.versionStages('test/order-bot/billing');
    const current = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0] ?? '';
    expect(secretsManager.secretString('test/order-bot/billing', current)).toBe(secret);
    expect(await client.getKey(id)).toMatchObject({ status: 'active', currentVersionId: managed('main')?.current_version });
    expectNoPlaintextAnywhere([apply.stdout, apply.stderr]);
  }, 120_000);

  it('adopts a destination added back that still holds the current version: no new secret', async () => {
    const version = String(managed('main')?.current_version);
    const secret = readFileSync(secretFile, 'utf8');
    writeConfig({ environment: 'qa', scopes: ['invoices:read'], importId: String(managed('handmade')?.id) });
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
    expect(apply.status).toBe(0);
    // The resource's diff adds the block and leaves current_version alone (no rotation).
    expect(apply.stdout).toContain('+ aws_secrets_manager {');
    expect(apply.stdout).not.toMatch(/~ current_version/);
    expect(apply.stdout).toContain('Resources: 0 added, 1 changed, 0 destroyed.');
    expect(managed('main')?.current_version).toBe(version);
    expect(delivered()).toBe(secret);
    expectNoPlaintextAnywhere([apply.stdout, apply.stderr]);
  }, 120_000);

  it('reports a bad scope at its configuration line and changes nothing', async () => {
    const before = stateText();
    writeConfig({ environment: 'qa', scopes: ['invoices:*'], importId: String(managed('handmade')?.id) });
    const plan = await terraform(['plan', '-input=false']);
    expect(plan.status).toBe(1);
    expect(plan.stderr).toContain('Error: Invalid scope');
    expect(plan.stderr).toContain('scopes        = ["invoices:*"]');
    expect(plan.stderr).toContain('wildcards are not allowed');
    expect(stateText()).toBe(before);
    writeConfig({ environment: 'qa', scopes: ['invoices:read'], importId: String(managed('handmade')?.id) });
  }, 120_000);

  it('destroys: every managed key is revoked', async () => {
    const ids = [mainId(), String(managed('handmade')?.id)];
    const destroy = await terraform(['destroy', '-auto-approve', '-input=false']);
    expect(destroy.status).toBe(0);
    expect(destroy.stdout).toContain('Resources: 2 destroyed.');
    for (const id of ids) expect((await client.getKey(id)).status).toBe('revoked');
    expectNoPlaintextAnywhere([destroy.stdout]);
  }, 120_000);
});
