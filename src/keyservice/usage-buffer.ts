// Usage counting without a database write per request: successful authentications are
// counted in memory per secret version and written in one batch every few seconds, and on
// close. A failed flush keeps its counts for the next one.
import type { KeyStore, UsageEntry } from './store/store.js';

/** Most versions written by one store call (one transaction) of a flush. */
export const USAGE_FLUSH_CHUNK = 50;

export class UsageBuffer {
  private pending = new Map<string, { count: number; lastUsedAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<KeyStore, 'recordUsage' | 'checkpoint' | 'usageFlushChunk'>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts flushing every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Counts one use of `versionId` at `now` (epoch ms). */
  record(versionId: string, now: number): void {
    this.merge(versionId, 1, now);
  }

  private merge(versionId: string, count: number, lastUsedAt: number): void {
    const entry = this.pending.get(versionId);
    if (entry) {
      entry.count += count;
      if (lastUsedAt > entry.lastUsedAt) entry.lastUsedAt = lastUsedAt;
    } else {
      this.pending.set(versionId, { count, lastUsedAt });
    }
  }

  /** Number of versions with unflushed usage. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Writes what has been counted so far; concurrent calls share one write. Large batches are
   * written in chunks of at most USAGE_FLUSH_CHUNK versions (or the store's usageFlushChunk)
   * with a turn of the event loop between them, so a flush never blocks requests for long when
   * the store writes on the event loop.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = new Map();
    const entries: UsageEntry[] = [...batch].map(([versionId, e]) => ({ versionId, count: e.count, lastUsedAt: e.lastUsedAt }));
    this.flushing = this.writeChunks(entries).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeChunks(entries: readonly UsageEntry[]): Promise<void> {
    const chunk = this.store.usageFlushChunk ?? USAGE_FLUSH_CHUNK;
    for (let from = 0; from < entries.length; from += chunk) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await this.store.recordUsage(entries.slice(from, from + chunk));
      } catch (err: unknown) {
        // This chunk and the ones not written yet wait for the next flush.
        for (const e of entries.slice(from)) this.merge(e.versionId, e.count, e.lastUsedAt);
        this.onError(err);
        return;
      }
    }
    // One SQLite checkpoint per flush, after its chunks (not one inside every few chunks).
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.store.checkpoint().catch((err: unknown) => this.onError(err));
  }

  /** Stops the timer and writes the rest. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }
}
