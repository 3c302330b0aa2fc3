// A generic store of Kubernetes objects with the API server's write semantics: one global
// resourceVersion counter, uid/creationTimestamp/generation, optimistic concurrency,
// the status subresource, finalizers with deletionTimestamp, and a bounded event history
// that watches replay from a resourceVersion (410 Expired once compacted away).
import { randomBytes, randomUUID } from 'node:crypto';
import { applyPatch, isObject, type PatchType } from './patch.js';
import { invalidObject, nameCauses, typeFromCrd, BUILT_IN_TYPES, type KubeObject, type ResourceType } from './resources.js';
import { alreadyExists, conflict, failure, notFound, success, type StatusBody } from './status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly resourceVersion: number;
  readonly type: WatchEventType;
  readonly typeKey: string;
  readonly object: KubeObject;
  /** The object before a MODIFIED change (to turn selector transitions into ADDED/DELETED). */
  readonly previous?: KubeObject;
}

/** Which objects a call addresses. `namespace` is ignored for cluster-scoped types. */
export interface ResourceRef {
  readonly group: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name: string;
}

const HISTORY_LIMIT = 10_000;

export class ObjectStore {
  private readonly types = new Map<string, ResourceType>();
  /** typeKey → "namespace/name" → object */
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private revision = 0;
  private readonly history: StoreEvent[] = [];
  /** Events with resourceVersion ≤ this are no longer in history. */
  private compactedThrough = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
    for (const type of BUILT_IN_TYPES) this.register(type);
  }

  /** Serves a new resource type (a custom resource), or replaces a type's definition. */
  register(type: ResourceType): void {
    const key = typeKey(type.group, type.plural);
    this.types.set(key, type);
    if (!this.objects.has(key)) this.objects.set(key, new Map());
  }

  allTypes(): ResourceType[] {
    return [...this.types.values()];
  }

  type(group: string, plural: string): ResourceType | undefined {
    return this.types.get(typeKey(group, plural));
  }

  get resourceVersion(): number {
    return this.revision;
  }

  /** Drops the event history: watches from an older resourceVersion now get 410 Expired. */
  compact(): void {
    this.history.length = 0;
    this.compactedThrough = this.revision;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `resourceVersion`, or 'expired' when the history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | 'expired' {
    if (resourceVersion < this.compactedThrough) return 'expired';
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  get(ref: ResourceRef): KubeObject {
    const type = this.requireType(ref.group, ref.plural);
    const found = this.bucket(type).get(objectKey(type, ref.namespace, ref.name));
    if (found === undefined) throw notFound(type.plural, type.group, ref.name);
    return structuredClone(found);
  }

  /** Objects of a type, in one namespace or all (namespace undefined), sorted by namespace/name. */
  list(group: string, plural: string, namespace?: string): KubeObject[] {
    const type = this.requireType(group, plural);
    return [...this.bucket(type).entries()]
      .filter(([, o]) => !type.namespaced || namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  create(group: string, plural: string, namespace: string | undefined, body: unknown): KubeObject {
    const type = this.requireType(group, plural);
    if (!isObject(body)) throw failure(400, 'BadRequest', 'the request body must be a JSON object');
    const object = structuredClone(body) as KubeObject;
    if (!isObject(object.metadata)) object.metadata = {};
    const metadata = object.metadata;
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw failure(400, 'BadRequest', `the kind of the provided object (${String(object.kind)}) does not match the resource (${type.kind})`);
    }
    if (type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace) {
        throw failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      metadata.namespace = namespace;
    } else delete metadata.namespace;
    if ((metadata.name === undefined || metadata.name === '') && typeof metadata.generateName === 'string') {
      metadata.name = metadata.generateName + randomName();
    }
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      invalidObject(type, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    const name = metadata.name as string;
    const causes = [...nameCauses(name), ...(type.prepare?.(object) ?? [])];
    if (causes.length > 0) invalidObject(type, name, causes);
    const key = objectKey(type, namespace, name);
    if (this.bucket(type).has(key)) throw alreadyExists(type.plural, type.group, name);
    if (type.statusSubresource) delete object.status;
    delete metadata.deletionTimestamp;
    delete metadata.resourceVersion;
    metadata.uid = randomUUID();
    metadata.creationTimestamp = timestamp(this.now());
    if (type.tracksGeneration) metadata.generation = 1;
    else delete metadata.generation;
    object.apiVersion = apiVersionOf(type, typeof object.apiVersion === 'string' ? object.apiVersion : undefined);
    object.kind = type.kind;
    this.commit(type, key, 'ADDED', object);
    this.afterWrite(type, object);
    return structuredClone(object);
  }

  /** PUT of the object (subresource 'status': only status changes). */
  replace(ref: ResourceRef, body: unknown, subresource?: 'status'): KubeObject {
    const type = this.requireType(ref.group, ref.plural);
    if (!isObject(body)) throw failure(400, 'BadRequest', 'the request body must be a JSON object');
    const existing = this.get(ref);
    const incoming = structuredClone(body) as KubeObject;
    if (!isObject(incoming.metadata)) incoming.metadata = {};
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== ref.name) {
      throw failure(400, 'BadRequest', `the name of the object (${String(incoming.metadata.name)}) does not match the name on the URL (${ref.name})`);
    }
    const precondition = incoming.metadata.resourceVersion;
    if (type.requireResourceVersionOnUpdate === true && (precondition === undefined || precondition === '')) {
      invalidObject(type, ref.name, [
        { reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' },
      ]);
    }
    if (precondition !== undefined && precondition !== '' && precondition !== existing.metadata.resourceVersion) {
      throw conflict(type.plural, type.group, ref.name);
    }
    return this.write(type, existing, incoming, subresource);
  }

  /** PATCH of the object; a resourceVersion in the result acts as a precondition, as on the real server. */
  patch(ref: ResourceRef, patch: unknown, patchType: PatchType, subresource?: 'status'): KubeObject {
    const type = this.requireType(ref.group, ref.plural);
    const existing = this.get(ref);
    const patched = applyPatch(existing, patch, patchType);
    if (!isObject(patched)) throw failure(422, 'Invalid', 'the patched object is not a JSON object');
    const result = patched as KubeObject;
    if (!isObject(result.metadata)) result.metadata = {};
    const rv = result.metadata.resourceVersion;
    if (rv !== undefined && rv !== existing.metadata.resourceVersion) throw conflict(type.plural, type.group, ref.name);
    return this.write(type, existing, result, subresource);
  }

  /** DELETE: immediate without finalizers; otherwise sets deletionTimestamp and waits for them to go. */
  delete(ref: ResourceRef, preconditions?: { resourceVersion?: string; uid?: string }): KubeObject | StatusBody {
    const type = this.requireType(ref.group, ref.plural);
    const existing = this.get(ref);
    if (
      (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== existing.metadata.resourceVersion) ||
      (preconditions?.uid !== undefined && preconditions.uid !== existing.metadata.uid)
    ) {
      throw conflict(type.plural, type.group, ref.name);
    }
    const key = objectKey(type, ref.namespace, ref.name);
    const finalizers = existing.metadata.finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (existing.metadata.deletionTimestamp !== undefined) return existing;
      const next = structuredClone(existing);
      next.metadata.deletionTimestamp = timestamp(this.now());
      next.metadata.deletionGracePeriodSeconds = 0;
      this.commit(type, key, 'MODIFIED', next, existing);
      return structuredClone(next);
    }
    this.remove(type, key, existing);
    return success(type.plural, type.group, ref.name, String(existing.metadata.uid));
  }

  private write(type: ResourceType, existing: KubeObject, incoming: KubeObject, subresource?: 'status'): KubeObject {
    const name = String(existing.metadata.name);
    let next: KubeObject;
    if (subresource === 'status') {
      if (!type.statusSubresource) throw notFound(`${type.plural}/status`, type.group, name);
      next = { ...structuredClone(existing), status: incoming.status };
      if (incoming.status === undefined) delete next.status;
    } else {
      next = incoming;
      if (type.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
      const meta = next.metadata;
      for (const field of ['uid', 'creationTimestamp', 'namespace', 'name', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
        if (existing.metadata[field] === undefined) delete meta[field];
        else meta[field] = existing.metadata[field];
      }
      if (existing.metadata.deletionTimestamp !== undefined) {
        const before = new Set(asStrings(existing.metadata.finalizers));
        const added = asStrings(meta.finalizers).filter((f) => !before.has(f));
        if (added.length > 0) {
          invalidObject(type, name, [
            { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: 'Forbidden: no new finalizers can be added if the object is being deleted' },
          ]);
        }
      }
      const causes = type.prepare?.(next) ?? [];
      if (causes.length > 0) invalidObject(type, name, causes);
    }
    next.apiVersion = existing.apiVersion;
    next.kind = type.kind;
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    // A write that changes nothing does not bump resourceVersion (nor send a watch event).
    if (canonical(next) === canonical(existing)) return structuredClone(existing);
    if (type.tracksGeneration && canonical(specOf(next)) !== canonical(specOf(existing))) {
      next.metadata.generation = Number(existing.metadata.generation ?? 0) + 1;
    }
    const key = objectKey(type, existing.metadata.namespace as string | undefined, name);
    if (next.metadata.deletionTimestamp !== undefined && asStrings(next.metadata.finalizers).length === 0) {
      this.remove(type, key, next);
      return structuredClone(next);
    }
    this.commit(type, key, 'MODIFIED', next, existing);
    this.afterWrite(type, next);
    return structuredClone(next);
  }

  private remove(type: ResourceType, key: string, object: KubeObject): void {
    this.bucket(type).delete(key);
    const gone = structuredClone(object);
    gone.metadata.resourceVersion = String(++this.revision);
    this.record({ resourceVersion: this.revision, type: 'DELETED', typeKey: typeKey(type.group, type.plural), object: gone });
  }

  private commit(type: ResourceType, key: string, eventType: WatchEventType, object: KubeObject, previous?: KubeObject): void {
    object.metadata.resourceVersion = String(++this.revision);
    this.bucket(type).set(key, object);
    this.record({
      resourceVersion: this.revision,
      type: eventType,
      typeKey: typeKey(type.group, type.plural),
      object: structuredClone(object),
      ...(previous !== undefined ? { previous } : {}),
    });
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) {
      const dropped = this.history.splice(0, this.history.length - HISTORY_LIMIT);
      this.compactedThrough = dropped[dropped.length - 1]!.resourceVersion;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** A created or updated CustomResourceDefinition starts serving its resource. */
  private afterWrite(type: ResourceType, object: KubeObject): void {
    if (type.group !== 'apiextensions.k8s.io' || type.plural !== 'customresourcedefinitions') return;
    const declared = typeFromCrd(object);
    if (declared !== undefined) this.register(declared);
  }

  private requireType(group: string, plural: string): ResourceType {
    const type = this.types.get(typeKey(group, plural));
    if (type === undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource');
    return type;
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    return this.objects.get(typeKey(type.group, type.plural))!;
  }
}

export function typeKey(group: string, plural: string): string {
  return `${group}/${plural}`;
}

function objectKey(type: ResourceType, namespace: string | undefined, name: string): string {
  return type.namespaced ? `${namespace ?? ''}/${name}` : `/${name}`;
}

function apiVersionOf(type: ResourceType, asked: string | undefined): string {
  const versions = type.versions.map((v) => (type.group === '' ? v : `${type.group}/${v}`));
  return asked !== undefined && versions.includes(asked) ? asked : versions[0]!;
}

/** RFC 3339 in seconds, as metav1.Time serializes. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomName(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function specOf(object: KubeObject): Record<string, unknown> {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

/** JSON with object keys sorted, for change detection. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
