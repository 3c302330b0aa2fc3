// A rate-limited work queue of object keys (namespace/name), after client-go's workqueue: a key
// is queued once however often it is added; a key being processed is not handed out again
// until done(), and is queued again then if it was added meanwhile; addAfter() schedules a
// wake-up (the rotation machine's wakeAt); addRateLimited() backs a failing key off
// exponentially until forget().

export interface WorkQueueOptions {
  /** First retry delay of a failing key, in ms. @default 5 */
  readonly baseDelayMs?: number;
  /** Longest retry delay, in ms. @default 300000 (5 min) */
  readonly maxDelayMs?: number;
  /** Longest delay addAfter honours (a timer cannot wait longer than ~24.8 days), in ms. @default 86400000 */
  readonly maxScheduleMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class WorkQueue {
  private readonly options: WorkQueueOptions;
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly scheduled = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: WorkQueueOptions = {}) {
    this.options = options;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Keys ready to be handed out (the queue-depth metric). */
  get length(): number {
    return this.ready.length;
  }

  /** Keys handed out and not yet done(). */
  get processingCount(): number {
    return this.processing.size;
  }

  /** Keys waiting for a scheduled time. */
  get scheduledCount(): number {
    return this.scheduled.size;
  }

  /** Queues a key now (once, however often it is added). */
  add(key: string): void {
    if (this.closed) return;
    this.scheduled.delete(key);
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.ready.push(key);
  }

  /** Queues a key after `delayMs`; an earlier schedule of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.now() + Math.min(delayMs, this.options.maxScheduleMs ?? 86_400_000);
    const existing = this.scheduled.get(key);
    if (existing !== undefined && existing <= at) return;
    this.scheduled.set(key, at);
    this.arm();
  }

  /** Queues a failing key after its backoff: base × 2^(failures), capped. */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.options.maxDelayMs ?? 300_000, (this.options.baseDelayMs ?? 5) * 2 ** Math.min(failures, 30));
    this.addAfter(key, delay);
  }

  /** When a scheduled key becomes ready (ms since the epoch), if it is scheduled. */
  scheduledAt(key: string): number | undefined {
    return this.scheduled.get(key);
  }

  /** Failures recorded for a key since it was last forgotten. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Clears a key's failure count (after it was processed successfully). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process; waits for one. Undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.ready.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key processed; queues it again if it was added while it was processed. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
  }

  /** Stops handing out keys; pending get() calls resolve undefined. */
  shutDown(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.scheduled.size === 0 || this.closed) return;
    const next = Math.min(...this.scheduled.values());
    this.timer = setTimeout(() => this.release(), Math.max(0, next - this.now()));
  }

  /** Moves every key whose time has come to the ready queue. */
  private release(): void {
    this.timer = undefined;
    const now = this.now();
    for (const [key, at] of [...this.scheduled]) {
      if (at <= now) {
        this.scheduled.delete(key);
        this.add(key);
      }
    }
    this.arm();
  }
}
