// Which key in the key service an ApiKey environment stands for: the one its status recorded,
// else the key of its name — created by the operator (management Create) or adopted as
// Terraform left it (management Adopt). A key the operator created carries the ApiKey's uid in
// its metadata; a Create finds it again after a crash before the status was written, and never
// takes over a key of the same name that someone else made.
import { randomUUID } from 'node:crypto';
import { KeywardenApiError, type ApiKey, type KeywardenClient } from '../../client/index.js';
import { deliverAll, type SecretDestination } from '../../delivery/index.js';
import type { ResolvedKey } from '../../spec/index.js';
import { initialRotationState, type RotationState } from '../rotation/index.js';
import type { EnvironmentStatus } from '../status-schema.js';
import { OWNER_METADATA, type KeyManagement } from './api-key-resource.js';
import { createRequestFor } from './key-fields.js';

export interface BindingContext {
  readonly client: Pick<KeywardenClient, 'getKey' | 'getKeyByName' | 'createKey' | 'rotateKey' | 'promoteVersion' | 'listVersions'>;
  readonly management: KeyManagement;
  readonly key: ResolvedKey;
  readonly owner: { readonly uid: string; readonly resource: string };
  readonly previous?: EnvironmentStatus;
  readonly destinations: readonly SecretDestination[];
  /** False while the spec breaks policy (error findings): no new key is created then. */
  readonly mayCreate: boolean;
  readonly now: Date;
  /** Throws when the operator may no longer act (checked before every write). */
  readonly guard: () => void;
}

export type Binding =
  | {
      readonly ok: true;
      readonly key: ApiKey;
      /** Set when this environment had no rotation state yet (a new or newly adopted key). */
      readonly initial?: RotationState;
      /** What happened, for an Event: KeyCreated, KeyAdopted. */
      readonly event?: { readonly reason: string; readonly message: string };
    }
  | {
      readonly ok: false;
      readonly reason: 'KeyNotFound' | 'KeyNameTaken' | 'KeyMissing' | 'KeyRevoked' | 'KeyExpired' | 'KeyDisabled' | 'CreationBlocked';
      readonly message: string;
      readonly keyId?: string;
    };

const isStatus = (err: unknown, status: number): boolean => err instanceof KeywardenApiError && err.status === status;

function usable(key: ApiKey): Binding {
  if (key.status === 'active') return { ok: true, key };
  const reason = key.status === 'revoked' ? 'KeyRevoked' : key.status === 'expired' ? 'KeyExpired' : 'KeyDisabled';
  return { ok: false, reason, keyId: key.id, message: `key ${key.name} (${key.id}) is ${key.status} in the key service; rotation stops until it is replaced` };
}

/** When the key's current version was created (rotation schedules count from it). */
async function currentSince(context: BindingContext, key: ApiKey): Promise<Date> {
  const versions = await context.client.listVersions(key.id);
  const current = versions.find((v) => v.id === key.currentVersionId);
  return current ? new Date(current.createdAt) : new Date(key.createdAt);
}

/**
 * A key the operator created whose first version never reached every destination (the
 * operator stopped between create and delivery; the secret is gone): a new version (deferred,
 * so what a destination may already hold stays valid), delivered everywhere, then promoted
 * with no overlap — which also ends any version an earlier, interrupted attempt left behind.
 */
async function redeliver(context: BindingContext, key: ApiKey): Promise<ApiKey> {
  const states = await Promise.all(context.destinations.map((d) => d.current()));
  if (states.every((current) => current === key.currentVersionId)) return key;
  context.guard();
  const rotated = await context.client.rotateKey(key.id, { idempotencyKey: `kw-initial-${randomUUID()}`, promotion: 'deferred' });
  if (rotated.secret === undefined) throw new Error(`the first delivery of key ${key.id} was answered without a secret; retrying`);
  await deliverAll(context.destinations, { keyId: key.id, versionId: rotated.version.id, secret: rotated.secret });
  context.guard();
  return (await context.client.promoteVersion(key.id, rotated.version.id, { overlap: '0s' })).key;
}

/** Finds, creates or adopts the key of one environment. Key-service errors other than "not found" are thrown (the reconcile retries). */
export async function bindKey(context: BindingContext): Promise<Binding> {
  const { client, key: spec, previous } = context;
  if (previous?.keyId !== undefined) {
    try {
      const key = await client.getKey(previous.keyId);
      return usable(key);
    } catch (err) {
      if (isStatus(err, 404)) return { ok: false, reason: 'KeyMissing', keyId: previous.keyId, message: `key ${previous.keyId} recorded in status no longer exists in the key service` };
      throw err;
    }
  }
  const found = await client.getKeyByName(spec.name);
  if (found !== undefined) {
    if (found.environment !== spec.environment) {
      return { ok: false, reason: 'KeyNameTaken', message: `key ${spec.name} exists in environment ${found.environment}, not ${spec.environment}` };
    }
    const ours = found.metadata[OWNER_METADATA] === context.owner.uid;
    if (ours) {
      const key = await redeliver(context, found);
      const state = initialRotationState(key.currentVersionId, await currentSince(context, key));
      return { ok: true, key, initial: state, event: { reason: 'KeyCreated', message: `created key ${key.name} (${key.id}) in the key service and delivered version ${key.currentVersionId}` } };
    }
    if (context.management === 'Create') {
      return {
        ok: false,
        reason: 'KeyNameTaken',
        message: `key ${spec.name} (${found.id}) exists and was not created for this ApiKey; set keywarden.dev/management: Adopt to manage it, or choose another name`,
      };
    }
    const state = initialRotationState(found.currentVersionId, await currentSince(context, found));
    const binding = usable(found);
    if (!binding.ok) return binding;
    return { ok: true, key: found, initial: state, event: { reason: 'KeyAdopted', message: `adopted key ${found.name} (${found.id}); its current version is ${found.currentVersionId}` } };
  }
  if (context.management === 'Adopt') {
    return { ok: false, reason: 'KeyNotFound', message: `no key named ${spec.name} in the key service to adopt (keywarden.dev/management: Adopt); create it first (e.g. with Terraform)` };
  }
  if (!context.mayCreate) {
    return { ok: false, reason: 'CreationBlocked', message: `key ${spec.name} is not created while the ApiKey breaks policy (see PolicyCompliant)` };
  }
  context.guard();
  const created = await client.createKey(createRequestFor(spec, context.owner, context.now));
  await deliverAll(context.destinations, { keyId: created.key.id, versionId: created.version.id, secret: created.secret });
  return {
    ok: true,
    key: created.key,
    initial: initialRotationState(created.version.id, context.now),
    event: { reason: 'KeyCreated', message: `created key ${created.key.name} (${created.key.id}) in the key service and delivered version ${created.version.id}` },
  };
}
