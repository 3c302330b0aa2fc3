// The store's error catalog. Expected outcomes are return values; these two are the only throws.

/** The database cannot be reached (PostgreSQL down, connection refused or lost, timeout, SQLite locked too long). The HTTP layer answers 503. */
export class StoreUnavailableError extends Error {
  /** Stable code. */
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** A pagination cursor that this store did not issue (or issued for another listing). The HTTP layer answers 400. */
export class InvalidCursorError extends Error {
  /** Stable code. */
  readonly code = 'INVALID_CURSOR';
  constructor(message = 'the pagination cursor is not valid: pass the nextCursor of a previous page unchanged, or omit it for the first page') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}
