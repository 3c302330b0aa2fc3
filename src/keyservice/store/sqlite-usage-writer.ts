// The SQLite usage flush and WAL checkpoint, off the event loop: a worker thread with its own
// better-sqlite3 connection to the same file runs them. better-sqlite3 is synchronous, so on the
// service's own connection a flush of 10,000 versions stalled every request for 10–30 ms per
// chunk and the checkpoint after it for 45–70 ms (measured with the verify bench, 10,000 keys;
// far more with 1,000,000). In WAL mode the worker's writes and checkpoints run beside the
// main connection's reads; a main-thread write that meets the worker's short transactions
// waits in the busy timeout (and the other way round).
//
// The event loop's share of a flush is only to encode the batch as one text (a structured clone
// of 5,000 small arrays took ≈ 1.3 ms, and merging and ordering them ≈ 2–3 ms more, per chunk,
// each a stall of every request in flight); the worker decodes, merges and orders it.
//
// The worker is started on the first write (a store that never flushes never starts a thread)
// and keeps the process alive only while a request to it is pending. A file database only:
// `:memory:` cannot be shared between connections (the store flushes inline there).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { UsageEntry } from './store.js';

/** Usage per secret version: [versionId, count, lastUsedAt]. */
export type UsageRow = readonly [versionId: string, count: number, lastUsedAt: number];

/**
 * A batch as the worker receives it: a line per entry, `versionId TAB count TAB lastUsedAt`.
 * Version ids are the store's own (`kver_` and base62), never holding a tab or a line break.
 */
export function encodeUsage(entries: readonly UsageEntry[]): string {
  let text = '';
  for (const e of entries) text += `${e.versionId}\t${e.count}\t${e.lastUsedAt}\n`;
  return text;
}

/** The usage statements: a version's count and lastUsedAt, then its key's (found through the version). */
export const USAGE_VERSION_SQL =
  'UPDATE key_versions SET usage_count = usage_count + ?, last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?';
export const USAGE_KEY_SQL =
  'UPDATE api_keys SET usage_count = usage_count + ?, last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = (SELECT key_id FROM key_versions WHERE id = ?)';

/**
 * The worker connection's page cache (KiB) and memory map (bytes). Measured on the verify bench's
 * 1,000,000-key database, a flush of 10,000 hot versions took 830–950 ms of CPU with SQLite's
 * defaults and 520–570 ms with these (140–190 ms on the 10,000-key one, unchanged).
 */
export const WORKER_CACHE_KIB = 65_536;
export const WORKER_MMAP_BYTES = 1 << 30;

/** The worker thread's nice value on Linux (the event loop's thread keeps the process's own). */
export const WORKER_NICENESS = 10;

// CommonJS run with `eval: true`: it must not depend on how this module itself was loaded
// (compiled JavaScript, tsx, or a test transform).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Background work: on Linux lower this thread's priority (nice is per thread there) so a flush
// never takes a CPU from the event loop that answers requests. Best effort elsewhere.
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  const os = require('node:os');
  if (Number.isInteger(tid) && tid > 0 && os.getPriority(tid) < workerData.niceness) os.setPriority(tid, workerData.niceness);
} catch {}
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
// Usage counters may lose their last flush to a power cut (never to a crash of the process):
// no fsync per commit. The checkpoint still syncs the database file.
db.pragma('synchronous = NORMAL');
// A flush touches one page per hot key and version, spread over the whole table: a page cache
// and a memory map big enough to keep them between flushes instead of reading them again.
db.pragma('cache_size = ' + workerData.cacheSizeKib * -1);
db.pragma('mmap_size = ' + workerData.mmapBytes);
let write;
const prepare = () => {
  const version = db.prepare(workerData.versionSql);
  const key = db.prepare(workerData.keySql);
  return db.transaction((rows) => {
    for (const [versionId, [count, at]] of rows) {
      if (version.run(count, at, versionId).changes > 0) key.run(count, at, versionId);
    }
  });
};
// One entry per version (counts added, the latest use kept), in id order: neighbouring rows
// share B-tree pages.
const decode = (text) => {
  const merged = new Map();
  for (const line of text.split('\\n')) {
    if (line === '') continue;
    const [versionId, c, a] = line.split('\\t');
    const count = Number(c);
    const at = Number(a);
    if (versionId === undefined || versionId === '' || !Number.isSafeInteger(count) || !Number.isSafeInteger(at)) {
      throw Object.assign(new Error('malformed usage line: ' + JSON.stringify(line.slice(0, 80))), { code: 'SQLITE_MISUSE' });
    }
    const seen = merged.get(versionId);
    if (seen) {
      seen[0] += count;
      if (at > seen[1]) seen[1] = at;
    } else merged.set(versionId, [count, at]);
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
};
parentPort.on('message', (m) => {
  let answer;
  try {
    if (m.op === 'write') (write ??= prepare())(decode(m.text));
    else if (m.op === 'checkpoint') db.pragma('wal_checkpoint(PASSIVE)');
    else if (m.op === 'close') db.close();
    answer = { id: m.id, ok: true };
  } catch (e) {
    answer = { id: m.id, ok: false, message: String(e && e.message), code: e && e.code };
  }
  parentPort.postMessage(answer);
  if (m.op === 'close') parentPort.close();
});
`;

interface Answer {
  readonly id: number;
  readonly ok: boolean;
  readonly message?: string;
  readonly code?: string;
}

/** An error of the worker's connection, with SQLite's code (SQLITE_BUSY, …) kept for the store's outage handling. */
export class SqliteWorkerError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SqliteWorkerError';
  }
}

export class SqliteUsageWriter {
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #closed = false;

  constructor(
    private readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Adds the usage to its versions and keys, in one transaction (entries of one version may repeat, in any order). */
  write(entries: readonly UsageEntry[]): Promise<void> {
    return this.#send({ op: 'write', text: encodeUsage(entries) });
  }

  /** wal_checkpoint(PASSIVE) on the worker's connection. */
  checkpoint(): Promise<void> {
    return this.#send({ op: 'checkpoint' });
  }

  /** Waits for what was sent, closes the worker's connection and ends the thread. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const worker = this.#worker;
    const closing = worker ? this.#send({ op: 'close' }) : Promise.resolve();
    this.#closed = true;
    await closing.catch(() => undefined);
    if (worker) await worker.terminate();
  }

  #send(message: { op: 'write'; text: string } | { op: 'checkpoint' } | { op: 'close' }): Promise<void> {
    if (this.#closed) return Promise.reject(new SqliteWorkerError('the SQLite store is closed', 'SQLITE_MISUSE'));
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: this.path,
        busyTimeoutMs: this.busyTimeoutMs,
        niceness: WORKER_NICENESS,
        cacheSizeKib: WORKER_CACHE_KIB,
        mmapBytes: WORKER_MMAP_BYTES,
        versionSql: USAGE_VERSION_SQL,
        keySql: USAGE_KEY_SQL,
      },
    });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const waiting = this.#pending.get(answer.id);
      if (!waiting) return;
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) worker.unref();
      if (answer.ok) waiting.resolve();
      else waiting.reject(new SqliteWorkerError(answer.message ?? 'SQLite usage write failed', answer.code));
    });
    const failAll = (err: Error): void => {
      for (const waiting of this.#pending.values()) waiting.reject(err);
      this.#pending.clear();
      if (this.#worker === worker) this.#worker = undefined;
    };
    worker.on('error', (err) => failAll(new SqliteWorkerError(`the SQLite usage worker failed: ${err.message}`, 'SQLITE_IOERR')));
    worker.on('exit', () => failAll(new SqliteWorkerError('the SQLite usage worker exited', 'SQLITE_IOERR')));
    this.#worker = worker;
    return worker;
  }
}
