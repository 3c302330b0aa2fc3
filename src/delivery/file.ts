// Delivery to a local file, for test-mode keys only (a live key on a developer's disk is
// the leak this tool exists to prevent). The secret is the file's whole content (mode 0600,
// written atomically). Staging writes `<path>.pending`; promote renames it over `<path>`.
// Version ids (never the secret) live in `<path>.keywarden.json`, written atomically too,
// in an order that lets every step resume after a crash:
//   stage:   write .pending → meta {pending: v}
//   promote: meta {current: v, pending: v, previous: old} → rename .pending → path → meta {current: v}
//   discard: unlink .pending → meta {pending: none}
// While meta says current = pending = v and .pending still exists, the promotion was cut
// short: the old version is still what the file holds, and promote finishes it.
import { timingSafeEqual } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { EnvironmentMode } from '../spec/model.js';
import { nodeFileIo, writeFileAtomic, type FileIo } from './atomic-file.js';
import type { DestinationState, SecretDestination, SecretVersion } from './destination.js';
import { DeliveryError, redact } from './errors.js';

export const PENDING_FILE_SUFFIX = '.pending';
export const META_FILE_SUFFIX = '.keywarden.json';

export interface FileDestinationOptions {
  /** Where the secret goes; relative paths resolve against the working directory. */
  readonly path: string;
  /** The key's environment mode: `live` is refused. */
  readonly mode: EnvironmentMode;
  /** File-system calls. [node:fs] */
  readonly io?: FileIo;
}

interface Meta {
  current?: string;
  pending?: string;
  previous?: string;
  keyId?: string;
}

export class FileDestination implements SecretDestination {
  readonly description: string;
  readonly path: string;
  private readonly pendingPath: string;
  private readonly metaPath: string;
  private readonly io: FileIo;

  constructor(options: FileDestinationOptions) {
    this.description = `file:${options.path}`;
    if (options.path.trim() === '' || options.path.endsWith('/')) {
      throw new DeliveryError('KW_DELIVERY_INVALID_DESTINATION', this.description, 'The path must name a file.');
    }
    if (options.mode !== 'test') {
      throw new DeliveryError('KW_DELIVERY_FILE_LIVE_KEY', this.description, `The key's environment mode is "${options.mode}".`);
    }
    this.path = resolve(options.path);
    this.pendingPath = this.path + PENDING_FILE_SUFFIX;
    this.metaPath = this.path + META_FILE_SUFFIX;
    this.io = options.io ?? nodeFileIo;
  }

  async stage(version: SecretVersion): Promise<void> {
    await this.guard(async () => {
      const meta = await this.meta();
      const wanted = Buffer.from(version.secret, 'utf8');
      if (meta.pending === version.versionId) {
        const staged = await this.io.read(this.pendingPath);
        if (staged !== undefined) return this.sameOrConflict(staged, wanted, version.versionId);
      }
      if (meta.current === version.versionId) {
        return this.sameOrConflict((await this.io.read(this.path)) ?? Buffer.alloc(0), wanted, version.versionId);
      }
      await writeFileAtomic(this.io, this.pendingPath, wanted);
      await this.writeMeta({ ...meta, pending: version.versionId, keyId: version.keyId });
    }, version.secret);
  }

  async promote(versionId: string): Promise<void> {
    await this.guard(async () => {
      const meta = await this.meta();
      const pendingExists = await this.io.exists(this.pendingPath);
      if (meta.current === versionId) {
        if (meta.pending !== versionId) return;
        // Resume a promotion cut short after its first meta write.
        if (pendingExists) await this.renamePending();
        await this.writeMeta(without(meta, 'pending'));
        return;
      }
      if (meta.pending !== versionId || !pendingExists) {
        throw new DeliveryError('KW_DELIVERY_VERSION_NOT_STAGED', this.description, `Version ${versionId} is not pending.`);
      }
      const promoted: Meta = { ...meta, current: versionId, ...(meta.current !== undefined ? { previous: meta.current } : {}) };
      await this.writeMeta(promoted);
      await this.renamePending();
      await this.writeMeta(without(promoted, 'pending'));
    });
  }

  async discard(versionId: string): Promise<void> {
    await this.guard(async () => {
      const meta = await this.meta();
      if (meta.current === versionId) {
        throw new DeliveryError('KW_DELIVERY_DISCARD_CURRENT', this.description, `Version ${versionId} is current.`);
      }
      if (meta.pending !== versionId) return;
      await this.io.unlink(this.pendingPath).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await this.writeMeta(without(meta, 'pending'));
    });
  }

  async current(): Promise<string | undefined> {
    return (await this.state()).current;
  }

  async state(): Promise<DestinationState> {
    return this.guard(async () => {
      const meta = await this.meta();
      const pendingExists = await this.io.exists(this.pendingPath);
      const interrupted = meta.current !== undefined && meta.current === meta.pending && pendingExists;
      const current = interrupted ? meta.previous : meta.current;
      const pending = meta.pending !== undefined && pendingExists ? meta.pending : undefined;
      const previous = interrupted ? undefined : meta.previous;
      return {
        ...(current !== undefined ? { current } : {}),
        ...(pending !== undefined ? { pending } : {}),
        ...(previous !== undefined ? { previous } : {}),
      };
    });
  }

  private async renamePending(): Promise<void> {
    await this.io.rename(this.pendingPath, this.path);
    await this.io.syncDir(dirname(this.path));
  }

  private sameOrConflict(stored: Buffer, wanted: Buffer, versionId: string): void {
    if (stored.length === wanted.length && timingSafeEqual(stored, wanted)) return;
    throw new DeliveryError('KW_DELIVERY_VERSION_CONFLICT', this.description, `Version ${versionId} is stored with other data.`);
  }

  private async meta(): Promise<Meta> {
    const raw = await this.io.read(this.metaPath);
    if (raw === undefined) return {};
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (parsed === null || typeof parsed !== 'object') return {};
      const out: Meta = {};
      for (const field of ['current', 'pending', 'previous', 'keyId'] as const) {
        const value = (parsed as Record<string, unknown>)[field];
        if (typeof value === 'string') out[field] = value;
      }
      return out;
    } catch {
      throw new DeliveryError('KW_DELIVERY_IO', this.description, `${this.metaPath} is not valid JSON; remove it to start over.`);
    }
  }

  private async writeMeta(meta: Meta): Promise<void> {
    await writeFileAtomic(this.io, this.metaPath, Buffer.from(`${JSON.stringify(meta, null, 2)}\n`, 'utf8'));
  }

  /** Turns file-system failures into KW_DELIVERY_IO (errno code and path only). */
  private async guard<T>(run: () => Promise<T>, secret?: string): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const e = err as NodeJS.ErrnoException;
      const code = typeof e.code === 'string' ? e.code : 'Error';
      throw new DeliveryError('KW_DELIVERY_IO', this.description, redact(`${code}: ${e.message ?? String(err)}`, secret), {
        retryable: ['EAGAIN', 'EBUSY', 'EINTR', 'EMFILE', 'ENFILE'].includes(code),
        upstream: code,
      });
    }
  }
}

function without(meta: Meta, field: keyof Meta): Meta {
  const copy = { ...meta };
  delete copy[field];
  return copy;
}
