// The admission decision for an ApiKey custom resource: the same loader and policy engine as
// `keywarden check`, with the cluster's project settings and KeywardenPolicy. Pure; the webhook
// server (still to be written) wraps it in an AdmissionReview response. Fail mode refuses a
// resource with error findings; Warn mode admits it and returns the findings as warnings.
import { stringify, parse } from 'yaml';
import { checkPolicy, type Finding } from '../policy/index.js';
import { API_VERSION, loadFromStrings } from '../spec/index.js';

/** What the webhook does with a non-compliant ApiKey. */
export type AdmissionMode = 'Fail' | 'Warn';

/** Annotations the API server or kubectl add that are not part of the spec. */
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];
/** Kubernetes shows each warning only up to this length. */
const MAX_WARNING_LENGTH = 256;

export interface AdmissionOptions {
  readonly mode: AdmissionMode;
  /** The cluster's project file (YAML text: environments, naming, integrators, scope catalogs). @default the built-in defaults */
  readonly project?: string;
  /** The spec of the cluster's KeywardenPolicy; replaces the project file's `policy` section. @default none */
  readonly policy?: Record<string, unknown>;
  /** Directory of the base policy pack. @default the package's policies/ */
  readonly policiesDir?: string;
  /** For exception expiry. @default new Date() */
  readonly now?: Date;
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

/** The ApiKey document the spec loader expects, from a custom resource as the API server holds it. */
export function documentOf(resource: Record<string, unknown>): Record<string, unknown> {
  const metadata = (resource.metadata ?? {}) as Record<string, unknown>;
  const annotations = Object.fromEntries(
    Object.entries((metadata.annotations ?? {}) as Record<string, string>).filter(([key]) => !DROPPED_ANNOTATIONS.includes(key)),
  );
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name: metadata.name,
      ...(metadata.namespace !== undefined ? { namespace: metadata.namespace } : {}),
      ...(metadata.labels !== undefined ? { labels: metadata.labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: resource.spec,
  };
}

function projectText(options: AdmissionOptions): string | undefined {
  if (options.policy === undefined) return options.project;
  const project = (options.project !== undefined ? parse(options.project) : { apiVersion: API_VERSION, kind: 'Project' }) as Record<string, unknown>;
  return stringify({ ...project, policy: options.policy });
}

const line = (finding: Finding): string => {
  const text = `${finding.ruleId}${finding.key ? ` ${finding.key}` : ''}: ${finding.message} (${finding.path})`;
  return text.length <= MAX_WARNING_LENGTH ? text : `${text.slice(0, MAX_WARNING_LENGTH - 1)}…`;
};

/** Checks one ApiKey resource; never throws on a bad resource (it is refused with the load errors). */
export function reviewApiKey(resource: Record<string, unknown>, options: AdmissionOptions): AdmissionDecision {
  const name = typeof (resource.metadata as { name?: unknown } | undefined)?.name === 'string' ? (resource.metadata as { name: string }).name : 'apikey';
  const file = `${name}.yaml`;
  const project = projectText(options);
  const load = loadFromStrings({ [file]: stringify(documentOf(resource)) }, project !== undefined ? { project } : {});
  const policy = load.errors.length > 0 ? undefined : checkPolicy(load, { ...(options.policiesDir ? { policiesDir: options.policiesDir } : {}), ...(options.now ? { now: options.now } : {}) });
  const findings = [...load.errors, ...(policy?.errors ?? []), ...(policy?.findings ?? [])];
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
