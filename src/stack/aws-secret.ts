// The `aws_secretsmanager_secret` of a Secrets Manager delivery: the container the Keywarden
// provider writes each secret version into. Terraform owns the container (name, KMS key,
// tags, recovery window, replicas, resource policy); the provider and the operator own the
// versions in it, so no secret value ever enters the stack.
import type { SecretsmanagerSecretConfig } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import type { Delivery, ResolvedKey } from '../spec/model.js';
import { STACK_DEFAULTS } from './defaults.js';

export type SecretsManagerDelivery = Extract<Delivery, { kind: 'awsSecretsManager' }>;

/** Tag names every secret carries. */
export const SECRET_TAGS = {
  integration: 'integration',
  environment: 'environment',
  owner: 'owner',
  managedBy: 'managed-by',
} as const;

/** The secret's configuration (without provider), for `delivery` of `key`. */
export function secretConfigOf(key: ResolvedKey, delivery: SecretsManagerDelivery): SecretsmanagerSecretConfig {
  return {
    name: delivery.name,
    description: `API key ${key.name} (${key.integration} → ${key.service}), managed by Keywarden`,
    ...(delivery.region !== undefined ? { region: delivery.region } : {}),
    ...(delivery.kmsKeyId !== undefined ? { kmsKeyId: delivery.kmsKeyId } : {}),
    ...(delivery.recoveryWindowDays !== undefined ? { recoveryWindowInDays: delivery.recoveryWindowDays } : {}),
    ...(delivery.replicaRegions !== undefined && delivery.replicaRegions.length > 0
      ? { replica: delivery.replicaRegions.map((region) => ({ region })) } // KMS keys are regional: replicas use their region's aws/secretsmanager key
      : {}),
    ...(delivery.policy !== undefined ? { policy: delivery.policy } : {}),
    tags: {
      [SECRET_TAGS.integration]: key.integration,
      [SECRET_TAGS.environment]: key.environment,
      ...(key.owner !== undefined ? { [SECRET_TAGS.owner]: key.owner } : {}),
      [SECRET_TAGS.managedBy]: STACK_DEFAULTS.managedBy,
    },
  };
}
