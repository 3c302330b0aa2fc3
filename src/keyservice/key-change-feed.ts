// Tells this process which keys changed in the database, whichever replica changed them, so the
// verify cache can keep found keys for long and still drop a revoked or changed one within a
// bound. Every `intervalMs` it reads the keys whose updatedAt is newer than the newest change it
// has seen, or within the last LATE_COMMIT_MARGIN_MS of its own clock (a change committed late,
// or written by a replica whose clock lags by less than that, still falls in the window), and
// reports the ones whose revision it has not seen yet. Too many at once (a bulk change) → it
// reports a reset: forget everything.
import type { KeyChange, KeyStore } from './store/store.js';

/** How far back each poll looks behind the newest change seen: replica clock skew plus a slow commit. */
export const LATE_COMMIT_MARGIN_MS = 10_000;
/** Most changes read per poll; more means a bulk change and the listener is told to forget everything. */
export const MAX_CHANGES_PER_POLL = 1000;

export interface KeyChangeFeedOptions {
  readonly store: Pick<KeyStore, 'keyChangesSince' | 'latestKeyChange'>;
  /** The service clock, epoch ms. */
  readonly clock: () => number;
  /** Keys that changed since the last poll. */
  readonly onChanged: (keyIds: readonly string[]) => void;
  /** Changes could not be listed one by one (first poll, bulk change): forget every cached key. */
  readonly onReset: () => void;
  /** A poll failed (the next one tries again). */
  readonly onError: (err: unknown) => void;
}

export class KeyChangeFeed {
  #newest: number | undefined;
  /** Revisions seen for changes inside the margin window, so a change is reported once. */
  readonly #seen = new Map<string, KeyChange>();
  #lastSyncStartedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(private readonly options: KeyChangeFeedOptions) {}

  /** When the newest successful poll started (service clock): every change committed before then has been reported. */
  get lastSyncStartedAt(): number {
    return this.#lastSyncStartedAt;
  }

  /** Polls every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.poll(), intervalMs);
    this.#timer.unref();
  }

  stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#polling ?? Promise.resolve();
  }

  /** One poll; concurrent calls share it. Never rejects (failures go to onError). */
  poll(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #poll(): Promise<void> {
    const startedAt = this.options.clock();
    const { store } = this.options;
    try {
      if (this.#newest === undefined) {
        this.#reset((await store.latestKeyChange()) ?? 0);
      } else {
        // Everything newer than what was seen, and whatever the last margin of time brought
        // (a late commit carries an older updatedAt). Not "the margin before the newest seen":
        // after a bulk change that would fetch the same bulk forever.
        const since = Math.min(this.#newest + 1, startedAt - LATE_COMMIT_MARGIN_MS);
        const changes = await store.keyChangesSince(since, MAX_CHANGES_PER_POLL + 1);
        if (changes.length > MAX_CHANGES_PER_POLL) {
          this.#reset(Math.max(this.#newest, (await store.latestKeyChange()) ?? 0));
        } else {
          const changed: string[] = [];
          for (const change of changes) {
            const seen = this.#seen.get(change.keyId);
            if (seen === undefined || seen.revision !== change.revision) {
              changed.push(change.keyId);
              this.#seen.set(change.keyId, change);
            }
            if (change.updatedAt > this.#newest) this.#newest = change.updatedAt;
          }
          for (const [keyId, seen] of this.#seen) if (seen.updatedAt < since) this.#seen.delete(keyId);
          if (changed.length > 0) this.options.onChanged(changed);
        }
      }
      this.#lastSyncStartedAt = startedAt;
    } catch (err) {
      this.options.onError(err);
    }
  }

  #reset(newest: number): void {
    this.#newest = newest;
    this.#seen.clear();
    this.options.onReset();
  }
}
