// Secret delivery: writing a key's secret versions to where workloads read them.
export type { SecretDestination, SecretVersion, DestinationState } from './destination.js';
export { DeliveryError, DELIVERY_ERRORS, type DeliveryErrorCode } from './errors.js';
export { deliver, deliverAll } from './deliver.js';
export {
  createDestination,
  secretsManagerClients,
  type DestinationContext,
  type SecretsManagerClientsOptions,
} from './create-destination.js';
export { AwsSecretsManagerDestination, type AwsSecretsManagerDestinationOptions } from './aws-secrets-manager.js';
export {
  KubernetesSecretDestination,
  VERSIONS_ANNOTATION,
  MANAGED_BY_LABEL,
  PENDING_SUFFIX,
  type KubernetesSecretDestinationOptions,
} from './kubernetes-secret.js';
export { FileDestination, PENDING_FILE_SUFFIX, META_FILE_SUFFIX, type FileDestinationOptions } from './file.js';
export { nodeFileIo, writeFileAtomic, type FileIo, type WritableFile } from './atomic-file.js';
export { versionToken, versionIdFromToken } from './version-token.js';
export { withRequestDeadline, DEFAULT_KUBE_REQUEST_TIMEOUT_MS } from './kube-request-deadline.js';
