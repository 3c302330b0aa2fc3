import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { parseExpiry, parseKeyRateLimit, register, renderTable, type KeysIo } from '../../../src/cli/commands/keys.js';
import { KeywardenClient } from '../../../src/client/index.js';
import { startInProcessService, TEST_PEPPER, type InProcessService } from '../../client/in-process-service.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `keywarden keys …` in-process against `env`, capturing output and exit code. */
async function keys(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let code = -1;
  const io: KeysIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
    env,
    readStdin: () => stdin,
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command().exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  register(program, io);
  try {
    await program.parseAsync(['node', 'keywarden', 'keys', ...args]);
  } catch (err) {
    code = (err as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  return { code, stdout, stderr };
}

describe('keywarden keys against a running key service', () => {
  let svc: InProcessService;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    svc = await startInProcessService();
    env = { KEYWARDEN_ENDPOINT: svc.url, KEYWARDEN_API_KEY: svc.adminKey };
  });
  afterAll(async () => {
    await svc.stop();
  });

  it('creates a key: the secret alone on stdout, the once-only note on stderr', async () => {
    const r = await keys(['create', 'cli-created', '--environment', 'production', '--scope', 'invoices:read', '--limit', 'max_payout=55.00', '--cidr', '203.0.113.0/24'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kw_live_[0-9A-Za-z]{32}\n$/);
    expect(r.stderr).toMatch(/shown once/);
    expect(r.stderr).not.toContain(r.stdout.trim());
    const secret = r.stdout.trim();
    const v = await keys(['verify', '--scope', 'invoices:read', '--ip', '203.0.113.7'], env, `${secret}\n`);
    expect(v).toMatchObject({ code: 0 });
    expect(v.stdout).toMatch(/^valid: key_/);
  });

  it('lists keys as a table and as JSON, never with a secret', async () => {
    const created = await keys(['create', 'cli-listed', '--environment', 'staging', '--mode', 'test', '--json'], env);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout) as { secret: string; key: { id: string } };
    const table = await keys(['list', '--environment', 'staging'], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ENVIRONMENT\s+MODE\s+STATUS/);
    expect(table.stdout).toContain('cli-listed');
    const listed = await keys(['list', '--json', '--page-size', '1'], env);
    const items = JSON.parse(listed.stdout) as Array<{ id: string; secret: string }>;
    expect(items.map((k) => k.id)).toContain(body.key.id);
    expect(items.every((k) => k.secret === '********')).toBe(true);
    expect(table.stdout + listed.stdout).not.toContain(body.secret);
  });

  it('gets a key by name or id, updates it with the ETag it read, and refuses a stale one', async () => {
    await keys(['create', 'cli-updated', '--environment', 'staging'], env);
    const got = await keys(['get', 'cli-updated', '--json'], env);
    const key = JSON.parse(got.stdout) as { id: string; etag: string; versions: unknown[] };
    expect(key.versions).toHaveLength(1);
    const human = await keys(['get', key.id], env);
    expect(human.stdout).toMatch(/^id\s+key_/);
    const up = await keys(['update', key.id, '--scope', 'reports:read', '--disable', '--json'], env);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ scopes: ['reports:read'], enabled: false });
    const stale = await keys(['update', key.id, '--enable', '--if-match', key.etag], env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/412 precondition_failed/);
  });

  it('rotates deferred (both secrets valid, no expiry) and promotes, after which the old one ends with --overlap 0s', async () => {
    const created = await keys(['create', 'cli-deferred', '--environment', 'production'], env);
    const old = created.stdout.trim();
    const rotated = await keys(['rotate', 'cli-deferred', '--deferred', '--json'], env);
    expect(rotated.code).toBe(0);
    const body = JSON.parse(rotated.stdout) as { secret: string; version: { id: string } };
    expect((await keys(['verify', old], env)).code).toBe(0);
    expect((await keys(['verify', body.secret], env)).code).toBe(0);
    const promoted = await keys(['promote', 'cli-deferred', body.version.id, '--overlap', '0s'], env);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(body.version.id);
    expect(promoted.stdout + promoted.stderr).not.toContain(body.secret);
    expect((await keys(['verify', old], env)).code).toBe(1);
    expect((await keys(['verify', body.secret], env)).code).toBe(0);
    const unknown = await keys(['promote', 'cli-deferred', 'kver_doesnotexist'], env);
    expect(unknown.code).toBe(1);
  });

  it('rotates (new secret once; a replayed Idempotency-Key prints none) and revokes', async () => {
    const created = await keys(['create', 'cli-rotated', '--environment', 'production'], env);
    const old = created.stdout.trim();
    const rotated = await keys(['rotate', 'cli-rotated', '--overlap', '0s', '--idempotency-key', 'cli-rot-1'], env);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^kw_live_/);
    expect(fresh).not.toBe(old);
    const replay = await keys(['rotate', 'cli-rotated', '--overlap', '0s', '--idempotency-key', 'cli-rot-1'], env);
    expect(replay).toMatchObject({ code: 0, stdout: '' });
    expect(replay.stderr).toMatch(/cannot be shown again/);
    expect((await keys(['verify', old], env)).code).toBe(1);
    const revoked = await keys(['revoke', 'cli-rotated', '--json'], env);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ status: 'revoked' });
    const after = await keys(['verify', '-', '--json'], env, fresh);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('exits 1 with the service error for an unknown key, and 2 without endpoint or API key', async () => {
    const missing = await keys(['get', 'key_doesnotexist'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 not_found/);
    expect((await keys(['list'], {})).stderr).toMatch(/no endpoint/);
    expect((await keys(['list'], { KEYWARDEN_ENDPOINT: svc.url })).code).toBe(2);
    const bad = await keys(['create', 'x', '--environment', 'e', '--rate-limit', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rate-limit lots/);
  });

  it('never prints the admin key, even when the service rejects it', async () => {
    const wrong = `${svc.adminKey.slice(0, -2)}zz`;
    const r = await keys(['list'], { ...env, KEYWARDEN_API_KEY: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/401 unauthorized/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});

describe('keywarden keys bootstrap', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-cli-boot-'));
    writeFileSync(join(dir, 'pepper'), TEST_PEPPER);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the first admin key once; the key then works against a service on that database', async () => {
    const database = `sqlite:${join(dir, 'keys.db')}`;
    const env = { KEYWARDEN_PEPPER_FILE: join(dir, 'pepper'), KEYWARDEN_KEY_PREFIX: 'kw' };
    const first = await keys(['bootstrap', '--database', database], env);
    expect(first.code).toBe(0);
    const secret = first.stdout.trim();
    expect(secret).toMatch(/^kw_live_/);
    const again = await keys(['bootstrap', '--database', database], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has an account/);

    const { createKeyService } = await import('../../../src/keyservice/index.js');
    const service = await createKeyService({ databaseUrl: database, pepper: TEST_PEPPER, keyPrefix: 'kw', port: 0, logLevel: 'silent' });
    try {
      const client = new KeywardenClient({ endpoint: await service.listen(), apiKey: secret });
      expect((await client.whoami()).scopes).toContain('keys:write');
    } finally {
      await service.close();
    }
  });

  it('exits 2 without a pepper', async () => {
    const r = await keys(['bootstrap', '--database', `sqlite:${join(dir, 'other.db')}`], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pepper/);
  });
});

describe('keys command helpers', () => {
  it('parses rate limits and expiries', () => {
    expect(parseKeyRateLimit('100/1m')).toEqual({ requests: 100, windowSeconds: 60 });
    expect(parseKeyRateLimit('5/h')).toEqual({ requests: 5, windowSeconds: 3600 });
    expect(parseKeyRateLimit('default')).toBeNull();
    expect(() => parseKeyRateLimit('1/1w')).toThrow(/requests\/window/);
    expect(parseExpiry('never')).toBeNull();
    expect(parseExpiry('2d', Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-01-03T00:00:00.000Z');
    expect(() => parseExpiry('someday')).toThrow(/ISO date-time/);
  });

  it('renders a table with padded columns', () => {
    expect(renderTable(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\nxxx  y\n');
  });
});
