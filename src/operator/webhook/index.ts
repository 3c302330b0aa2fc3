// The admission webhook's public face: the HTTPS server and the decision it serves.
export { createWebhookServer, WEBHOOK_PATH, type WebhookServer, type WebhookServerOptions } from './webhook-server.js';
export { parseAdmissionReview, decideAdmission, type AdmissionRequest, type ApiKeyReviewerOptions, type ReviewOutcome, type ReviewResult } from './admission-review.js';
export { WEBHOOK_ERRORS, WebhookError, type WebhookErrorCode } from './errors.js';
export { readTlsFiles, watchTlsFiles, type TlsFilesOptions } from './tls-files.js';
