// `keywarden serve` in-process: --init prints the admin key once to stdout, the JSON
// "listening" line carries the URL, SIGTERM closes gracefully and flushes usage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runServe } from '../../src/cli/commands/serve.js';
import { openStore } from '../../src/keyservice/store/index.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  return { stream, text: () => text };
}

async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not reached');
}

describe('keywarden serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('initializes, serves, and shuts down on SIGTERM after flushing usage', async () => {
    const stdout = capture();
    const stderr = capture();
    const database = `sqlite:${join(dir, 'keys.db')}`;
    const env = { KEYWARDEN_PEPPER: 'serve-test-pepper-0123456789' };
    const running = runServe({ port: '0', database, init: true, logLevel: 'info' }, { stdout: stdout.stream, stderr: stderr.stream, env });
    const url = await waitFor(() => {
      const line = stderr.text().split('\n').find((l) => l.includes('"msg":"listening"'));
      return line ? (JSON.parse(line) as { url: string }).url : undefined;
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = stdout.text().trim();
    expect(key).toMatch(/^kw_live_[0-9A-Za-z]{32}$/);
    expect(stderr.text()).not.toContain(key);
    const whoami = await fetch(`${url}/v1/whoami`, { headers: { 'x-api-key': key } });
    expect(whoami.status).toBe(200);
    process.emit('SIGTERM');
    expect(await running).toBe(0);
    const store = await openStore({ url: database });
    try {
      const keys = await store.listKeys((await store.listAccounts()).items[0]!.id);
      expect(keys.items[0]!.usageCount).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('does not create a second admin key with --init on an initialized store', async () => {
    const stdout = capture();
    const stderr = capture();
    const database = `sqlite:${join(dir, 'keys.db')}`;
    const running = runServe({ port: '0', database, init: true }, { stdout: stdout.stream, stderr: stderr.stream, env: { KEYWARDEN_PEPPER: 'serve-test-pepper-0123456789' } });
    await waitFor(() => (stderr.text().includes('"msg":"listening"') ? true : undefined));
    process.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toContain('already has an account');
  });

  it('exits 2 with every problem listed when the options are wrong', async () => {
    const stderr = capture();
    const code = await runServe({ port: 'x' }, { stdout: capture().stream, stderr: stderr.stream, env: {} });
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/pepper[\s\S]*--port/);
  });
});
