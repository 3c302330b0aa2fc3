// The secret destinations of one key (one ApiKey environment), built from its delivery entries.
// Two entries are refused in the cluster: a Kubernetes Secret in another namespace (an ApiKey
// may only write Secrets next to itself, or anyone allowed to create ApiKeys could overwrite
// any Secret the operator can reach) and a file (files are for local test keys; the operator
// has no place to write them).
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CoreV1Api } from '@kubernetes/client-node';
import { createDestination, DeliveryError, type SecretDestination } from '../../delivery/index.js';
import type { ResolvedKey } from '../../spec/index.js';

export interface DestinationsContext {
  readonly kubernetes: CoreV1Api;
  readonly secretsManager: (region: string | undefined) => SecretsManagerClient;
}

export interface KeyDestinations {
  readonly destinations: readonly SecretDestination[];
  /** Entries that cannot be served, with why (never a secret). */
  readonly problems: readonly string[];
  /** A stable description of the entries, to notice when the spec changes them. */
  readonly fingerprint: string;
}

export function destinationsFor(key: ResolvedKey, namespace: string, context: DestinationsContext): KeyDestinations {
  const destinations: SecretDestination[] = [];
  const problems: string[] = [];
  for (const delivery of key.delivery) {
    if (delivery.kind === 'kubernetesSecret' && delivery.namespace !== namespace) {
      problems.push(`kubernetes-secret:${delivery.namespace}/${delivery.name}: an ApiKey in namespace ${namespace} may only deliver to Secrets in ${namespace}`);
      continue;
    }
    if (delivery.kind === 'file') {
      problems.push(`file:${delivery.path}: the operator does not write files; deliver to a Kubernetes Secret or Secrets Manager`);
      continue;
    }
    try {
      destinations.push(createDestination(delivery, { mode: key.mode, kubernetes: context.kubernetes, secretsManager: context.secretsManager }));
    } catch (err) {
      problems.push(err instanceof DeliveryError ? `${err.destination}: ${err.code}` : 'a delivery entry could not be built');
    }
  }
  return { destinations, problems, fingerprint: JSON.stringify(key.delivery) };
}
