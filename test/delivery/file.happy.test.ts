import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliver, FileDestination } from '../../src/delivery/index.js';
import { V1, V2 } from './fixtures.js';

describe('local file delivery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kw-delivery-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the secret as the whole file content with mode 0600 in new 0700 directories', async () => {
    const path = join(dir, 'nested', 'deeper', 'api-key');
    const d = new FileDestination({ path, mode: 'test' });
    await deliver(d, V1);
    expect(await readFile(path, 'utf8')).toBe(V1.secret);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'nested', 'deeper'))).mode & 0o777).toBe(0o700);
    expect((await stat(`${path}.keywarden.json`)).mode & 0o777).toBe(0o600);
    expect(await d.state()).toEqual({ current: 'ver_1' });
  });

  it('stages to <path>.pending and promotes by renaming it over the file', async () => {
    const path = join(dir, 'api-key');
    const d = new FileDestination({ path, mode: 'test' });
    await deliver(d, V1);
    await d.stage(V2);
    expect(await readFile(path, 'utf8')).toBe(V1.secret);
    expect(await readFile(`${path}.pending`, 'utf8')).toBe(V2.secret);
    expect((await stat(`${path}.pending`)).mode & 0o777).toBe(0o600);
    expect(await d.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
    await d.promote('ver_2');
    expect(await readFile(path, 'utf8')).toBe(V2.secret);
    expect((await readdir(dir)).sort()).toEqual(['api-key', 'api-key.keywarden.json']);
    expect(await d.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('repeats every step safely and discards a staged version', async () => {
    const path = join(dir, 'api-key');
    const d = new FileDestination({ path, mode: 'test' });
    await deliver(d, V1);
    await deliver(d, V1);
    await d.stage(V2);
    await d.stage(V2);
    await d.discard('ver_2');
    await d.discard('ver_2');
    expect((await readdir(dir)).sort()).toEqual(['api-key', 'api-key.keywarden.json']);
    expect(await d.state()).toEqual({ current: 'ver_1' });
    await d.stage(V2);
    await d.promote('ver_2');
    await d.promote('ver_2');
    await d.stage(V2);
    expect(await readFile(path, 'utf8')).toBe(V2.secret);
    expect(await d.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('keeps version ids, never the secret, in the metadata file', async () => {
    const path = join(dir, 'api-key');
    const d = new FileDestination({ path, mode: 'test' });
    await deliver(d, V1);
    await d.stage(V2);
    const meta = await readFile(`${path}.keywarden.json`, 'utf8');
    expect(JSON.parse(meta)).toEqual({ current: 'ver_1', pending: 'ver_2', keyId: 'key_1' });
    expect(meta).not.toContain(V1.secret);
    expect(meta).not.toContain(V2.secret);
  });

  it('never shows a reader a partly written file', async () => {
    const path = join(dir, 'api-key');
    const d = new FileDestination({ path, mode: 'test' });
    const values = Array.from({ length: 12 }, (_, i) => String.fromCharCode(65 + i).repeat(512 * 1024));
    await deliver(d, { keyId: 'k', versionId: 'v0', secret: values[0]! });
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const content = await readFile(path, 'utf8');
        reads++;
        expect(values).toContain(content);
      }
    })();
    for (let i = 1; i < values.length; i++) await deliver(d, { keyId: 'k', versionId: `v${i}`, secret: values[i]! });
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
  });
});
