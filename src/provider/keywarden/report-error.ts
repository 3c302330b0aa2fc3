// Failures of the key service or of a delivery as Terraform diagnostics: what went wrong,
// what to do, and (for the service's validation errors) the attribute it is about. Messages
// never carry a secret: the client's and the delivery's errors are built without them.
import type { KeywardenApiError } from '../../client/index.js';
import type { AttributePath, Diagnostics } from '../plugin/index.js';

/** The service's field names (`body.allowedCidrs.0`) as attribute paths (`allowed_cidrs`, 0). */
const FIELD_ATTRIBUTES: Readonly<Record<string, string>> = {
  name: 'name',
  environment: 'environment',
  integration: 'integration',
  service: 'service',
  mode: 'mode',
  scopes: 'scopes',
  allowedCidrs: 'allowed_cidrs',
  limits: 'limits',
  rateLimit: 'rate_limit',
  enabled: 'enabled',
  expiresAt: 'expires_at',
  metadata: 'metadata',
};

export function attributePathOfField(field: string): AttributePath | undefined {
  const [root, name, ...rest] = field.split('.');
  if (root !== 'body' || name === undefined) return undefined;
  const attribute = FIELD_ATTRIBUTES[name];
  if (attribute === undefined) return undefined;
  // Set elements are addressed by value, not index: point at the set itself.
  if (attribute === 'scopes' || attribute === 'allowed_cidrs') return [attribute];
  const next = rest[0];
  if ((attribute === 'limits' || attribute === 'metadata') && next !== undefined) return [attribute, { key: next }];
  return [attribute];
}

/**
 * Whether `error` is the client's KeywardenApiError (optionally with this HTTP status). By name,
 * not instanceof: the client (and its HTTP stack) is loaded only when the provider is
 * configured, which keeps every provider start that never configures light.
 */
export function isApiError(error: unknown, status?: number): error is KeywardenApiError {
  return error instanceof Error && error.name === 'KeywardenApiError' && (status === undefined || (error as KeywardenApiError).status === status);
}

/**
 * Reports `error`, raised while doing `action` (e.g. `create key "ci-bot"`), on `diagnostics`.
 * Errors of any other kind are rethrown (the framework reports them as provider errors).
 */
export function reportError(error: unknown, action: string, endpoint: string, diagnostics: Diagnostics): void {
  if (isApiError(error)) {
    const request = error.requestId ? ` (request id ${error.requestId})` : '';
    if (error.status === 0) {
      diagnostics.error(
        'Key service unreachable',
        `Could not ${action}: no answer from the key service at ${endpoint} after ${error.attempts} attempt(s) (${error.code}: ${error.message}). ` +
          'Check that the service is running and that endpoint, ca_file and insecure are right; nothing was changed by this step.',
      );
    } else if (error.status === 401 || error.status === 403) {
      diagnostics.error(
        'Key service refused the provider\'s key',
        `Could not ${action}: HTTP ${error.status} ${error.code}: ${error.message}${request}. The provider's api_key needs the scopes keys:read, keys:write and keys:rotate.`,
      );
    } else if (error.status >= 400 && error.status < 500 && error.details && error.details.length > 0) {
      for (const detail of error.details) {
        const path = attributePathOfField(detail.field);
        diagnostics.error('Key service rejected the key', `Could not ${action}: ${detail.field} ${detail.message}${request}.`, path);
      }
    } else if (error.status >= 500) {
      diagnostics.error(
        'Key service error',
        `Could not ${action}: the key service at ${endpoint} answered HTTP ${error.status} ${error.code}: ${error.message}${request} after ${error.attempts} attempt(s). ` +
          'Try again later; the state records only what the service confirmed.',
      );
    } else {
      diagnostics.error('Key service refused the request', `Could not ${action}: HTTP ${error.status} ${error.code}: ${error.message}${request}.`);
    }
    return;
  }
  if (error instanceof Error && error.name === 'DeliveryError') {
    diagnostics.error('Secret delivery failed', `Could not ${action}: ${error.message}`);
    return;
  }
  throw error;
}
