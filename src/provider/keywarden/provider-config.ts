// The `provider "keywarden" {}` block: where the key service is, how to authenticate and trust
// it, and where delivery destinations are (AWS Secrets Manager endpoint and region, the
// kubeconfig). Turned into the data every resource and data source receives.
import { existsSync } from 'node:fs';
import type { KeywardenClient } from '../../client/index.js';
import { t, type Diagnostics, type Schema, type TfObject, type TfValue } from '../plugin/index.js';
import { DeliveryTargets } from './delivery-targets.js';
import { KeyReader } from './key-reader.js';

/** Environment variables read when the configuration leaves an attribute unset. */
export const ENVIRONMENT = {
  endpoint: 'KEYWARDEN_ENDPOINT',
  apiKey: 'KEYWARDEN_API_KEY',
} as const;

export const providerSchema: Schema = {
  description: 'Manages API keys in a Keywarden key service and delivers their secrets to where workloads read them.',
  attributes: {
    endpoint: {
      type: t.string,
      optional: true,
      description: 'Base URL of the key service, e.g. `https://keys.example.com`. Default: the `KEYWARDEN_ENDPOINT` environment variable.',
    },
    api_key: {
      type: t.string,
      optional: true,
      sensitive: true,
      description: 'Key the provider authenticates with (scopes `keys:read`, `keys:write`, `keys:rotate`). Default: the `KEYWARDEN_API_KEY` environment variable.',
    },
    ca_file: { type: t.string, optional: true, description: 'PEM file of the CA that signed the key service\'s certificate. Default: the system CAs.' },
    insecure: { type: t.bool, optional: true, description: 'Skip TLS certificate verification. Development only. Default: `false`.' },
    retries: {
      type: t.number,
      optional: true,
      description: 'Retries of a request the key service answered 429 or 503 (or that failed on the network, for idempotent requests), with exponential backoff and `Retry-After`. Default: `2`.',
    },
    timeout_seconds: { type: t.number, optional: true, description: 'Per-attempt timeout of a key service request, in seconds. Default: `10`.' },
    aws_region: { type: t.string, optional: true, description: 'AWS region of `aws_secrets_manager` deliveries that name none. Default: the AWS SDK\'s (`AWS_REGION`, ...).' },
    aws_endpoint: {
      type: t.string,
      optional: true,
      description: 'Secrets Manager endpoint override (a VPC endpoint, or a local test server). Credentials come from the AWS SDK\'s default chain.',
    },
    kubeconfig: {
      type: t.string,
      optional: true,
      description: 'Kubeconfig file for `kubernetes_secret` deliveries. Default: `KUBECONFIG`, `~/.kube/config`, or the in-cluster service account.',
    },
  },
};

/** What resources and data sources receive from the configured provider. */
export interface KeywardenProviderData {
  readonly client: KeywardenClient;
  /** Reads keys for refreshes (many reads at once share one listing); invalidate after changing a key. */
  readonly keys: KeyReader;
  readonly endpoint: string;
  readonly delivery: DeliveryTargets;
}

const text = (value: TfValue | undefined): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const num = (value: TfValue | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Builds the provider data from the configuration and environment; reports every problem with
 * its attribute. The client is imported here, not at module level: provider processes that
 * Terraform starts only to validate or read schemas never load its HTTP stack.
 */
export async function configureProvider(config: TfObject, diagnostics: Diagnostics, env: NodeJS.ProcessEnv = process.env): Promise<KeywardenProviderData | undefined> {
  const endpoint = text(config.endpoint) ?? text(env[ENVIRONMENT.endpoint]);
  const apiKey = text(config.api_key) ?? text(env[ENVIRONMENT.apiKey]);
  if (endpoint === undefined) {
    diagnostics.error('Missing key service endpoint', `Set endpoint in the provider block or the ${ENVIRONMENT.endpoint} environment variable.`, ['endpoint']);
  } else {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      diagnostics.error('Invalid endpoint', `Expected an http:// or https:// URL such as https://keys.example.com, got "${endpoint}".`, ['endpoint']);
    }
  }
  if (apiKey === undefined) {
    diagnostics.error('Missing API key', `Set api_key in the provider block or the ${ENVIRONMENT.apiKey} environment variable.`, ['api_key']);
  }
  const retries = num(config.retries);
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 10)) {
    diagnostics.error('Invalid retries', `Expected a whole number from 0 to 10, got ${retries}.`, ['retries']);
  }
  const timeoutSeconds = num(config.timeout_seconds);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0 && timeoutSeconds <= 600)) {
    diagnostics.error('Invalid timeout_seconds', `Expected a number of seconds above 0 and at most 600, got ${timeoutSeconds}.`, ['timeout_seconds']);
  }
  const caFile = text(config.ca_file);
  if (caFile !== undefined && !existsSync(caFile)) {
    diagnostics.error('CA file not found', `ca_file names "${caFile}", which does not exist. Give the PEM file of the CA that signed the key service's certificate.`, ['ca_file']);
  }
  if (diagnostics.hasErrors() || endpoint === undefined || apiKey === undefined) return undefined;
  const { KeywardenClient } = await import('../../client/index.js');
  const client = new KeywardenClient({
    endpoint,
    apiKey,
    userAgent: 'terraform-provider-keywarden/0.1',
    ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
    ...(retries !== undefined ? { retry: { retries } } : {}),
    tls: { ...(caFile !== undefined ? { caFile } : {}), insecureSkipVerify: config.insecure === true },
  });
  const awsRegion = text(config.aws_region);
  const awsEndpoint = text(config.aws_endpoint);
  const kubeconfig = text(config.kubeconfig);
  const delivery = new DeliveryTargets({
    ...(awsRegion !== undefined ? { awsRegion } : {}),
    ...(awsEndpoint !== undefined ? { awsEndpoint } : {}),
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
  });
  return { client, keys: new KeyReader(client), endpoint, delivery };
}
