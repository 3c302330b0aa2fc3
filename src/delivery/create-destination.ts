// From a key spec's delivery entry to a destination, with the clients injected.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Delivery, EnvironmentMode } from '../spec/model.js';
import { AwsSecretsManagerDestination } from './aws-secrets-manager.js';
import type { SecretDestination } from './destination.js';
import { DeliveryError } from './errors.js';
import type { FileIo } from './atomic-file.js';
import { FileDestination } from './file.js';
import { KubernetesSecretDestination } from './kubernetes-secret.js';

export interface DestinationContext {
  /** The key's environment mode; file delivery is refused for `live`. */
  readonly mode: EnvironmentMode;
  /** The Secrets Manager client for a region (undefined: the environment's or the SDK's default). */
  readonly secretsManager?: (region: string | undefined) => SecretsManagerClient;
  /** CoreV1Api of the cluster that Kubernetes Secrets go to. */
  readonly kubernetes?: CoreV1Api;
  /** Create missing Secrets Manager secrets; false when the cdktf stack must have made them. [true] */
  readonly createMissingSecrets?: boolean;
  /** Region used when the delivery entry names none (the project environment's awsRegion). */
  readonly defaultRegion?: string;
  /** File-system calls of file destinations. [node:fs] */
  readonly fileIo?: FileIo;
}

/** A destination for one delivery entry; throws DeliveryError for entries it cannot serve. */
export function createDestination(delivery: Delivery, context: DestinationContext): SecretDestination {
  switch (delivery.kind) {
    case 'awsSecretsManager': {
      const region = delivery.region ?? context.defaultRegion;
      if (context.secretsManager === undefined) {
        throw new DeliveryError('KW_DELIVERY_MISSING_CLIENT', `aws-secrets-manager:${delivery.name}`, 'No Secrets Manager client factory was given.');
      }
      return new AwsSecretsManagerDestination({
        secretId: delivery.name,
        client: context.secretsManager(region),
        ...(region !== undefined ? { region } : {}),
        ...(context.createMissingSecrets !== undefined ? { createIfMissing: context.createMissingSecrets } : {}),
      });
    }
    case 'kubernetesSecret':
      if (context.kubernetes === undefined) {
        throw new DeliveryError(
          'KW_DELIVERY_MISSING_CLIENT',
          `kubernetes-secret:${delivery.namespace}/${delivery.name}#${delivery.key}`,
          'No Kubernetes API client was given.',
        );
      }
      return new KubernetesSecretDestination({ namespace: delivery.namespace, name: delivery.name, key: delivery.key, api: context.kubernetes });
    case 'file':
      return new FileDestination({ path: delivery.path, mode: context.mode, ...(context.fileIo !== undefined ? { io: context.fileIo } : {}) });
  }
}

/** Options of `secretsManagerClients`. */
export interface SecretsManagerClientsOptions {
  /** Endpoint override (e.g. a VPC endpoint, or a loopback test server). [AWS's] */
  readonly endpoint?: string;
  /** Static credentials. [the SDK's default provider chain] */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Region when neither the entry nor the environment names one. [the SDK's: AWS_REGION …] */
  readonly defaultRegion?: string;
  /** SDK attempts per call, retries included. [3] */
  readonly maxAttempts?: number;
  /** Deadline of one attempt, in ms: a Secrets Manager that stops answering fails the call instead of holding it. [30000] */
  readonly requestTimeoutMs?: number;
}

/** A `secretsManager` factory for DestinationContext that keeps one client per region. */
export function secretsManagerClients(options: SecretsManagerClientsOptions = {}): (region: string | undefined) => SecretsManagerClient {
  const clients = new Map<string, SecretsManagerClient>();
  return (region) => {
    const chosen = region ?? options.defaultRegion;
    const key = chosen ?? '';
    let client = clients.get(key);
    if (client === undefined) {
      client = new SecretsManagerClient({
        ...(chosen !== undefined ? { region: chosen } : {}),
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
        maxAttempts: options.maxAttempts ?? 3,
        // throwOnRequestTimeout: without it the SDK only logs a warning when the deadline passes and waits on.
        requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: Math.min(options.requestTimeoutMs ?? 30_000, 5_000), throwOnRequestTimeout: true },
      });
      clients.set(key, client);
    }
    return client;
  };
}
