// Keys for ReadResource. Terraform refreshes every resource of a plan at once (10 in flight by
// default): one GET per key is as many HTTP requests as resources. When reads pile up like
// that, the reader lists the account's keys a page at a time, once, and answers the reads from
// that list; a key not in it (deleted, or beyond the pages read) is fetched on its own.
// The list belongs to one configured provider, i.e. one Terraform command; it is dropped after
// any change this provider makes and after a few seconds, so no read sees an older key than a
// GET made when the command started would have.
import type { ApiKey, KeywardenClient } from '../../client/index.js';

/** What the reader needs of the key-service client. */
export type KeyReaderClient = Pick<KeywardenClient, 'getKey' | 'listKeys'>;

/** Options of KeyReader. */
export interface KeyReaderOptions {
  /** Reads in flight at once from which the key list is read instead. @default 8 */
  readonly batchAt?: number;
  /** Keys per list page (the service's maximum page size or less). @default 200 */
  readonly pageSize?: number;
  /** Pages read at most; an account with more keys is read key by key. @default 10 */
  readonly maxPages?: number;
  /** How long a list answers reads, in milliseconds. @default 5000 */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class KeyReader {
  private inFlight = 0;
  private list: { readonly at: number; readonly keys: Promise<ReadonlyMap<string, ApiKey> | undefined> } | undefined;
  private readonly batchAt: number;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: KeyReaderClient,
    options: KeyReaderOptions = {},
  ) {
    this.batchAt = options.batchAt ?? 8;
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = options.maxPages ?? 10;
    this.ttlMs = options.ttlMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** The key as the service has it now; throws the client's error (404 when it does not exist). */
  async get(id: string): Promise<ApiKey> {
    this.inFlight += 1;
    try {
      if (this.list !== undefined && this.now() - this.list.at > this.ttlMs) this.list = undefined;
      if (this.list === undefined && this.inFlight >= this.batchAt) this.list = { at: this.now(), keys: this.readList() };
      const listed = this.list === undefined ? undefined : (await this.list.keys)?.get(id);
      return listed ?? (await this.client.getKey(id));
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Forgets the list: call after any change to a key. */
  invalidate(): void {
    this.list = undefined;
  }

  /** Every key of the account, or undefined when there are more than maxPages pages or listing fails (reads then GET each key). */
  private async readList(): Promise<ReadonlyMap<string, ApiKey> | undefined> {
    const keys = new Map<string, ApiKey>();
    let cursor: string | null | undefined;
    try {
      for (let page = 0; page < this.maxPages; page++) {
        const result = await this.client.listKeys({ limit: this.pageSize, ...(cursor ? { cursor } : {}) });
        for (const key of result.items) keys.set(key.id, key);
        cursor = result.nextCursor;
        if (!cursor) return keys;
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
}
