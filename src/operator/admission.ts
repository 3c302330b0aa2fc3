// The admission decision for an ApiKey custom resource: the same loader and policy engine as
// `keywarden check`, with the cluster's project settings and KeywardenPolicy. Pure; the webhook
// server (webhook/webhook-server.ts) wraps it in an AdmissionReview response. Fail mode refuses a
// resource with error findings; Warn mode admits it and returns the findings as warnings.
import type { Finding } from '../policy/index.js';
import { checkApiKey, documentOf, type ApiKeyCheckOptions } from './api-key-check.js';

export { documentOf };

/** What the webhook does with a non-compliant ApiKey. */
export type AdmissionMode = 'Fail' | 'Warn';

/** Kubernetes shows each warning only up to this length. */
const MAX_WARNING_LENGTH = 256;

export interface AdmissionOptions extends ApiKeyCheckOptions {
  readonly mode: AdmissionMode;
}

export interface AdmissionDecision {
  readonly allowed: boolean;
  /** Load errors and rule findings of every severity. */
  readonly findings: readonly Finding[];
  /** One line per finding that did not refuse the resource (`KW003 production-order-bot: …`). */
  readonly warnings: readonly string[];
  /** Why the resource is refused (every error finding), when it is. */
  readonly message?: string;
}

const line = (finding: Finding): string => {
  const text = `${finding.ruleId}${finding.key ? ` ${finding.key}` : ''}: ${finding.message} (${finding.path})`;
  return text.length <= MAX_WARNING_LENGTH ? text : `${text.slice(0, MAX_WARNING_LENGTH - 1)}…`;
};

/** Checks one ApiKey resource; never throws on a bad resource (it is refused with the load errors). */
export function reviewApiKey(resource: Record<string, unknown>, options: AdmissionOptions): AdmissionDecision {
  const name = typeof (resource.metadata as { name?: unknown } | undefined)?.name === 'string' ? (resource.metadata as { name: string }).name : 'apikey';
  const { findings } = checkApiKey(resource, options);
  const errors = findings.filter((f) => f.severity === 'error');
  const refuse = options.mode === 'Fail' && errors.length > 0;
  const warnings = (refuse ? findings.filter((f) => f.severity !== 'error') : findings).map(line);
  if (!refuse) return { allowed: true, findings, warnings };
  return { allowed: false, findings, warnings, message: `ApiKey ${name} breaks ${errors.length} polic${errors.length === 1 ? 'y rule' : 'y rules'}: ${errors.map(line).join('; ')}` };
}

/** The AdmissionReview (admission.k8s.io/v1) answer to a request, from a decision. */
export function admissionResponse(uid: string, decision: AdmissionDecision): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: decision.allowed,
      ...(decision.warnings.length > 0 ? { warnings: decision.warnings } : {}),
      ...(decision.allowed ? {} : { status: { code: 403, reason: 'Forbidden', message: decision.message } }),
    },
  };
}
