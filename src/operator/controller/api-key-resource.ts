// An ApiKey custom resource as the controller reads it, and the annotations that tell it how to
// treat the keys: who creates them (the operator, or Terraform before it: adopt by name) and
// what deleting the resource does to them.
import type { ApiKeyStatus } from '../status-schema.js';

/** Who creates the key in the key service. */
export type KeyManagement = 'Create' | 'Adopt';
/** What deleting the ApiKey does to its keys in the key service. */
export type DeletionPolicy = 'Retain' | 'Revoke';

/** `Create` (default): the operator creates the key and delivers its first version. `Adopt`: the key exists already (Terraform), matched by name. */
export const MANAGEMENT_ANNOTATION = 'keywarden.dev/management';
/** `Retain` or `Revoke`; default from the operator's `defaultDeletionPolicy`. */
export const DELETION_POLICY_ANNOTATION = 'keywarden.dev/deletion-policy';
/** The finalizer that carries out the deletion policy. */
export const FINALIZER = 'keywarden.dev/revoke-keys';
/**
 * Key-service metadata on keys the operator created: the uid of the ApiKey that owns them.
 * (`keywarden.dev/owner` is the spec's owner, as the cdktf stack writes it.)
 */
export const OWNER_METADATA = 'keywarden.dev/apikey-uid';
/** Key-service metadata on keys the operator created: `namespace/name` of the ApiKey (for people). */
export const RESOURCE_METADATA = 'keywarden.dev/apikey';

export interface ApiKeyResource {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec: Record<string, unknown>;
  status?: ApiKeyStatus;
}

/** A problem with how an annotation is written: the value, and what is allowed. */
export interface AnnotationProblem {
  readonly annotation: string;
  readonly message: string;
}

function choice<T extends string>(resource: ApiKeyResource, annotation: string, allowed: readonly T[], fallback: T, problems: AnnotationProblem[]): T {
  const value = resource.metadata.annotations?.[annotation];
  if (value === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (match !== undefined) return match;
  problems.push({ annotation, message: `annotation ${annotation} is "${value.slice(0, 40)}": use ${allowed.join(' or ')}` });
  return fallback;
}

/** How the resource's keys are managed, from its annotations; a bad value falls back to the default and is reported. */
export function managementOf(resource: ApiKeyResource, defaultDeletionPolicy: DeletionPolicy): {
  readonly management: KeyManagement;
  readonly deletionPolicy: DeletionPolicy;
  readonly problems: readonly AnnotationProblem[];
} {
  const problems: AnnotationProblem[] = [];
  // A bad management value must not create a key that was meant to be adopted: fall back to Adopt.
  const management = choice<KeyManagement>(resource, MANAGEMENT_ANNOTATION, ['Create', 'Adopt'], resource.metadata.annotations?.[MANAGEMENT_ANNOTATION] === undefined ? 'Create' : 'Adopt', problems);
  // A bad deletion policy must not revoke keys that were meant to stay: fall back to Retain.
  const deletionPolicy = choice<DeletionPolicy>(resource, DELETION_POLICY_ANNOTATION, ['Retain', 'Revoke'], resource.metadata.annotations?.[DELETION_POLICY_ANNOTATION] === undefined ? defaultDeletionPolicy : 'Retain', problems);
  return { management, deletionPolicy, problems };
}

/** `namespace/name`, the work-queue key. */
export function resourceKey(resource: { metadata?: { namespace?: string; name?: string } }): string {
  return `${resource.metadata?.namespace ?? ''}/${resource.metadata?.name ?? ''}`;
}
