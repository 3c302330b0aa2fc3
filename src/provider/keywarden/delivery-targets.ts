// The resource's delivery blocks as destinations of src/delivery. The AWS SDK and the
// Kubernetes client are loaded on first use only: most provider processes Terraform starts
// (validate, plan) never deliver, and loading them would slow every start.
import type { SecretDestination, SecretVersion } from '../../delivery/index.js';
import type { Delivery, EnvironmentMode } from '../../spec/model.js';
import type { TfObject, TfValue } from '../plugin/index.js';

/** Where delivery destinations are, from the provider configuration. */
export interface DeliveryTargetsOptions {
  /** Region of Secrets Manager deliveries that name none. @default the AWS SDK's */
  readonly awsRegion?: string;
  /** Secrets Manager endpoint override. @default AWS's */
  readonly awsEndpoint?: string;
  /** Kubeconfig file. @default KUBECONFIG, ~/.kube/config or in-cluster */
  readonly kubeconfig?: string;
}

/** The delivery entries of a resource object (`aws_secrets_manager`, `kubernetes_secret`, `file` blocks), in that order. */
export function deliveriesOf(value: TfObject): Delivery[] {
  const blocks = (name: string): TfObject[] => {
    const list = value[name];
    return Array.isArray(list) ? list.filter((b): b is TfObject => typeof b === 'object' && b !== null && !Array.isArray(b)) : [];
  };
  const str = (v: TfValue | undefined): string => (typeof v === 'string' ? v : '');
  return [
    ...blocks('aws_secrets_manager').map((b): Delivery => ({
      kind: 'awsSecretsManager',
      name: str(b.secret_id),
      ...(typeof b.region === 'string' && b.region !== '' ? { region: b.region } : {}),
    })),
    ...blocks('kubernetes_secret').map((b): Delivery => ({ kind: 'kubernetesSecret', namespace: str(b.namespace), name: str(b.name), key: str(b.key) })),
    ...blocks('file').map((b): Delivery => ({ kind: 'file', path: str(b.path) })),
  ];
}

/** The resource block a delivery entry comes from. */
export function deliveryBlockName(delivery: Delivery): 'aws_secrets_manager' | 'kubernetes_secret' | 'file' {
  return delivery.kind === 'awsSecretsManager' ? 'aws_secrets_manager' : delivery.kind === 'kubernetesSecret' ? 'kubernetes_secret' : 'file';
}

/** Where a delivery entry writes, for messages (never the secret). */
export function describeDelivery(delivery: Delivery): string {
  switch (delivery.kind) {
    case 'awsSecretsManager':
      return `the Secrets Manager secret "${delivery.name}"${delivery.region ? ` (${delivery.region})` : ''}`;
    case 'kubernetesSecret':
      return `key ${delivery.key} of the Kubernetes Secret ${delivery.namespace}/${delivery.name}`;
    case 'file':
      return `the file ${delivery.path}`;
  }
}

/** A stable text of a delivery entry, to tell which entries are new. */
export function deliveryIdentity(delivery: Delivery): string {
  return JSON.stringify(delivery);
}

export class DeliveryTargets {
  private secretsManager: ((region: string | undefined) => import('@aws-sdk/client-secrets-manager').SecretsManagerClient) | undefined;
  private kubernetes: import('@kubernetes/client-node').CoreV1Api | undefined;

  constructor(private readonly options: DeliveryTargetsOptions) {}

  /** Destinations of `deliveries` for a key of `mode`; throws DeliveryError for entries that cannot be served (a file for a live key). */
  async destinations(deliveries: readonly Delivery[], mode: EnvironmentMode): Promise<SecretDestination[]> {
    if (deliveries.length === 0) return [];
    const { createDestination, secretsManagerClients, withRequestDeadline } = await import('../../delivery/index.js');
    if (deliveries.some((d) => d.kind === 'awsSecretsManager') && this.secretsManager === undefined) {
      this.secretsManager = secretsManagerClients({
        ...(this.options.awsEndpoint !== undefined ? { endpoint: this.options.awsEndpoint } : {}),
        ...(this.options.awsRegion !== undefined ? { defaultRegion: this.options.awsRegion } : {}),
      });
    }
    if (deliveries.some((d) => d.kind === 'kubernetesSecret') && this.kubernetes === undefined) {
      const k8s = await import('@kubernetes/client-node');
      const kubeConfig = new k8s.KubeConfig();
      if (this.options.kubeconfig !== undefined) kubeConfig.loadFromFile(this.options.kubeconfig);
      else kubeConfig.loadFromDefault();
      this.kubernetes = withRequestDeadline(kubeConfig).makeApiClient(k8s.CoreV1Api);
    }
    return deliveries.map((delivery) =>
      createDestination(delivery, {
        mode,
        ...(this.secretsManager !== undefined ? { secretsManager: this.secretsManager } : {}),
        ...(this.kubernetes !== undefined ? { kubernetes: this.kubernetes } : {}),
        ...(this.options.awsRegion !== undefined ? { defaultRegion: this.options.awsRegion } : {}),
      }),
    );
  }

  /** Writes one secret version to every destination (staged everywhere, then promoted everywhere). */
  async deliver(deliveries: readonly Delivery[], mode: EnvironmentMode, version: SecretVersion): Promise<void> {
    const destinations = await this.destinations(deliveries, mode);
    if (destinations.length === 0) return;
    const { deliverAll } = await import('../../delivery/index.js');
    await deliverAll(destinations, version);
  }
}
