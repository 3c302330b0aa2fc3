// ApiKey resources for the scenarios, and what the scenarios read back about them: the rotation
// state in status, what each destination serves, which versions the key service holds valid.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { ApiKeyVersion } from '../../../../src/client/index.js';
import { versionIdFromToken } from '../../../../src/delivery/version-token.js';
import { apiKeyManifest, destinationsOf, targetsOf, type ApiKeyResource, type ScenarioDelivery, type World } from './world.js';
import type { ConsumerTarget } from './consumers.js';

export const ENVIRONMENT = 'production';
const VERSIONS_ANNOTATION = 'keywarden.dev/versions';

export interface ScenarioKey {
  readonly namespace: string;
  readonly name: string;
  readonly delivery: ScenarioDelivery;
  readonly manifest: Record<string, unknown>;
  readonly targets: readonly ConsumerTarget[];
  /** Destination descriptions as the Timeline names them. */
  readonly destinations: readonly string[];
}

/** An ApiKey delivering to a Secrets Manager secret (first) and a Kubernetes Secret in its namespace. */
export function scenarioKey(
  name: string,
  options: { namespace?: string; rotation?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> } = {},
): ScenarioKey {
  const namespace = options.namespace ?? 'shop';
  const delivery: ScenarioDelivery = {
    awsSecretsManager: { name: `prod/${namespace}/${name}` },
    kubernetesSecret: { namespace, name: `${name}-api-key`, key: 'API_KEY' },
  };
  return {
    namespace,
    name,
    delivery,
    manifest: apiKeyManifest({
      name,
      namespace,
      environment: ENVIRONMENT,
      delivery,
      rotation: options.rotation ?? { every: '30d', overlap: '1h' },
      ...(options.annotations !== undefined ? { annotations: options.annotations } : {}),
    }),
    targets: targetsOf(delivery),
    destinations: destinationsOf(delivery),
  };
}

export type RotationStatus = Record<string, unknown> & {
  phase?: string;
  currentVersion?: string;
  previousVersion?: string;
  pendingVersion?: string;
  previousRevokedAt?: string;
  overlapUntil?: string;
  retryAt?: string;
  rotationId?: string;
  scheduledAt?: string;
  lastError?: { reason: string; message: string };
};

export interface KeyStatus {
  readonly resource: ApiKeyResource;
  readonly keyId?: string;
  readonly rotation?: RotationStatus;
}

export async function keyStatus(world: World, key: ScenarioKey): Promise<KeyStatus> {
  const resource = await world.getApiKey(key.namespace, key.name);
  const env = resource.status?.environments?.[ENVIRONMENT];
  return {
    resource,
    ...(env?.keyId !== undefined ? { keyId: env.keyId } : {}),
    ...(env?.rotation !== undefined ? { rotation: env.rotation as RotationStatus } : {}),
  };
}

export function condition(resource: ApiKeyResource, type: string): { status: string; reason?: string; message?: string } | undefined {
  return resource.status?.conditions?.find((c) => c.type === type);
}

/** What each destination serves now and holds pending: version ids (never secrets). */
export async function destinationVersions(world: World, key: ScenarioKey): Promise<Record<string, { current?: string; pending?: string }>> {
  const out: Record<string, { current?: string; pending?: string }> = {};
  const k8s = key.delivery.kubernetesSecret!;
  const secret = world.kube.store.list('', 'secrets', k8s.namespace).find((s) => s.metadata.name === k8s.name);
  const annotations = secret?.metadata.annotations as Record<string, string> | undefined;
  const versions = annotations?.[VERSIONS_ANNOTATION] !== undefined ? (JSON.parse(annotations[VERSIONS_ANNOTATION]!) as Record<string, { current?: string; pending?: string }>) : {};
  const data = (secret?.data ?? {}) as Record<string, string>;
  out[key.destinations[0]!] = {
    ...(versions[k8s.key]?.current !== undefined ? { current: versions[k8s.key]!.current! } : {}),
    ...(data[`${k8s.key}.pending`] !== undefined ? { pending: versions[k8s.key]?.pending ?? '(unrecorded)' } : {}),
  };
  const sm = key.delivery.awsSecretsManager!;
  const entry: { current?: string; pending?: string } = {};
  if (world.sm.hasSecret(sm.name)) {
    for (const [token, labels] of Object.entries(world.sm.versionStages(sm.name))) {
      if (labels.includes('AWSCURRENT')) entry.current = versionIdFromToken(token);
      if (labels.includes('AWSPENDING')) entry.pending = versionIdFromToken(token);
    }
  }
  out[key.destinations[1]!] = entry;
  return out;
}

/** True once both destinations serve something (the first version was delivered). */
export async function delivered(world: World, key: ScenarioKey): Promise<boolean> {
  const k8s = key.delivery.kubernetesSecret!;
  const secret = world.kube.store.list('', 'secrets', k8s.namespace).find((s) => s.metadata.name === k8s.name);
  if ((secret?.data as Record<string, string> | undefined)?.[k8s.key] === undefined) return false;
  if (!world.sm.hasSecret(key.delivery.awsSecretsManager!.name)) return false;
  try {
    await world.secretsManager.send(new GetSecretValueCommand({ SecretId: key.delivery.awsSecretsManager!.name }));
    return true;
  } catch {
    return false;
  }
}

/** Versions the key service still accepts (neither revoked nor past their overlap). */
export async function validVersions(world: World, keyId: string): Promise<string[]> {
  const versions: readonly ApiKeyVersion[] = await world.admin.listVersions(keyId);
  return versions.filter((v) => v.status === 'active').map((v) => v.id).sort();
}
