// Atomic file replacement: a temp file in the same directory (mode 0600, O_EXCL), written,
// fsynced, closed, renamed over the target, and the directory fsynced. Readers see the old
// file or the new one, never a part; a failure leaves the old file and removes the temp file.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** An open file: just what atomic writes need. */
export interface WritableFile {
  write(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls file delivery makes; injectable so tests can fail them midway. */
export interface FileIo {
  mkdir(path: string, mode: number): Promise<void>;
  /** Creates a new file (fails if it exists) with `mode`. */
  create(path: string, mode: number): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** undefined when the file does not exist. */
  read(path: string): Promise<Buffer | undefined>;
  exists(path: string): Promise<boolean>;
  /** fsync of a directory, so a rename in it survives a crash. */
  syncDir(path: string): Promise<void>;
}

export const nodeFileIo: FileIo = {
  async mkdir(path, mode) {
    await fs.mkdir(path, { recursive: true, mode });
  },
  async create(path, mode) {
    const handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    return {
      write: async (data) => {
        await handle.writeFile(data);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fs.rename(from, to),
  unlink: (path) => fs.unlink(path),
  async read(path) {
    try {
      return await fs.readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  async exists(path) {
    try {
      await fs.lstat(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  },
  async syncDir(path) {
    const handle = await fs.open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Replaces `path` atomically with `data` (file mode 0600; missing parent dirs made 0700). */
export async function writeFileAtomic(io: FileIo, path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await io.mkdir(dir, 0o700);
  const temp = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const file = await io.create(temp, 0o600);
  let renamed = false;
  try {
    try {
      await file.write(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await io.rename(temp, path);
    renamed = true;
    await io.syncDir(dir);
  } finally {
    if (!renamed) await io.unlink(temp).catch(() => undefined);
  }
}
