import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError, deliver, FileDestination, nodeFileIo, type FileIo } from '../../src/delivery/index.js';
import { V1, V2, deliveryFailure } from './fixtures.js';

/** node:fs, except that writes stop after half the data with ENOSPC. */
const diskFullHalfway: FileIo = {
  ...nodeFileIo,
  async create(path, mode) {
    const file = await nodeFileIo.create(path, mode);
    return {
      ...file,
      write: async (data) => {
        await file.write(data.subarray(0, Math.floor(data.length / 2)));
        throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      },
    };
  },
};

/** node:fs, except that renaming `<path>.pending` fails (a crash at that point). */
function failingRenameOf(suffix: string): FileIo {
  return {
    ...nodeFileIo,
    async rename(from, to) {
      if (from.endsWith(suffix)) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      await nodeFileIo.rename(from, to);
    },
  };
}

describe('local file delivery failures', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kw-delivery-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the old file intact and no temp file behind when a write fails midway', async () => {
    const path = join(dir, 'api-key');
    await deliver(new FileDestination({ path, mode: 'test' }), V1);
    const broken = new FileDestination({ path, mode: 'test', io: diskFullHalfway });
    const err = await deliveryFailure(broken.stage(V2));
    expect(err.code).toBe('KW_DELIVERY_IO');
    expect(err.upstream).toBe('ENOSPC');
    expect(await readFile(path, 'utf8')).toBe(V1.secret);
    expect((await readdir(dir)).sort()).toEqual(['api-key', 'api-key.keywarden.json']);
    expect(await new FileDestination({ path, mode: 'test' }).state()).toEqual({ current: 'ver_1' });
  });

  it('resumes a promotion cut short before the rename', async () => {
    const path = join(dir, 'api-key');
    const good = new FileDestination({ path, mode: 'test' });
    await deliver(good, V1);
    await good.stage(V2);
    const crashing = new FileDestination({ path, mode: 'test', io: failingRenameOf('api-key.pending') });
    expect((await deliveryFailure(crashing.promote('ver_2'))).upstream).toBe('EIO');
    // The file still holds the old version, and the state says so.
    expect(await readFile(path, 'utf8')).toBe(V1.secret);
    expect(await good.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
    // Discarding is refused once promotion began; promoting again finishes it.
    expect((await deliveryFailure(good.discard('ver_2'))).code).toBe('KW_DELIVERY_DISCARD_CURRENT');
    await good.promote('ver_2');
    expect(await readFile(path, 'utf8')).toBe(V2.secret);
    expect(await good.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('resumes a promotion cut short after the rename', async () => {
    const path = join(dir, 'api-key');
    const good = new FileDestination({ path, mode: 'test' });
    await deliver(good, V1);
    await good.stage(V2);
    // The last metadata write fails: the rename happened, the metadata still lists ver_2 as pending.
    let metaWrites = 0;
    const crashing = new FileDestination({
      path,
      mode: 'test',
      io: {
        ...nodeFileIo,
        async rename(from, to) {
          if (to.endsWith('.keywarden.json') && ++metaWrites === 2) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          await nodeFileIo.rename(from, to);
        },
      },
    });
    await deliveryFailure(crashing.promote('ver_2'));
    expect(await readFile(path, 'utf8')).toBe(V2.secret);
    expect(await good.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
    await good.promote('ver_2');
    expect(JSON.parse(await readFile(`${path}.keywarden.json`, 'utf8'))).toEqual({ current: 'ver_2', previous: 'ver_1', keyId: 'key_1' });
  });

  it('refuses the same version id with other data, an unstaged promotion and discarding the current version', async () => {
    const path = join(dir, 'api-key');
    const d = new FileDestination({ path, mode: 'test' });
    await deliver(d, V1);
    expect((await deliveryFailure(d.stage({ ...V1, secret: 'kw_test_OtherData' }))).code).toBe('KW_DELIVERY_VERSION_CONFLICT');
    expect((await deliveryFailure(d.promote('ver_2'))).code).toBe('KW_DELIVERY_VERSION_NOT_STAGED');
    expect((await deliveryFailure(d.discard('ver_1'))).code).toBe('KW_DELIVERY_DISCARD_CURRENT');
    await d.stage(V2);
    expect((await deliveryFailure(d.stage({ ...V2, secret: 'kw_test_OtherData2' }))).code).toBe('KW_DELIVERY_VERSION_CONFLICT');
  });

  it('refuses a path that names a directory', () => {
    expect(() => new FileDestination({ path: `${dir}/`, mode: 'test' })).toThrow(DeliveryError);
  });
});
