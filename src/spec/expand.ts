// Expansion: each ApiKey × environment becomes one ResolvedKey. Environment overrides
// replace spec-level scalars, lists and records; `limits` and labels merge over them.
import type { Finding } from '../policy/finding.js';
import { didYouMean } from './did-you-mean.js';
import { parseDuration } from './duration.js';
import { loadError } from './errors.js';
import { formatPath } from './field-path.js';
import type {
  Delivery,
  Duration,
  EnvironmentMode,
  Location,
  PathSegment,
  Project,
  ProjectEnvironment,
  RateLimit,
  ResolvedField,
  ResolvedKey,
  Rotation,
} from './model.js';
import type { DeliveryEntry, EnvironmentOverride } from './schema.js';
import type { LoadedDocument } from './spec-document.js';

/** Parsed durations by text: a spec set uses a handful of distinct ones. Duration objects are never mutated. */
const durations = new Map<string, Duration | undefined>();

function duration(text: string | undefined): Duration | undefined {
  if (text === undefined) return undefined;
  let parsed = durations.get(text);
  if (parsed === undefined && !durations.has(text)) {
    parsed = parseDuration(text);
    if (durations.size >= 1000) durations.clear();
    durations.set(text, parsed);
  }
  return parsed;
}

const NO_LIMITS: Readonly<Record<string, string | number | boolean>> = Object.freeze({});

function rotationOf(r: EnvironmentOverride['rotation']): Rotation | undefined {
  if (!r) return undefined;
  const every = duration(r.every);
  const window = duration(r.window);
  const overlap = duration(r.overlap);
  return {
    ...(every ? { every } : {}),
    ...(r.schedule !== undefined ? { schedule: r.schedule } : {}),
    ...(window ? { window } : {}),
    ...(overlap ? { overlap } : {}),
  };
}

function rateLimitOf(r: EnvironmentOverride['rateLimit']): RateLimit | undefined {
  if (!r) return undefined;
  const per = duration(r.per);
  return per ? { requests: r.requests, per } : undefined;
}

function deliveryOf(entries: readonly DeliveryEntry[] | undefined, awsRegion: string | undefined): Delivery[] {
  const out: Delivery[] = [];
  for (const d of entries ?? []) {
    if (d.awsSecretsManager) {
      const { name, region: own, kmsKeyId, recoveryWindowDays, replicaRegions, policy } = d.awsSecretsManager;
      const region = own ?? awsRegion;
      out.push({
        kind: 'awsSecretsManager',
        name,
        ...(region !== undefined ? { region } : {}),
        ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
        ...(recoveryWindowDays !== undefined ? { recoveryWindowDays } : {}),
        ...(replicaRegions !== undefined ? { replicaRegions } : {}),
        ...(policy !== undefined ? { policy } : {}),
      });
    } else if (d.kubernetesSecret) {
      out.push({ kind: 'kubernetesSecret', ...d.kubernetesSecret });
    } else if (d.file) {
      out.push({ kind: 'file', path: d.file.path });
    }
  }
  return out;
}

/** Fields merged key by key rather than replaced. */
const MERGED_FIELDS: ReadonlySet<ResolvedField> = new Set(['limits']);

class ExpandedKey implements ResolvedKey {
  readonly name: string;
  readonly integration: string;
  readonly service: string;
  readonly owner?: string;
  readonly scopes: readonly string[];
  readonly allowedCidrs?: readonly string[];
  readonly limits: Readonly<Record<string, string | number | boolean>>;
  readonly rateLimit?: RateLimit;
  readonly expiresAfter?: Duration;
  readonly rotation?: Rotation;
  readonly delivery: readonly Delivery[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;

  readonly environment: string;
  readonly mode: EnvironmentMode;

  constructor(
    readonly document: LoadedDocument,
    env: ProjectEnvironment,
    private readonly override: EnvironmentOverride,
    namingTemplate: string,
  ) {
    const environment = env.name;
    this.environment = environment;
    this.mode = env.mode;
    const spec = document.data.spec;
    const o = override;
    this.integration = spec.integration;
    this.service = spec.service;
    this.name = o.name ?? keyName(namingTemplate, environment, spec.integration, spec.service, document.name);
    const owner = o.owner ?? spec.owner;
    if (owner !== undefined) this.owner = owner;
    this.scopes = o.scopes ?? spec.scopes ?? [];
    const cidrs = o.allowedCidrs ?? spec.allowedCidrs;
    if (cidrs !== undefined) this.allowedCidrs = cidrs;
    this.limits = o.limits ? { ...spec.limits, ...o.limits } : (spec.limits ?? NO_LIMITS);
    const rateLimit = rateLimitOf(o.rateLimit ?? spec.rateLimit);
    if (rateLimit) this.rateLimit = rateLimit;
    const expiresAfter = duration(o.expiresAfter ?? spec.expiresAfter);
    if (expiresAfter) this.expiresAfter = expiresAfter;
    const rotation = rotationOf(o.rotation ?? spec.rotation);
    if (rotation) this.rotation = rotation;
    this.delivery = deliveryOf(o.delivery ?? spec.delivery, env.awsRegion);
    this.labels = o.labels ? { ...document.labels, ...o.labels } : document.labels;
    this.annotations = document.annotations;
  }

  /** Plain data for JSON output: the resolved fields and where the key came from. */
  toJSON(): Record<string, unknown> {
    const { document, override: _override, ...fields } = this;
    void _override;
    return { ...fields, source: { file: document.file, index: document.index, name: document.name } };
  }

  locate(field: ResolvedField, ...rest: PathSegment[]): Location {
    const envPath: PathSegment[] = ['spec', 'environments', this.environment];
    if (field === 'environment') return this.document.locate(envPath, 'key');
    if (field === 'name') return this.document.locate(this.override.name !== undefined ? [...envPath, 'name'] : envPath, 'key');
    const o = this.override as Record<string, unknown>;
    const spec = this.document.data.spec as Record<string, unknown>;
    if (MERGED_FIELDS.has(field) && rest.length > 0) {
      if (has(o[field], rest)) return this.document.locate([...envPath, field, ...rest]);
      if (has(spec[field], rest)) return this.document.locate(['spec', field, ...rest]);
    }
    if (o[field] !== undefined) return this.document.locate([...envPath, field, ...rest]);
    if (spec[field] !== undefined) return this.document.locate(['spec', field, ...rest]);
    // Absent everywhere: point at the environment, with the path where the field would go.
    const absent = this.document.locate(envPath, 'key');
    return { ...absent, path: formatPath([...envPath, field, ...rest]) };
  }
}

function has(value: unknown, path: readonly PathSegment[]): boolean {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return true;
}

/** Fills the naming template's placeholders. */
export function keyName(template: string, environment: string, integration: string, service: string, name: string): string {
  return template.replace(/\{(environment|integration|service|name)\}/g, (_, p: string) =>
    p === 'environment' ? environment : p === 'integration' ? integration : p === 'service' ? service : name,
  );
}

/** The resolved keys of one document; unknown environments are reported to `errors`. */
export function expandDocument(document: LoadedDocument, project: Project, errors: Finding[]): ResolvedKey[] {
  const keys: ResolvedKey[] = [];
  const environments = document.data.spec.environments as Record<string, EnvironmentOverride>;
  for (const [environment, override] of Object.entries(environments)) {
    const env = Object.hasOwn(project.environments, environment) ? project.environments[environment] : undefined;
    if (!env) {
      const known = Object.keys(project.environments);
      const suggestion = didYouMean(environment, known);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `the project defines ${known.join(', ')}`;
      errors.push(loadError('unknownEnvironment', document.locate(['spec', 'environments', environment], 'key'), `environment "${environment}" is not defined in ${project.file ?? 'the default environments'}; ${hint}`));
      continue;
    }
    keys.push(new ExpandedKey(document, env, override, project.naming));
  }
  return keys;
}
