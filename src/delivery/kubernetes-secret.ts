// Delivery to one data key of a Kubernetes Secret, keeping the Secret's other keys.
// Staging writes the value under `<key>.pending` (a data entry: the secret never goes into an
// annotation); promote moves it to `<key>` and drops `<key>.pending`. Which versions the
// Secret holds is recorded, per data key, in the JSON annotation `keywarden.dev/versions`
// (version ids only). Every change is read → modify → replace with the read resourceVersion;
// a 409 (Conflict, or AlreadyExists on create) re-reads and retries.
import { timingSafeEqual } from 'node:crypto';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import type { DestinationState, SecretDestination, SecretVersion } from './destination.js';
import { DeliveryError, redact } from './errors.js';

/** Annotation holding `{ [dataKey]: { current?, pending?, previous?, keyId? } }`. */
export const VERSIONS_ANNOTATION = 'keywarden.dev/versions';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const PENDING_SUFFIX = '.pending';
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

export interface KubernetesSecretDestinationOptions {
  readonly namespace: string;
  readonly name: string;
  /** The data key that holds the secret, e.g. `API_KEY`. */
  readonly key: string;
  readonly api: CoreV1Api;
  /** How many times a write is retried after a 409. [5] */
  readonly maxConflictRetries?: number;
  /** Base of the random back-off before a retry after a 409, doubled per attempt, in ms; 0 = none. [20] */
  readonly conflictBackoffMs?: number;
}

interface KeyVersions {
  current?: string;
  pending?: string;
  previous?: string;
  keyId?: string;
}

type Change = (secret: V1Secret | undefined) => V1Secret | 'unchanged';

export class KubernetesSecretDestination implements SecretDestination {
  readonly description: string;
  private readonly options: KubernetesSecretDestinationOptions;
  private readonly pendingKey: string;

  constructor(options: KubernetesSecretDestinationOptions) {
    this.options = options;
    this.description = `kubernetes-secret:${options.namespace}/${options.name}#${options.key}`;
    this.pendingKey = options.key + PENDING_SUFFIX;
    const problems: string[] = [];
    if (options.namespace === '') problems.push('namespace is empty');
    if (options.name === '') problems.push('name is empty');
    if (!DATA_KEY.test(this.pendingKey) || options.key === '') problems.push(`key "${options.key}" is not a valid Secret data key ([-._a-zA-Z0-9]+)`);
    if (problems.length > 0) throw new DeliveryError('KW_DELIVERY_INVALID_DESTINATION', this.description, `${problems.join('; ')}.`);
  }

  async stage(version: SecretVersion): Promise<void> {
    const value = Buffer.from(version.secret, 'utf8').toString('base64');
    await this.change((secret) => {
      const versions = readVersions(secret, this.options.key);
      const data = secret?.data ?? {};
      if (versions.pending === version.versionId && data[this.pendingKey] !== undefined) {
        return this.sameOrConflict(data[this.pendingKey]!, value, version.versionId);
      }
      if (versions.current === version.versionId) return this.sameOrConflict(data[this.options.key] ?? '', value, version.versionId);
      const next = startFrom(secret, this.options);
      next.data = { ...(next.data ?? {}), [this.pendingKey]: value };
      writeVersions(next, this.options.key, { ...versions, pending: version.versionId, keyId: version.keyId });
      return next;
    }, version.secret);
  }

  async promote(versionId: string): Promise<void> {
    await this.change((secret) => {
      const versions = readVersions(secret, this.options.key);
      const data = secret?.data ?? {};
      if (versions.current === versionId) return 'unchanged';
      if (secret === undefined || versions.pending !== versionId || data[this.pendingKey] === undefined) {
        throw new DeliveryError('KW_DELIVERY_VERSION_NOT_STAGED', this.description, `Version ${versionId} is not pending in the Secret.`);
      }
      const next = startFrom(secret, this.options);
      const nextData = { ...data, [this.options.key]: data[this.pendingKey]! };
      delete nextData[this.pendingKey];
      next.data = nextData;
      const { pending: _pending, ...rest } = versions;
      writeVersions(next, this.options.key, { ...rest, current: versionId, ...(versions.current !== undefined ? { previous: versions.current } : {}) });
      return next;
    });
  }

  async discard(versionId: string): Promise<void> {
    await this.change((secret) => {
      const versions = readVersions(secret, this.options.key);
      if (versions.current === versionId) {
        throw new DeliveryError('KW_DELIVERY_DISCARD_CURRENT', this.description, `Version ${versionId} is current in the Secret.`);
      }
      if (secret === undefined || versions.pending !== versionId) return 'unchanged';
      const next = startFrom(secret, this.options);
      const data = { ...(secret.data ?? {}) };
      delete data[this.pendingKey];
      next.data = data;
      const { pending: _pending, ...rest } = versions;
      writeVersions(next, this.options.key, rest);
      return next;
    });
  }

  async current(): Promise<string | undefined> {
    return (await this.state()).current;
  }

  async state(): Promise<DestinationState> {
    const secret = await this.read();
    const { current, pending, previous } = readVersions(secret, this.options.key);
    const hasPending = secret?.data?.[this.pendingKey] !== undefined;
    return {
      ...(current !== undefined ? { current } : {}),
      ...(pending !== undefined && hasPending ? { pending } : {}),
      ...(previous !== undefined ? { previous } : {}),
    };
  }

  private sameOrConflict(stored: string, wanted: string, versionId: string): 'unchanged' {
    const a = Buffer.from(stored);
    const b = Buffer.from(wanted);
    if (a.length === b.length && timingSafeEqual(a, b)) return 'unchanged';
    throw new DeliveryError('KW_DELIVERY_VERSION_CONFLICT', this.description, `Version ${versionId} is stored with other data.`);
  }

  /** Read → change → create or replace with the read resourceVersion; retries after a 409. */
  private async change(apply: Change, secretValue?: string): Promise<void> {
    const attempts = (this.options.maxConflictRetries ?? 5) + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const secret = await this.read(secretValue);
      const next = apply(secret);
      if (next === 'unchanged') return;
      try {
        if (secret === undefined) {
          await this.options.api.createNamespacedSecret({ namespace: this.options.namespace, body: next });
        } else {
          await this.options.api.replaceNamespacedSecret({ namespace: this.options.namespace, name: this.options.name, body: next });
        }
        return;
      } catch (err) {
        if (statusCode(err) !== 409) throw this.upstream(err, secretValue);
      }
      // Writers racing on one Secret (several keys delivered at once) spread out.
      const base = this.options.conflictBackoffMs ?? 20;
      if (base > 0 && attempt < attempts) await new Promise((r) => setTimeout(r, Math.random() * base * 2 ** (attempt - 1)));
    }
    throw new DeliveryError('KW_DELIVERY_CONCURRENT_UPDATE', this.description, `Gave up after ${attempts} attempts that each hit a 409.`, {
      retryable: true,
      upstream: 'HTTP 409 Conflict',
    });
  }

  private async read(secretValue?: string): Promise<V1Secret | undefined> {
    try {
      return await this.options.api.readNamespacedSecret({ namespace: this.options.namespace, name: this.options.name });
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw this.upstream(err, secretValue);
    }
  }

  private upstream(err: unknown, secretValue?: string): DeliveryError {
    const code = statusCode(err);
    const status = statusBody(err);
    const reason = status?.reason ?? (err instanceof Error ? err.name : 'Error');
    const detail =
      code !== undefined
        ? `HTTP ${code} ${reason}${status?.message !== undefined ? `: ${status.message}` : ''}`
        : `${reason}: ${err instanceof Error ? err.message : String(err)}`;
    return new DeliveryError('KW_DELIVERY_UPSTREAM', this.description, redact(detail, secretValue), {
      retryable: code === undefined || code >= 500 || code === 429,
      upstream: code !== undefined ? `HTTP ${code} ${reason}` : reason,
    });
  }
}

/** A copy of the Secret to write back (or a new one), with Keywarden's label. */
function startFrom(secret: V1Secret | undefined, options: KubernetesSecretDestinationOptions): V1Secret {
  if (secret === undefined) {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: options.name, namespace: options.namespace, labels: { [MANAGED_BY_LABEL]: 'keywarden' } },
    };
  }
  const labels = { ...(secret.metadata?.labels ?? {}) };
  // A Secret someone else manages (Helm, say) keeps its managed-by label.
  if (labels[MANAGED_BY_LABEL] === undefined) labels[MANAGED_BY_LABEL] = 'keywarden';
  return { ...secret, metadata: { ...secret.metadata, labels } };
}

function readVersions(secret: V1Secret | undefined, key: string): KeyVersions {
  const all = parseAnnotation(secret);
  const entry = all[key];
  if (entry === null || typeof entry !== 'object') return {};
  const out: KeyVersions = {};
  for (const field of ['current', 'pending', 'previous', 'keyId'] as const) {
    const value = (entry as Record<string, unknown>)[field];
    if (typeof value === 'string') out[field] = value;
  }
  return out;
}

function writeVersions(secret: V1Secret, key: string, versions: KeyVersions): void {
  const all = parseAnnotation(secret);
  all[key] = versions;
  secret.metadata = { ...secret.metadata, annotations: { ...(secret.metadata?.annotations ?? {}), [VERSIONS_ANNOTATION]: JSON.stringify(all) } };
}

function parseAnnotation(secret: V1Secret | undefined): Record<string, unknown> {
  const text = secret?.metadata?.annotations?.[VERSIONS_ANNOTATION];
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function statusBody(err: unknown): { reason?: string; message?: string } | undefined {
  const body = (err as { body?: unknown } | null)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { reason, message } = parsed as { reason?: unknown; message?: unknown };
  return { ...(typeof reason === 'string' ? { reason } : {}), ...(typeof message === 'string' ? { message } : {}) };
}
