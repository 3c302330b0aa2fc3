// One resolved key as the configuration of a `keywarden_api_key` resource: every field of the
// spec lands in an attribute. What the resource has no attribute for (owner, the spec
// document, rotation, labels) is kept in the key's metadata under `keywarden.dev/…` keys
// (labels as they are), so the key service shows where a key comes from.
import type { Delivery, ResolvedKey } from '../spec/model.js';
import type { ApiKeyAwsSecretsManager, ApiKeyConfig } from './bindings/index.js';

/** Metadata keys the stack sets on every key. */
export const KEY_METADATA = {
  spec: 'keywarden.dev/spec',
  owner: 'keywarden.dev/owner',
  rotationEvery: 'keywarden.dev/rotation-every',
  rotationSchedule: 'keywarden.dev/rotation-schedule',
  rotationWindow: 'keywarden.dev/rotation-window',
  rotationOverlap: 'keywarden.dev/rotation-overlap',
} as const;

/** The key's metadata: labels, then the `keywarden.dev/…` entries (which win on a clash). */
export function keyMetadata(key: ResolvedKey): Record<string, string> {
  const metadata: Record<string, string> = { ...key.labels, [KEY_METADATA.spec]: key.document.name };
  if (key.owner !== undefined) metadata[KEY_METADATA.owner] = key.owner;
  const rotation = key.rotation;
  if (rotation?.every !== undefined) metadata[KEY_METADATA.rotationEvery] = rotation.every.text;
  if (rotation?.schedule !== undefined) metadata[KEY_METADATA.rotationSchedule] = rotation.schedule;
  if (rotation?.window !== undefined) metadata[KEY_METADATA.rotationWindow] = rotation.window.text;
  if (rotation?.overlap !== undefined) metadata[KEY_METADATA.rotationOverlap] = rotation.overlap.text;
  return metadata;
}

/** How the stack places deliveries. */
export interface DeliveryPlacement {
  /** The `aws_secrets_manager` block of a Secrets Manager delivery (the stack points it at the secret it declares). */
  readonly secretOf: (delivery: Extract<Delivery, { kind: 'awsSecretsManager' }>) => ApiKeyAwsSecretsManager;
  /** A file delivery's path as the provider must see it (spec paths are relative to the project root). */
  readonly filePathOf: (path: string) => string;
}

/** The resource configuration of `key`. */
export function apiKeyConfigOf(key: ResolvedKey, { secretOf, filePathOf }: DeliveryPlacement): ApiKeyConfig {
  const aws = key.delivery.filter((d): d is Extract<Delivery, { kind: 'awsSecretsManager' }> => d.kind === 'awsSecretsManager');
  const kubernetes = key.delivery.filter((d): d is Extract<Delivery, { kind: 'kubernetesSecret' }> => d.kind === 'kubernetesSecret');
  const files = key.delivery.filter((d): d is Extract<Delivery, { kind: 'file' }> => d.kind === 'file');
  return {
    name: key.name,
    environment: key.environment,
    mode: key.mode,
    integration: key.integration,
    service: key.service,
    scopes: [...key.scopes],
    ...(key.allowedCidrs !== undefined ? { allowedCidrs: [...key.allowedCidrs] } : {}),
    ...(Object.keys(key.limits).length > 0 ? { limits: Object.fromEntries(Object.entries(key.limits).map(([k, v]) => [k, String(v)])) } : {}),
    ...(key.rateLimit !== undefined ? { rateLimit: { requests: key.rateLimit.requests, per: key.rateLimit.per.text } } : {}),
    ...(key.expiresAfter !== undefined ? { expiresAfter: key.expiresAfter.text } : {}),
    metadata: keyMetadata(key),
    ...(aws.length > 0 ? { awsSecretsManager: aws.map(secretOf) } : {}),
    ...(kubernetes.length > 0 ? { kubernetesSecret: kubernetes.map(({ namespace, name, key: dataKey }) => ({ namespace, name, key: dataKey })) } : {}),
    ...(files.length > 0 ? { file: files.map(({ path }) => ({ path: filePathOf(path) })) } : {}),
  };
}
