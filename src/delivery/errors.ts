// The delivery boundary's one error catalog. Codes are permanent: never reuse or rename one.
// Messages never carry the secret: they are built from non-secret parts and redacted again.

export const DELIVERY_ERRORS = {
  KW_DELIVERY_INVALID_DESTINATION: 'The delivery entry is invalid. Fix it in the key spec.',
  KW_DELIVERY_FILE_LIVE_KEY: 'File delivery is allowed only for keys of test-mode environments. Deliver live keys to AWS Secrets Manager or a Kubernetes Secret.',
  KW_DELIVERY_DESTINATION_MISSING: 'The destination does not exist and this destination is not allowed to create it. Create it first (the cdktf stack does) or allow creation.',
  KW_DELIVERY_DESTINATION_DELETED: 'The destination is scheduled for deletion. Restore it or choose another destination.',
  KW_DELIVERY_VERSION_CONFLICT: 'The destination already holds this version id with a different secret. A version is written once; rotate to a new version instead.',
  KW_DELIVERY_VERSION_NOT_STAGED: 'The version was never staged at this destination, or was discarded. Stage it before promoting it.',
  KW_DELIVERY_DISCARD_CURRENT: 'The version is already current at this destination and cannot be discarded. Roll forward with a new version instead.',
  KW_DELIVERY_INVALID_VERSION_ID: 'The version id cannot be used at this destination.',
  KW_DELIVERY_CONCURRENT_UPDATE: 'The destination kept changing under us (optimistic concurrency conflicts). Retry later.',
  KW_DELIVERY_MISSING_CLIENT: 'No client was configured for this kind of destination.',
  KW_DELIVERY_UPSTREAM: 'The destination service refused or failed the request.',
  KW_DELIVERY_IO: 'Reading or writing the local file failed.',
} as const;

export type DeliveryErrorCode = keyof typeof DELIVERY_ERRORS;

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly code: DeliveryErrorCode;
  /** The destination's description (never the secret). */
  readonly destination: string;
  /** True when the same call may succeed later unchanged (throttling, 5xx, network, conflicts). */
  readonly retryable: boolean;
  /** The upstream error's name or reason, e.g. `ThrottlingException`, `HTTP 500 InternalError`, `ENOSPC`. */
  readonly upstream: string | undefined;

  constructor(
    code: DeliveryErrorCode,
    destination: string,
    detail?: string,
    options: { retryable?: boolean; upstream?: string } = {},
  ) {
    super(`${destination}: ${detail !== undefined ? `${detail} ` : ''}${DELIVERY_ERRORS[code]} [${code}]`);
    this.code = code;
    this.destination = destination;
    this.retryable = options.retryable ?? false;
    this.upstream = options.upstream;
  }
}

/** Replaces the secret (as text, base64 and base64url) in a message that might echo it. */
export function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret.length < 4) return text;
  let out = text;
  const bytes = Buffer.from(secret, 'utf8');
  for (const form of [secret, bytes.toString('base64'), bytes.toString('base64url'), JSON.stringify(secret).slice(1, -1)]) {
    if (form.length >= 4) out = out.split(form).join('[REDACTED]');
  }
  return out;
}
