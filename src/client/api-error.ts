// The one error the client throws: an HTTP error answer of the key service (status, stable
// code, message, request id) or a transport failure (status 0). Never carries a secret.

/** Codes the client itself assigns when no error body came from the service. */
export const CLIENT_ERROR_CODES = {
  /** The service could not be reached (connection refused, reset, DNS, TLS). */
  network: 'network_error',
  /** No answer within the client's timeout. */
  timeout: 'timeout',
  /** The service answered with something that is not the documented JSON error body. */
  unexpected: 'unexpected_response',
} as const;

export interface KeywardenApiErrorInit {
  /** HTTP status, or 0 when no HTTP answer arrived. */
  readonly status: number;
  /** Stable error code from the service's error catalog, or one of CLIENT_ERROR_CODES. */
  readonly code: string;
  readonly message: string;
  /** The service's request id (X-Request-Id or the body's requestId), when known. */
  readonly requestId?: string | undefined;
  /** Seconds the service asked us to wait (Retry-After), when it said so. */
  readonly retryAfterSeconds?: number | undefined;
  /** The failing fields of a validation error, as the service named them. */
  readonly details?: ReadonlyArray<{ readonly field: string; readonly message: string }> | undefined;
  /** HTTP method and path of the failed request (never the query string or headers). */
  readonly method: string;
  readonly path: string;
  /** Number of attempts made, retries included. */
  readonly attempts: number;
}

export class KeywardenApiError extends Error {
  override readonly name = 'KeywardenApiError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly details: ReadonlyArray<{ readonly field: string; readonly message: string }> | undefined;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(init: KeywardenApiErrorInit) {
    const where = `${init.method} ${init.path}`;
    const status = init.status === 0 ? 'no response' : `HTTP ${init.status}`;
    const rid = init.requestId ? ` (request ${init.requestId})` : '';
    const fields = init.details?.length ? ` [${init.details.map((d) => `${d.field}: ${d.message}`).join('; ')}]` : '';
    super(`${where}: ${status} ${init.code}: ${init.message}${fields}${rid}`);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.details = init.details;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
  }

  /** Plain data for logs and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      status: this.status,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      retryAfterSeconds: this.retryAfterSeconds,
      details: this.details,
    };
  }
}
