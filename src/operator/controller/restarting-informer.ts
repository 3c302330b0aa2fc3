// A list-and-watch cache (client-node's ListWatch, what makeInformer builds) that comes back
// after errors. In client-node 1.4 any list or watch error other than 410 Gone emits `error`
// and leaves the informer stopped for good; this wrapper restarts it after an exponential
// backoff. Two details make stop() leave nothing behind:
//  - the restart runs from a timer, never from inside the `error` callback: ListWatch is still
//    in its own doneHandler then, and a nested start() would race it for `request`, leaving a
//    watch nobody can abort;
//  - the Watch is ours (GuardedWatch): it knows every open watch request and aborts those that
//    connect after stop(), and a list that answers after stop() is turned into an error so
//    ListWatch does not go on to open a watch.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';

export interface RestartingInformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection's API path, e.g. /apis/keywarden.dev/v1alpha1/namespaces/orders/apikeys. */
  readonly path: string;
  /** Lists the collection (the informer watches from the list's resourceVersion). */
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** First restart delay, in ms. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest restart delay, in ms. @default 30000 */
  readonly maxDelayMs?: number;
  /** Told about each error before the restart is scheduled (never holds a secret: API errors only). */
  readonly onError?: (error: unknown, restartInMs: number) => void;
}

/** Raised inside the informer when a list answers after stop(): ends its start without a watch. */
class InformerStopped extends Error {
  constructor() {
    super('informer stopped');
    this.name = 'InformerStopped';
  }
}

/** A Watch that tracks its open requests so that they can all be aborted, also late ones. */
class GuardedWatch extends Watch {
  private readonly open = new Set<AbortController>();
  private closed = false;

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.closed) {
      done(new InformerStopped());
      return new AbortController();
    }
    let controller: AbortController | undefined;
    let finished = false;
    controller = await super.watch(path, queryParams, callback, (err) => {
      finished = true;
      if (controller !== undefined) this.open.delete(controller);
      done(err);
    });
    if (!finished) {
      if (this.closed) controller.abort();
      else this.open.add(controller);
    }
    return controller;
  }

  closeAll(): void {
    this.closed = true;
    for (const controller of this.open) controller.abort();
    this.open.clear();
  }

  reopen(): void {
    this.closed = false;
  }

  get openRequests(): number {
    return this.open.size;
  }
}

type Handler<T> = (object: T) => void;

export class RestartingInformer<T extends KubernetesObject> {
  private readonly options: RestartingInformerOptions<T>;
  private readonly watcher: GuardedWatch;
  private readonly informer: ListWatch<T>;
  private stopped = true;
  private hasSynced = false;
  private failures = 0;
  private restartCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(options: RestartingInformerOptions<T>) {
    this.options = options;
    this.watcher = new GuardedWatch(options.kubeConfig);
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      if (this.stopped) throw new InformerStopped();
      this.failures = 0;
      return result;
    };
    this.informer = new ListWatch<T>(options.path, this.watcher, list, false);
    this.informer.on('error', (err) => this.failed(err));
    // ListWatch adds the listed items right after the list resolves, then opens the watch; the
    // connect callback of the next round or the first watch event proves the list was applied.
    this.informer.on('connect', () => this.markSyncedIfListed());
  }

  /** True once the first list has been applied to the cache. */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** True between start() and stop(). */
  get active(): boolean {
    return !this.stopped;
  }

  /** How often the informer was restarted after an error. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Watch requests open now (0 after stop()). */
  get openWatches(): number {
    return this.watcher.openRequests;
  }

  on(verb: 'add' | 'update' | 'delete', handler: Handler<T>): void {
    this.informer.on(verb, handler);
  }

  /** Objects in the cache. */
  list(): readonly T[] {
    return this.informer.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /** Starts listing and watching; resolves once the first list is in the cache (retrying with backoff), or at stop(). */
  async start(): Promise<void> {
    if (!this.stopped) return this.waitForSync();
    this.stopped = false;
    this.watcher.reopen();
    this.run();
    return this.waitForSync();
  }

  /** Stops the informer and its restarts; no watch request stays open. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.informer.stop();
    this.watcher.closeAll();
    await this.running;
    // A watch that connected while the run above was finishing is closed now.
    this.watcher.closeAll();
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private waitForSync(): Promise<void> {
    if (this.hasSynced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private run(): void {
    const started = this.informer.start().then(
      () => this.markSyncedIfListed(),
      (err: unknown) => this.failed(err),
    );
    this.running = started;
  }

  private markSyncedIfListed(): void {
    if (this.hasSynced || this.stopped || this.informer.latestResourceVersion() === '') return;
    this.hasSynced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private failed(err: unknown): void {
    if (this.stopped || err instanceof InformerStopped || this.timer !== undefined) return;
    const base = this.options.baseDelayMs ?? 200;
    const delay = Math.min(this.options.maxDelayMs ?? 30_000, base * 2 ** Math.min(this.failures, 20));
    this.failures += 1;
    this.options.onError?.(err, delay);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.restartCount += 1;
      this.run();
    }, delay);
  }
}
