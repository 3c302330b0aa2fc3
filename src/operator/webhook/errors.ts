// The webhook's error catalog: what it answers when a request is not an AdmissionReview it can
// decide. Codes are permanent: never reuse or rename one. The API server treats any answer but
// 200 as a failed call (and applies the webhook's failurePolicy); the body says what was wrong.

export const WEBHOOK_ERRORS = {
  route_not_found: { status: 404, message: 'No such path: the webhook serves POST /validate-apikey.' },
  method_not_allowed: { status: 405, message: 'Send the AdmissionReview with POST.' },
  payload_too_large: { status: 413, message: 'The AdmissionReview is larger than this webhook accepts.' },
  unsupported_media_type: { status: 415, message: 'Send the AdmissionReview as application/json.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_review: { status: 400, message: 'The body is not an admission.k8s.io/v1 AdmissionReview request.' },
  request_timeout: { status: 408, message: 'The request body did not arrive in time.' },
  internal_error: { status: 500, message: 'The webhook failed unexpectedly; its log has the details.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type WebhookErrorCode = keyof typeof WEBHOOK_ERRORS;

/** A request the webhook refuses to decide; the server answers with its status and body. */
export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly status: number;

  constructor(code: WebhookErrorCode, message?: string) {
    super(message ?? WEBHOOK_ERRORS[code].message);
    this.name = 'WebhookError';
    this.code = code;
    this.status = WEBHOOK_ERRORS[code].status;
  }
}

/** `{"error":{"code","message"}}`, the body of every non-200 answer. */
export function webhookErrorBody(error: WebhookError): { error: { code: WebhookErrorCode; message: string } } {
  return { error: { code: error.code, message: error.message } };
}
