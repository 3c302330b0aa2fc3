// Why a call to the key service or a destination failed, as a CamelCase condition reason and a
// message that names the call and the error code — never a secret (the client and the
// destinations redact their own errors).
import { KeywardenApiError } from '../../client/index.js';
import { DeliveryError } from '../../delivery/index.js';

/** A CamelCase reason and a message without secrets for an error of the key service, a destination or anything else. */
export function describe(err: unknown): { reason: string; message: string } {
  if (err instanceof KeywardenApiError) {
    const reason = err.status === 0 ? 'KeyServiceUnreachable' : err.status === 429 ? 'KeyServiceThrottled' : err.status >= 500 ? 'KeyServiceUnavailable' : 'KeyServiceRefused';
    return { reason, message: `key service ${err.method} ${err.path}: ${err.code} (${err.status})` };
  }
  if (err instanceof DeliveryError) {
    return { reason: 'DeliveryFailed', message: `${err.destination}: ${err.code}${err.upstream ? ` (${err.upstream})` : ''}` };
  }
  return { reason: 'InternalError', message: err instanceof Error ? err.name : 'unknown error' };
}
