// The world the controller tests run in: the in-test Kubernetes API server (with the two CRDs),
// the in-test Secrets Manager, a real key service (SQLite, in process), an admin client, and
// operators built on them through the real client libraries with a controllable clock.
import { afterAll, beforeAll } from '@jest/globals';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type CoreV1Event } from '@kubernetes/client-node';
import { KeywardenClient } from '../../../src/client/index.js';
import { apiKeyCrd, createOperator, policyCrd, type ApiKeyStatus, type Operator, type OperatorOptions } from '../../../src/operator/index.js';
import { startInProcessService, type InProcessService } from '../../client/in-process-service.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager.js';

export const NAMESPACE = 'orders';
const group = 'keywarden.dev';
const version = 'v1alpha1';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ApiKeyObject {
  metadata: { name: string; namespace: string; uid: string; generation: number; finalizers?: string[]; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status?: ApiKeyStatus;
}

/** Polls until `check` holds (or throws after ~10 s of real time). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, tries = 1000): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
}

/** A production ApiKey spec that passes the default policy, delivering to a Secret and a Secrets Manager secret. */
export function compliantSpec(integration: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    integration,
    service: 'billing',
    owner: 'payments@example.com',
    scopes: ['invoices:read'],
    rateLimit: { requests: 100, per: '1m' },
    expiresAfter: '365d',
    rotation: { every: '30d', overlap: '1h' },
    environments: {
      production: {
        allowedCidrs: ['10.20.0.0/16'],
        delivery: [{ kubernetesSecret: { namespace: NAMESPACE, name: `${integration}-key`, key: 'API_KEY' } }, { awsSecretsManager: { name: `prod/${integration}` } }],
      },
    },
    ...overrides,
  };
}

export class World {
  kube!: FakeKubeApiServer;
  sm!: FakeSecretsManager;
  service!: InProcessService;
  admin!: KeywardenClient;
  custom!: CustomObjectsApi;
  core!: CoreV1Api;
  smClient!: SecretsManagerClient;
  /** The operators' clock; tests move it forward. */
  now = new Date('2026-03-01T00:00:00Z');
  private readonly operators: Operator[] = [];

  async start(): Promise<this> {
    [this.kube, this.sm, this.service] = await Promise.all([startFakeKubeApiServer(), startFakeSecretsManager(), startInProcessService()]);
    this.kube.store.create('apiextensions.k8s.io', 'customresourcedefinitions', undefined, apiKeyCrd());
    this.kube.store.create('apiextensions.k8s.io', 'customresourcedefinitions', undefined, policyCrd());
    const kc = this.kube.kubeConfig();
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.admin = new KeywardenClient({ endpoint: this.service.url, apiKey: this.service.adminKey, retry: { retries: 0 } });
    this.smClient = new SecretsManagerClient(this.sm.clientConfig());
    return this;
  }

  /** Stops every operator made so far (also after a failed test, so none acts in the next one). */
  async stopOperators(): Promise<void> {
    for (const operator of this.operators.splice(0)) await operator.stop();
  }

  async stop(): Promise<void> {
    await this.stopOperators();
    this.smClient.destroy();
    await this.admin.close();
    await Promise.all([this.kube.stop(), this.sm.stop(), this.service.stop()]);
  }

  /** An operator on this world (stopped by stop()). */
  operator(overrides: Partial<OperatorOptions> = {}): Operator {
    const config = this.sm.clientConfig();
    const operator = createOperator({
      kubeConfig: this.kube.kubeConfig(),
      keyService: { endpoint: this.service.url, apiKey: this.service.adminKey, retry: { retries: 0 } },
      identity: `operator-${this.operators.length}`,
      aws: { endpoint: config.endpoint, defaultRegion: config.region, credentials: config.credentials, maxAttempts: 1 },
      clock: () => this.now,
      resyncSeconds: 3600,
      informerBackoff: { baseDelayMs: 5, maxDelayMs: 50 },
      ...overrides,
    });
    this.operators.push(operator);
    return operator;
  }

  /** Moves the clock and has the operator look at every ApiKey again. */
  async advance(operator: Operator, seconds: number): Promise<void> {
    this.now = new Date(this.now.getTime() + seconds * 1000);
    operator.resyncNow();
    await operator.idle();
  }

  async createApiKey(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<ApiKeyObject> {
    return (await this.custom.createNamespacedCustomObject({
      group,
      version,
      namespace: NAMESPACE,
      plural: 'apikeys',
      body: { apiVersion: `${group}/${version}`, kind: 'ApiKey', metadata: { name, namespace: NAMESPACE, ...(annotations ? { annotations } : {}) }, spec },
    })) as ApiKeyObject;
  }

  async annotate(name: string, annotations: Record<string, string | null>): Promise<void> {
    await this.custom.patchNamespacedCustomObject({ group, version, namespace: NAMESPACE, plural: 'apikeys', name, body: { metadata: { annotations } } }, merge);
  }

  async getApiKey(name: string): Promise<ApiKeyObject | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group, version, namespace: NAMESPACE, plural: 'apikeys', name })) as ApiKeyObject;
    } catch {
      return undefined;
    }
  }

  async deleteApiKey(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ group, version, namespace: NAMESPACE, plural: 'apikeys', name });
  }

  /** The ApiKey once its Ready condition is True. */
  async ready(name: string): Promise<ApiKeyObject> {
    return eventually(async () => {
      const o = await this.getApiKey(name);
      return o?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? o : undefined;
    }, `${name} Ready`);
  }

  /** The status condition of a type. */
  async condition(name: string, type: string): Promise<{ status: string; reason: string; message: string } | undefined> {
    const object = await this.getApiKey(name);
    return object?.status?.conditions?.find((c) => c.type === type);
  }

  async events(name: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({ namespace: NAMESPACE });
    return list.items.filter((e) => e.involvedObject.name === name);
  }

  /** What consumers read now: the Kubernetes Secret's key and AWSCURRENT. */
  async consumerSecrets(integration: string): Promise<string[]> {
    const secret = await this.core.readNamespacedSecret({ namespace: NAMESPACE, name: `${integration}-key` });
    const aws = await this.smClient.send(new GetSecretValueCommand({ SecretId: `prod/${integration}` }));
    return [Buffer.from(secret.data!.API_KEY!, 'base64').toString('utf8'), aws.SecretString!];
  }

  async createPolicy(name: string, spec: Record<string, unknown>): Promise<void> {
    await this.custom.createClusterCustomObject({ group, version, plural: 'keywardenpolicies', body: { apiVersion: `${group}/${version}`, kind: 'KeywardenPolicy', metadata: { name }, spec } });
  }
}

/** A World with one started operator around the tests of a describe block (stopped after them). */
export function useWorld(options: Partial<OperatorOptions> = {}): { readonly world: World; readonly operator: Operator } {
  const context = {} as { world: World; operator: Operator };
  beforeAll(async () => {
    context.world = await new World().start();
    context.operator = context.world.operator(options);
    await context.operator.start();
  });
  afterAll(async () => {
    await context.world?.stop();
  });
  return context;
}
