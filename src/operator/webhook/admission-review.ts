// Reading an admission.k8s.io/v1 AdmissionReview and answering it: parse (collecting every
// problem, never throwing on bad input), then decide with the same checks as `keywarden check`
// (reviewApiKey). What is not a change to an ApiKey's document is admitted: other kinds, the
// status subresource, DELETE, and updates of a resource being deleted (its finalizer must be
// able to go). An update that leaves the document as it was (finalizers, status, server
// metadata) is reviewed in Warn mode, so the controller can still manage a resource that a
// stricter policy made non-compliant after it was admitted.
import { isDeepStrictEqual } from 'node:util';
import { admissionResponse, documentOf, reviewApiKey, type AdmissionDecision, type AdmissionMode } from '../admission.js';
import { GROUP } from '../crds.js';

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
type Operation = (typeof OPERATIONS)[number];
/** Real uids are UUIDs; anything much longer is not echoed back. */
const MAX_UID_LENGTH = 128;
/**
 * Review cost grows with the document (a few ms per environment), and the review runs on the
 * event loop: a document beyond these bounds is refused unreviewed. A real ApiKey holds a few
 * hundred values at most.
 */
export const REVIEW_LIMITS = { maxValues: 5000, maxDepth: 32 } as const;
/** The refusal message and the warnings are cut to these sizes (the API server shows them to a person). */
const MAX_MESSAGE_LENGTH = 4096;
const MAX_WARNINGS = 50;

/** The parts of AdmissionReview.request the webhook reads. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly operation: Operation;
  readonly subResource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly object?: Record<string, unknown>;
  readonly oldObject?: Record<string, unknown>;
  readonly dryRun?: boolean;
}

export type ParsedReview = { readonly ok: true; readonly request: AdmissionRequest } | { readonly ok: false; readonly problems: readonly string[] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks that a parsed JSON body is an AdmissionReview v1 request; lists every problem. */
export function parseAdmissionReview(body: unknown): ParsedReview {
  if (!isRecord(body)) return { ok: false, problems: ['the body must be a JSON object'] };
  const problems: string[] = [];
  if (body.apiVersion !== 'admission.k8s.io/v1') problems.push(`apiVersion must be admission.k8s.io/v1 (got ${JSON.stringify(body.apiVersion ?? null)?.slice(0, 64)})`);
  if (body.kind !== 'AdmissionReview') problems.push(`kind must be AdmissionReview (got ${JSON.stringify(body.kind ?? null)?.slice(0, 64)})`);
  const request = body.request;
  if (!isRecord(request)) {
    problems.push('request must be an object');
    return { ok: false, problems };
  }
  const { uid, kind, operation, subResource, namespace, name, object, oldObject, dryRun } = request;
  if (typeof uid !== 'string' || uid === '' || uid.length > MAX_UID_LENGTH) problems.push(`request.uid must be a non-empty string of at most ${MAX_UID_LENGTH} characters`);
  if (!isRecord(kind) || typeof kind.group !== 'string' || typeof kind.version !== 'string' || typeof kind.kind !== 'string') {
    problems.push('request.kind must be {group, version, kind} strings');
  }
  if (!OPERATIONS.includes(operation as Operation)) problems.push(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  if (subResource !== undefined && typeof subResource !== 'string') problems.push('request.subResource must be a string');
  if (namespace !== undefined && typeof namespace !== 'string') problems.push('request.namespace must be a string');
  if (name !== undefined && typeof name !== 'string') problems.push('request.name must be a string');
  if (dryRun !== undefined && typeof dryRun !== 'boolean') problems.push('request.dryRun must be a boolean');
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isRecord(object)) problems.push(`request.object must be an object for ${operation}`);
  if (operation === 'UPDATE' && !isRecord(oldObject)) problems.push('request.oldObject must be an object for UPDATE');
  if (object !== undefined && object !== null && !isRecord(object)) problems.push('request.object must be an object');
  if (oldObject !== undefined && oldObject !== null && !isRecord(oldObject)) problems.push('request.oldObject must be an object');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      uid: uid as string,
      kind: kind as AdmissionRequest['kind'],
      operation: operation as Operation,
      ...(typeof subResource === 'string' && subResource !== '' ? { subResource } : {}),
      ...(typeof namespace === 'string' ? { namespace } : {}),
      ...(typeof name === 'string' ? { name } : {}),
      ...(isRecord(object) ? { object } : {}),
      ...(isRecord(oldObject) ? { oldObject } : {}),
      ...(typeof dryRun === 'boolean' ? { dryRun } : {}),
    },
  };
}

/** What the reviewer needs besides the request; each source is read per request, so changes apply at once. */
export interface ApiKeyReviewerOptions {
  /** Fail refuses a non-compliant ApiKey; Warn admits it with warnings. */
  readonly mode: AdmissionMode;
  /** The cluster's project file (YAML text). @default the built-in defaults */
  readonly project?: () => string | undefined;
  /** The spec of the cluster's KeywardenPolicy, as the operator last saw it. @default none */
  readonly policy?: () => Record<string, unknown> | undefined;
  /** Directory of the base policy pack. @default the package's policies/ */
  readonly policiesDir?: string;
  /** For exception expiry. @default () => new Date() */
  readonly now?: () => Date;
}

/** Why a request was decided the way it was (for logs and metrics). */
export type ReviewOutcome = 'allowed' | 'warned' | 'refused' | 'skipped';

export interface ReviewResult {
  /** The AdmissionReview answer to send back. */
  readonly response: Record<string, unknown>;
  readonly outcome: ReviewOutcome;
  /** Rule ids of the findings (empty when skipped). */
  readonly rules: readonly string[];
}

const ADMIT: AdmissionDecision = { allowed: true, findings: [], warnings: [] };

/** Why a document is too large to review (counted without recursion), or undefined. */
export function beyondReviewLimits(document: unknown): string | undefined {
  let values = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: document, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    values += 1;
    if (values > REVIEW_LIMITS.maxValues) return `it holds more than ${REVIEW_LIMITS.maxValues} values`;
    if (depth > REVIEW_LIMITS.maxDepth) return `it nests deeper than ${REVIEW_LIMITS.maxDepth} levels`;
    if (typeof value === 'object' && value !== null) for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

/** The decision with its message and warnings cut to what a person can read. */
function bounded(decision: AdmissionDecision): AdmissionDecision {
  const warnings =
    decision.warnings.length <= MAX_WARNINGS
      ? decision.warnings
      : [...decision.warnings.slice(0, MAX_WARNINGS - 1), `… and ${decision.warnings.length - MAX_WARNINGS + 1} more findings (run keywarden check for all)`];
  const message =
    decision.message === undefined || decision.message.length <= MAX_MESSAGE_LENGTH ? decision.message : `${decision.message.slice(0, MAX_MESSAGE_LENGTH - 40)}… (cut; run keywarden check for all)`;
  return { ...decision, warnings, ...(message !== undefined ? { message } : {}) };
}

/** Decides one parsed request. */
export function decideAdmission(request: AdmissionRequest, options: ApiKeyReviewerOptions): ReviewResult {
  const skipped = (warning?: string): ReviewResult => ({
    response: admissionResponse(request.uid, warning === undefined ? ADMIT : { ...ADMIT, warnings: [warning] }),
    outcome: 'skipped',
    rules: [],
  });
  if (request.kind.group !== GROUP || request.kind.kind !== 'ApiKey') {
    return skipped(`keywarden: ${request.kind.group || 'core'}/${request.kind.kind} is not reviewed (this webhook checks ${GROUP} ApiKeys only)`.slice(0, 256));
  }
  if (request.subResource !== undefined || request.operation === 'DELETE' || request.operation === 'CONNECT') return skipped();
  const object = request.object!;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  if (request.operation === 'UPDATE' && metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null) return skipped();
  const tooLarge = beyondReviewLimits(documentOf(object));
  const unchanged = tooLarge === undefined && request.operation === 'UPDATE' && isDeepStrictEqual(documentOf(object), documentOf(request.oldObject!));
  const mode: AdmissionMode = unchanged ? 'Warn' : options.mode;
  if (tooLarge !== undefined) {
    const name = typeof metadata.name === 'string' ? metadata.name : (request.name ?? 'apikey');
    const message = `ApiKey ${name} is too large to review: ${tooLarge}. Split it, or check it with keywarden check.`;
    const decision: AdmissionDecision = mode === 'Fail' ? { allowed: false, findings: [], warnings: [], message } : { allowed: true, findings: [], warnings: [message.slice(0, 256)] };
    return { response: admissionResponse(request.uid, decision), outcome: decision.allowed ? 'warned' : 'refused', rules: [] };
  }
  const project = options.project?.();
  const policy = options.policy?.();
  const decision = reviewApiKey(object, {
    mode,
    ...(project !== undefined ? { project } : {}),
    ...(policy !== undefined ? { policy } : {}),
    ...(options.policiesDir !== undefined ? { policiesDir: options.policiesDir } : {}),
    now: options.now?.() ?? new Date(),
  });
  const outcome: ReviewOutcome = !decision.allowed ? 'refused' : decision.warnings.length > 0 ? 'warned' : 'allowed';
  return { response: admissionResponse(request.uid, bounded(decision)), outcome, rules: [...new Set(decision.findings.map((f) => f.ruleId))] };
}
