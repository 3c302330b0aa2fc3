// The reconcile session against hand-written Terraform JSON: the real terraform binary, offline
// (init from the filesystem mirror), one provider served from this process and attached to every
// run, a real key service (SQLite, in-process). Each step's plan summary is checked against what
// changed, and the delivered plaintext is searched for in the state, every saved plan (unzipped)
// and everything terraform printed, and found nowhere.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeywardenClient } from '../../src/client/index.js';
import { Progress } from '../../src/reconcile/progress.js';
import { ReconcileSession, type PlannedStack, type StackTarget } from '../../src/reconcile/session.js';
import { startInProcessService, type InProcessService } from '../client/in-process-service.js';
import { describeWith } from '../support/prerequisite.js';
import { PROVIDER_ENTRY, SHARED_MIRROR, TERRAFORM, terraformMissing, zipText } from './support.js';

interface KeyFixture {
  environment?: string;
  scopes: string[];
  cidrs?: string[];
}

describeWith(terraformMissing)('reconcile session driving terraform', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-reconcile-session-'));
  const stack: StackTarget = { name: 'development', directory: join(dir, 'stack'), environments: ['development'] };
  const secretFile = (name: string) => join(dir, 'secrets', name);
  let service: InProcessService;
  let session: ReconcileSession;
  let client: KeywardenClient;
  const output: string[] = [];
  const planFiles: string[] = [];
  const states: string[] = [];
  const progress = new Progress({ write: (text: string) => output.push(text) });

  function writeStack(keys: Record<string, KeyFixture>): void {
    const resources = Object.fromEntries(
      Object.entries(keys).map(([name, key]) => [
        name,
        {
          name: `development-${name}`,
          environment: key.environment ?? 'development',
          integration: name,
          mode: 'test',
          scopes: key.scopes,
          allowed_cidrs: key.cidrs ?? ['10.0.0.0/8'],
          file: [{ path: secretFile(name) }],
        },
      ]),
    );
    mkdirSync(stack.directory, { recursive: true });
    writeFileSync(
      join(stack.directory, 'cdk.tf.json'),
      JSON.stringify({
        terraform: {
          required_providers: { keywarden: { source: 'keywarden/keywarden', version: '0.1.0' } },
          backend: { local: { path: join(dir, 'state', 'development.tfstate') } },
        },
        provider: { keywarden: [{}] },
        resource: Object.keys(resources).length > 0 ? { keywarden_api_key: resources } : {},
      }),
    );
  }

  async function plan(options: { destroy?: boolean } = {}): Promise<PlannedStack> {
    const planned = await session.plan(stack, options);
    planFiles.push(`${planned.planFile}.copy`);
    writeFileSync(`${planned.planFile}.copy`, readFileSync(planned.planFile));
    return planned;
  }

  async function apply(planned: PlannedStack) {
    const outcome = await session.apply(planned, progress);
    states.push(readFileSync(join(dir, 'state', 'development.tfstate'), 'utf8'));
    return outcome;
  }

  beforeAll(async () => {
    service = await startInProcessService();
    client = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey });
    session = await ReconcileSession.open({
      terraformDir: join(dir, 'terraform'),
      mirrorDir: SHARED_MIRROR,
      providerEntry: PROVIDER_ENTRY,
      credentials: { endpoint: service.url, apiKey: service.adminKey },
      terraformBinary: TERRAFORM,
    });
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans two keys to create, applies them with one progress line each, and delivers their secrets', async () => {
    writeStack({ a: { scopes: ['invoices:read'] }, b: { scopes: ['contacts:read'] } });
    const planned = await plan();
    expect(planned.summary.unchanged).toBe(0);
    expect(planned.summary.changes.map((c) => [c.name, c.action, c.scopes?.added])).toEqual([
      ['development-a', 'create', ['invoices:read']],
      ['development-b', 'create', ['contacts:read']],
    ]);
    const outcome = await apply(planned);
    expect(outcome.applied).toBe(2);
    expect(output.join('')).toMatch(/✓ development-a created/);
    expect(output.join('')).toMatch(/✓ development-b created/);
    const a = await client.verify({ key: readFileSync(secretFile('a'), 'utf8'), ip: '10.1.2.3' });
    expect(a.valid).toBe(true);
  }, 60_000);

  it('plans no change right after the apply', async () => {
    const planned = await plan();
    expect(planned.summary.changes).toEqual([]);
    expect(planned.summary.unchanged).toBe(2);
  }, 60_000);

  it('plans an in-place update naming the scopes and CIDRs that change, and keeps the key', async () => {
    writeStack({ a: { scopes: ['invoices:read', 'invoices:write'], cidrs: ['10.0.0.0/8', '192.0.2.0/24'] }, b: { scopes: ['contacts:read'] } });
    const planned = await plan();
    expect(planned.summary.changes).toHaveLength(1);
    const [change] = planned.summary.changes;
    expect(change).toMatchObject({ name: 'development-a', action: 'update', scopes: { added: ['invoices:write'], removed: [] }, allowedCidrs: { added: ['192.0.2.0/24'], removed: [] } });
    expect(change?.keyPrefix).toMatch(/^kw_test_/);
    const before = (await client.getKeyByName('development-a'))?.id;
    await apply(planned);
    const after = await client.getKeyByName('development-a');
    expect(after?.id).toBe(before);
    expect(after?.scopes).toEqual(['invoices:read', 'invoices:write']);
  }, 60_000);

  it('plans a replacement and says which attribute forces it', async () => {
    writeStack({ a: { scopes: ['invoices:read', 'invoices:write'], cidrs: ['10.0.0.0/8', '192.0.2.0/24'] }, b: { scopes: ['contacts:read'], environment: 'sandbox' } });
    const planned = await plan();
    expect(planned.summary.changes.map((c) => [c.name, c.action, c.replacedBecause])).toEqual([['development-b', 'replace', ['environment']]]);
    const old = await client.getKeyByName('development-b');
    await apply(planned);
    expect((await client.getKey(old!.id)).status).toBe('revoked');
    expect((await client.getKeyByName('development-b'))?.environment).toBe('sandbox');
  }, 60_000);

  it('plans the revocation of a key removed from the configuration, and revokes exactly that key', async () => {
    writeStack({ a: { scopes: ['invoices:read', 'invoices:write'], cidrs: ['10.0.0.0/8', '192.0.2.0/24'] } });
    const planned = await plan();
    expect(planned.summary.changes.map((c) => [c.name, c.action, c.reason])).toEqual([['development-b', 'delete', 'delete_because_no_resource_config']]);
    const b = await client.getKeyByName('development-b');
    await apply(planned);
    expect((await client.getKey(b!.id)).status).toBe('revoked');
    expect((await client.getKeyByName('development-a'))?.status).toBe('active');
  }, 60_000);

  it('destroys every key of the stack with -destroy', async () => {
    const a = await client.getKeyByName('development-a');
    const planned = await plan({ destroy: true });
    expect(planned.summary.changes.map((c) => [c.name, c.action])).toEqual([['development-a', 'delete']]);
    await apply(planned);
    expect(output.join('')).toMatch(/✓ development-a revoked/);
    expect((await client.getKey(a!.id)).status).toBe('revoked');
  }, 60_000);

  it('fails a plan with KWR002 and Terraform\'s diagnostics as text (read from the -json output)', async () => {
    writeStack({ c: { scopes: ['invoices:*'] } });
    const failure = session.plan(stack).then(
      () => '',
      (error: unknown) => String(error instanceof Error ? error.message : error),
    );
    const message = await failure;
    expect(message).toMatch(/^KWR002 .*terraform plan in .* exited 1:\nkeywarden_api_key\.c: Invalid scope: "invoices:\*" is not a scope/s);
    expect(message).not.toContain('"@level"');
  }, 60_000);

  it('left every delivered plaintext and the admin key out of state, saved plans and output', () => {
    const secrets = ['a', 'b'].map((n) => readFileSync(secretFile(n), 'utf8')).concat(service.adminKey);
    expect(states[0]).toContain('kw_test_');
    const places = [...states, output.join(''), ...planFiles.map(zipText)];
    expect(planFiles.length).toBeGreaterThanOrEqual(6);
    for (const place of places) for (const secret of secrets) expect(place.includes(secret)).toBe(false);
    expect(existsSync(join(stack.directory, '.terraform.lock.hcl'))).toBe(true);
  });
});
