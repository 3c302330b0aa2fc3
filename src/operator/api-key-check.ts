// An ApiKey custom resource through the CLI's loader and policy engine, with the cluster's
// project file and KeywardenPolicy: the resolved keys (one per environment) and every finding.
// The admission webhook decides on the findings; the controller also uses the keys.
import { parse, stringify } from 'yaml';
import { checkPolicy, type Finding } from '../policy/index.js';
import { API_VERSION, loadFromStrings, type ResolvedKey } from '../spec/index.js';

/** Annotations the API server or kubectl add that are not part of the spec. */
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export interface ApiKeyCheckOptions {
  /** The cluster's project file (YAML text: environments, naming, integrators, scope catalogs). @default the built-in defaults */
  readonly project?: string;
  /** The spec of the cluster's KeywardenPolicy; replaces the project file's `policy` section. @default none */
  readonly policy?: Record<string, unknown>;
  /** Directory of the base policy pack. @default the package's policies/ */
  readonly policiesDir?: string;
  /** For exception expiry. @default new Date() */
  readonly now?: Date;
}

export interface ApiKeyCheck {
  /** One key per environment (empty when the document does not load). */
  readonly keys: readonly ResolvedKey[];
  /** Load errors, policy load errors and rule findings of every severity. */
  readonly findings: readonly Finding[];
  /** True when the document itself did not load (no keys). */
  readonly loadFailed: boolean;
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

/** The project file text with the KeywardenPolicy spec as its `policy` section. */
function projectText(options: ApiKeyCheckOptions): string | undefined {
  if (options.policy === undefined) return options.project;
  const project = (options.project !== undefined ? parse(options.project) : { apiVersion: API_VERSION, kind: 'Project' }) as Record<string, unknown>;
  return stringify({ ...project, policy: options.policy });
}

/** Loads and checks one ApiKey document (a resource, or a document built from one); never throws on bad input. */
export function checkApiKey(document: Record<string, unknown>, options: ApiKeyCheckOptions): ApiKeyCheck {
  const name = typeof (document.metadata as { name?: unknown } | undefined)?.name === 'string' ? (document.metadata as { name: string }).name : 'apikey';
  const project = projectText(options);
  const load = loadFromStrings({ [`${name}.yaml`]: stringify(documentOf(document)) }, project !== undefined ? { project } : {});
  const loadFailed = load.errors.length > 0;
  const policy = loadFailed ? undefined : checkPolicy(load, { ...(options.policiesDir ? { policiesDir: options.policiesDir } : {}), ...(options.now ? { now: options.now } : {}) });
  return { keys: loadFailed ? [] : load.keys, findings: [...load.errors, ...(policy?.errors ?? []), ...(policy?.findings ?? [])], loadFailed };
}
