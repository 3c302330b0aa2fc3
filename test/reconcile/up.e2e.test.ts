// `keywarden up`, the main job, end to end on a copy of examples/: the real terraform binary,
// offline; the embedded key service; the provider served from the test process. Runs in order:
// first run, second run (no change), a scope added to one spec, an environment removed from
// one spec; then everything written is searched for the delivered plaintexts.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeywardenClient } from '../../src/client/index.js';
import { runUp, startEmbeddedService, type UpResult } from '../../src/reconcile/index.js';
import { describeWith } from '../support/prerequisite.js';
import { Capture, PROVIDER_ENTRY, SHARED_MIRROR, TERRAFORM, terraformMissing } from './support.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

/** Every file under `dir` (except Terraform's provider copies), recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '.terraform' || entry.name === 'mirror' ? [] : filesUnder(path);
    return [path];
  });
}

describeWith(terraformMissing)('keywarden up on a copy of examples/', () => {
  const root = mkdtempSync(join(tmpdir(), 'kw-up-'));
  const project = join(root, 'keywarden.yaml');
  const secrets = join(root, '.keywarden', 'secrets');
  const outputs: string[] = [];

  async function up(): Promise<UpResult & { stdout: string }> {
    const stdout = new Capture();
    const stderr = new Capture();
    const result = await runUp(
      { project, providerEntry: PROVIDER_ENTRY, mirrorDir: SHARED_MIRROR, terraform: TERRAFORM },
      { stdout, stderr, env: process.env, cwd: root },
    );
    outputs.push(stdout.text, stderr.text);
    if (result.exitCode !== 0) throw new Error(`keywarden up exited ${result.exitCode}:\n${stdout.text}\n${stderr.text}`);
    return { ...result, stdout: stdout.text };
  }

  /** Reads keys through a service started on the same data directory (with its own run key). */
  async function withService<T>(use: (client: KeywardenClient) => Promise<T>): Promise<T> {
    const embedded = await startEmbeddedService({ dataDir: join(root, '.keywarden'), logStream: new Capture() });
    try {
      return await use(new KeywardenClient({ endpoint: embedded.credentials.endpoint, apiKey: embedded.credentials.apiKey }));
    } finally {
      await embedded.stop();
    }
  }

  beforeAll(() => {
    // What `npm start` leaves in examples/ (store, state, synthesized stacks) must not make the copy stale.
    cpSync(EXAMPLES, root, { recursive: true, filter: (source) => !/[\\/](\.keywarden|cdktf\.out)$/.test(source) });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('applies the development keys on a fresh directory, skips production and staging with reasons, lists and verifies', async () => {
    const result = await up();
    expect(result.changed).toBe(true);
    expect(result.skipped).toEqual(['production', 'staging']);
    expect(result.applied.flatMap((p) => p.summary.changes.map((c) => c.action))).toEqual(Array(5).fill('create'));
    expect(result.stdout).toMatch(/^production: skipped: needs AWS Secrets Manager \(4 keys\); needs a Kubernetes cluster \(4 keys\); live mode/m);
    expect(result.stdout).toMatch(/^staging: skipped: /m);
    expect(result.stdout).toMatch(/^Keys \(5\):$/m);
    expect(result.stdout).toMatch(/^ {2}development-order-bot\s+kw_test_\w{4}…\s+active\s+invoices:read/m);
    expect(result.stdout).toMatch(/^Verified: development-\S+, read from \.keywarden\/secrets\/development-\S+, is valid/m);
    expect(readdirSync(secrets).filter((f) => !f.includes('.')).sort()).toEqual([
      'development-analytics-export',
      'development-crm-sync',
      'development-deploy-bot',
      'development-order-bot',
      'development-support-portal',
    ]);
    expect(statSync(join(root, '.keywarden', 'pepper')).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('changes nothing on a second run, and says so', async () => {
    const result = await up();
    expect(result.changed).toBe(false);
    expect(result.stdout).toMatch(/^development: no changes \(5 unchanged\)$/m);
    expect(result.stdout).toContain('No changes: the key service matches the specs.');
  }, 120_000);

  it('plans exactly one in-place update, naming the scope, when a spec gains a scope', async () => {
    const spec = join(root, 'keys', 'crm-sync-contacts.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('scopes: [contacts:read, companies:read]', 'scopes: [contacts:read, companies:read, contacts:write]'));
    const before = await withService((client) => client.getKeyByName('development-crm-sync'));
    const result = await up();
    const changes = result.applied.flatMap((p) => p.summary.changes);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ name: 'development-crm-sync', action: 'update', scopes: { added: ['contacts:write'], removed: [] } });
    expect(result.stdout).toMatch(/~ development-crm-sync \(kw_test_\w{4}…\)\s+update\s+scopes \+contacts:write/);
    const after = await withService((client) => client.getKeyByName('development-crm-sync'));
    expect(after?.id).toBe(before?.id);
    expect(after?.scopes).toContain('contacts:write');
  }, 120_000);

  it('revokes exactly the key of an environment removed from a spec', async () => {
    const spec = join(root, 'keys', 'support-portal-billing.yaml');
    const text = readFileSync(spec, 'utf8');
    writeFileSync(spec, text.replace(/\n {4}development:\n(?: {6}.*\n)+/, '\n'));
    const keysBefore = await withService(async (client) => (await client.listKeys({ environment: 'development', status: 'active' })).items.map((k) => k.name).sort());
    const result = await up();
    const changes = result.applied.flatMap((p) => p.summary.changes);
    expect(changes.map((c) => [c.name, c.action])).toEqual([['development-support-portal', 'delete']]);
    const keysAfter = await withService(async (client) => (await client.listKeys({ environment: 'development', status: 'active' })).items.map((k) => k.name).sort());
    expect(keysAfter).toEqual(keysBefore.filter((name) => name !== 'development-support-portal'));
  }, 120_000);

  it('revokes its run admin key at the end, and the key a killed run left behind at the start', async () => {
    const killed = await startEmbeddedService({ dataDir: join(root, '.keywarden'), logStream: new Capture() });
    await killed.service.close(); // stopped without stop(): its run key stays active
    await up();
    const activeAdminKeys = await withService(async (client) => (await client.listKeys({ environment: 'admin', status: 'active' })).items.map((k) => k.name));
    // Only the key of withService's own run remains active while it runs.
    expect(activeAdminKeys).toHaveLength(1);
    expect(activeAdminKeys[0]).toMatch(/^keywarden-up-[0-9a-f]{8}$/);
  }, 120_000);

  it('wrote no delivered plaintext into any state, synthesized or store file, nor into its output', () => {
    const plaintexts = readdirSync(secrets)
      .filter((f) => !f.includes('.'))
      .map((f) => readFileSync(join(secrets, f), 'utf8').trim());
    expect(plaintexts).toHaveLength(5);
    const files = filesUnder(root).filter((f) => !f.startsWith(secrets));
    expect(files.some((f) => f.endsWith('.tfstate'))).toBe(true);
    expect(files.some((f) => f.endsWith('cdk.tf.json'))).toBe(true);
    for (const file of files) {
      const content = readFileSync(file).toString('latin1');
      for (const plaintext of plaintexts) expect({ file, leaked: content.includes(plaintext) }).toEqual({ file, leaked: false });
    }
    for (const output of outputs) for (const plaintext of plaintexts) expect(output.includes(plaintext)).toBe(false);
  });
});
