// The verify answer for gateways, from a KeyCheck; fields other than valid and code appear
// only when known (the key was found) and, for scopes and limits, only when valid.
import type { VerifyResponse } from './api-types.js';
import type { KeyCheck } from './key-check.js';

export function verifyResult(check: KeyCheck): VerifyResponse {
  const valid = check.code === 'VALID';
  const result: VerifyResponse = { valid, code: check.code };
  const match = check.match;
  if (match) {
    result.keyId = match.key.id;
    result.account = match.key.accountId;
    result.environment = match.key.environment;
    result.mode = match.key.mode;
    if (valid) {
      result.scopes = match.key.scopes as string[];
      result.limits = match.key.limits as Record<string, string | number | boolean>;
    }
  }
  if (check.missingScopes) result.missingScopes = check.missingScopes as string[];
  if (check.rateLimit) {
    result.ratelimit = { limit: check.rateLimit.limit, remaining: check.rateLimit.remaining, reset: check.rateLimit.resetAt };
  }
  return result;
}
