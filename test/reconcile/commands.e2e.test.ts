// keywarden plan / apply / destroy end to end on a copy of examples/ (development only): the real
// terraform binary, offline; a key service on the project's data directory; endpoint and API key
// from KEYWARDEN_ENDPOINT / KEYWARDEN_API_KEY or --api-key-file. Exit codes, formats, approval.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeywardenClient } from '../../src/client/index.js';
import { runReconcile, startEmbeddedService, type EmbeddedService, type ReconcileCommand, type ReconcileOptions } from '../../src/reconcile/index.js';
import { describeWith } from '../support/prerequisite.js';
import { Capture, PROVIDER_ENTRY, SHARED_MIRROR, TERRAFORM, terraformMissing } from './support.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

describeWith(terraformMissing)('keywarden plan, apply and destroy', () => {
  const root = mkdtempSync(join(tmpdir(), 'kw-commands-'));
  let service: EmbeddedService;
  let client: KeywardenClient;
  let env: NodeJS.ProcessEnv;

  async function run(command: ReconcileCommand, options: Partial<ReconcileOptions> = {}, extra: { confirm?: (q: string) => Promise<boolean>; env?: NodeJS.ProcessEnv } = {}) {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runReconcile(
      command,
      { project: 'keywarden.yaml', environments: ['development'], providerEntry: PROVIDER_ENTRY, mirrorDir: SHARED_MIRROR, terraform: TERRAFORM, ...options },
      { stdout, stderr, env: extra.env ?? env, cwd: root, ...(extra.confirm ? { confirm: extra.confirm } : {}) },
    );
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  beforeAll(async () => {
    // What `npm start` leaves in examples/ (store, state, synthesized stacks) must not make the copy stale.
    cpSync(EXAMPLES, root, { recursive: true, filter: (source) => !/[\\/](\.keywarden|cdktf\.out)$/.test(source) });
    service = await startEmbeddedService({ dataDir: join(root, '.keywarden'), logStream: new Capture() });
    client = new KeywardenClient({ endpoint: service.credentials.endpoint, apiKey: service.credentials.apiKey });
    env = { ...process.env, KEYWARDEN_ENDPOINT: service.credentials.endpoint, KEYWARDEN_API_KEY: service.credentials.apiKey };
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('plans five keys to create and exits 2 with --detailed-exitcode, changing nothing', async () => {
    const { code, stdout } = await run('plan', { detailedExitcode: true, format: 'json' });
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { changed: boolean; totals: Record<string, number>; stacks: { stack: string }[] };
    expect(report.changed).toBe(true);
    expect(report.totals).toEqual({ create: 5, update: 0, replace: 0, delete: 0 });
    expect(report.stacks.map((s) => s.stack)).toEqual(['development']);
    expect((await client.listKeys({ environment: 'development' })).items).toEqual([]);
  }, 120_000);

  it('refuses to apply without approval when nobody can confirm, and when the answer is not yes', async () => {
    const unattended = await run('apply');
    expect(unattended.code).toBe(2);
    expect(unattended.stderr).toContain('KWR007 Approval required');
    const declined = await run('apply', {}, { confirm: async () => false });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('cancelled; nothing changed');
    expect((await client.listKeys({ environment: 'development' })).items).toEqual([]);
  }, 120_000);

  it('applies after a yes, with a progress line per key, reading the API key from --api-key-file', async () => {
    const keyFile = join(root, 'admin.key');
    writeFileSync(keyFile, `${service.credentials.apiKey}\n`, { mode: 0o600 });
    const { KEYWARDEN_API_KEY: _unused, ...withoutKey } = env;
    const questions: string[] = [];
    const { code, stdout, stderr } = await run('apply', { apiKeyFile: keyFile }, { env: withoutKey, confirm: async (q) => (questions.push(q), true) });
    expect(code).toBe(0);
    expect(questions).toHaveLength(1);
    expect(stdout).toMatch(/^Applied: 5 created, 0 updated, 0 replaced, 0 revoked\.$/m);
    expect(stderr.match(/✓ development-\S+ created/g)).toHaveLength(5);
    expect((await client.listKeys({ environment: 'development', status: 'active' })).items).toHaveLength(5);
    expect(stdout + stderr).not.toContain(service.credentials.apiKey);
  }, 120_000);

  it('plans no change with exit 0 under --detailed-exitcode, then a markdown comment naming an added scope with exit 2', async () => {
    expect((await run('plan', { detailedExitcode: true })).code).toBe(0);
    const spec = join(root, 'keys', 'order-bot-billing.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('scopes: [invoices:read, invoices:write, payouts:write]', 'scopes: [invoices:read, invoices:write, payouts:write, payouts:read]'));
    const { code, stdout } = await run('plan', { detailedExitcode: true, format: 'markdown' });
    expect(code).toBe(2);
    expect(stdout).toContain('**0 to create, 1 to update, 0 to replace, 0 to revoke**');
    expect(stdout).toMatch(/\| ~ \| `development-order-bot` \(`kw_test_\w{4}…`\) \| update \| scopes \+payouts:read \|/);
  }, 120_000);

  it('destroys with --auto-approve: every key of the stack revoked, records kept, standard output one JSON document', async () => {
    const { code, stdout, stderr } = await run('destroy', { autoApprove: true, format: 'json' });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { totals: Record<string, number> }).totals).toEqual({ create: 0, update: 0, replace: 0, delete: 5 });
    expect(stderr).toMatch(/^Destroyed: 0 created, 0 updated, 0 replaced, 5 revoked\.$/m);
    const keys = (await client.listKeys({ environment: 'development' })).items;
    expect(keys.map((k) => k.status)).toEqual(Array(5).fill('revoked'));
  }, 120_000);

  it('reports usage errors with their codes and exit 2: no API key, unknown format, unknown environment', async () => {
    const { KEYWARDEN_API_KEY: _unused, ...withoutKey } = env;
    const noKey = await run('plan', {}, { env: withoutKey });
    expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringContaining('KWR004 No API key')]);
    const badFormat = await run('plan', { format: 'yaml' });
    expect([badFormat.code, badFormat.stderr]).toEqual([2, expect.stringContaining('KWR006 Unknown output format')]);
    const badEnvironment = await run('plan', { environments: ['qa'] });
    expect([badEnvironment.code, badEnvironment.stderr]).toEqual([2, expect.stringContaining('KWT002')]);
  }, 60_000);
});
