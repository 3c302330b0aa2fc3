// The key service's one error catalog. Codes are permanent: never reuse or rename one;
// add a new code instead. Every 4xx/5xx body is {"error":{"code","message","requestId"}}
// (plus a docs link and, for validation, the failing fields).

/** Where each code is documented: the reference shipped with Keywarden, one anchor per code. */
export const ERROR_DOCS_BASE = 'docs/keyservice.md#error-';

export const ERROR_CATALOG = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON. Send a JSON object.' },
  validation_failed: { status: 400, message: 'The request is invalid. Fix the fields named in details.' },
  unauthorized: {
    status: 401,
    message: 'A valid API key is required: send it as Authorization: Bearer <key>, X-API-Key, or the Basic username.',
  },
  forbidden: { status: 403, message: 'The API key does not hold the scope this request needs.' },
  scope_escalation: {
    status: 403,
    message: 'A key can neither grant management scopes it does not hold nor act on a key that holds more of them.',
  },
  ip_not_allowed: {
    status: 403,
    message: "The request comes from an address outside the API key's allowed CIDRs.",
  },
  malformed_request: { status: 400, message: 'The request is not well-formed HTTP/1.1. Check the client or proxy that sent it.' },
  not_found: { status: 404, message: 'No such resource in this account.' },
  route_not_found: { status: 404, message: 'No such route. See /openapi.json for the routes this service serves.' },
  request_timeout: {
    status: 408,
    message: 'The request was not received in time (requestTimeoutMs). Send the whole request at once; the connection is closed.',
  },
  conflict: { status: 409, message: 'The resource is in a state that does not allow this change.' },
  precondition_failed: {
    status: 412,
    message: 'The resource changed since you read it (If-Match does not match its ETag). Read it again and retry.',
  },
  payload_too_large: { status: 413, message: 'The request body is larger than this service accepts.' },
  unsupported_media_type: { status: 415, message: 'Send the request body as application/json.' },
  headers_too_large: { status: 431, message: 'The request headers are larger than this service accepts (16 KiB in all).' },
  invalid_value: { status: 422, message: 'The request is well-formed but a value cannot be applied.' },
  idempotency_key_reused: {
    status: 422,
    message: 'This Idempotency-Key was already used with other parameters. Repeat the first request exactly, or use a new key.',
  },
  rate_limit_exceeded: { status: 429, message: 'Rate limit exceeded for this API key. Retry after Retry-After seconds.' },
  internal_error: { status: 500, message: 'The key service failed unexpectedly. The request id identifies it in the logs.' },
  service_unavailable: {
    status: 503,
    message: 'The key service cannot reach its database. Retry later.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** One failing field of a validation error: `field` is a JSON pointer-ish path like `body.name`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** An error the routes throw on purpose; the error handler turns it into the catalog body. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: readonly FieldError[] | undefined;
  /** Extra response headers (Retry-After, RateLimit-*). */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    extra?: { details?: readonly FieldError[]; headers?: Record<string, string>; cause?: unknown },
  ) {
    super(message ?? ERROR_CATALOG[code].message, extra?.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ERROR_CATALOG[code].status;
    this.details = extra?.details;
    this.headers = extra?.headers;
  }
}

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    requestId: string;
    docs: string;
    details?: FieldError[];
  };
}

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: readonly FieldError[]): ErrorBody {
  const body: ErrorBody = { error: { code, message, requestId, docs: ERROR_DOCS_BASE + code } };
  if (details && details.length > 0) body.error.details = [...details];
  return body;
}

/** Fastify's own error codes mapped onto the catalog (bad input never becomes a 500). */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_VALIDATION: 'validation_failed',
  FST_ERR_BAD_URL: 'validation_failed',
  FST_ERR_MAX_PARAM_LENGTH: 'validation_failed',
  FST_ERR_NOT_FOUND: 'route_not_found',
};

/**
 * The code of an error Node's HTTP server raises on a connection before any request exists
 * (fastify's clientError): a deadline missed, headers over the limit, bytes that are not HTTP.
 */
export function clientErrorCode(err: { code?: unknown }): ErrorCode {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  return 'malformed_request';
}

/** Picks the catalog code for any error a request can raise. */
export function classifyError(err: { code?: unknown; statusCode?: unknown; name?: unknown }): ErrorCode {
  if (err instanceof ApiError) return err.code;
  if (typeof err.code === 'string' && err.code in FASTIFY_CODES) return FASTIFY_CODES[err.code]!;
  // JSON.parse failures (including prototype poisoning) surface as SyntaxError with 400.
  if (err.name === 'SyntaxError') return 'invalid_json';
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  switch (status) {
    case 400:
      return 'validation_failed';
    case 404:
      return 'route_not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 503:
      return 'service_unavailable';
    default:
      return status >= 400 && status < 500 ? 'validation_failed' : 'internal_error';
  }
}
