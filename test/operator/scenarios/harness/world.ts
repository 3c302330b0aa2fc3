// Everything an operator scenario runs against, on loopback, sharing one TestClock: the fake
// Kubernetes API server with the generated CRDs installed through the real client, the fake
// Secrets Manager, a REAL key service (in process, SQLite), the FaultPlan and the Timeline.
// Operators reach the servers only through an Incarnation (its proxies); the scenario itself
// and the consumers use the servers directly.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { KeywardenClient } from '../../../../src/client/index.js';
import { apiKeyCrd, GROUP, policyCrd, VERSION } from '../../../../src/operator/crds.js';
import { startInProcessService, type InProcessService } from '../../../client/in-process-service.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../../support/fake-kube-apiserver.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../../../support/fake-secrets-manager.js';
import { Consumers, type ConsumerTarget } from './consumers.js';
import { FaultPlan } from './fault-plan.js';
import { Incarnation } from './incarnation.js';
import { TestClock } from './test-clock.js';
import { Timeline } from './timeline.js';

export const APIKEY_PLURAL = 'apikeys';
/** The network scenario keys allow, and the address consumers call from. */
export const CONSUMER_NETWORK = '10.20.0.0/16';
export const CONSUMER_IP = '10.20.0.7';

/** One delivery of a scenario key: a Kubernetes Secret data key and/or a Secrets Manager secret. */
export interface ScenarioDelivery {
  readonly kubernetesSecret?: { readonly namespace: string; readonly name: string; readonly key: string };
  readonly awsSecretsManager?: { readonly name: string };
}

export interface ApiKeyManifestOptions {
  readonly name: string;
  readonly namespace: string;
  /** Environment the key lives in. ['production'] */
  readonly environment?: string;
  readonly delivery: ScenarioDelivery;
  /** The spec's rotation block. [{ every: '30d', overlap: '1h' }] */
  readonly rotation?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Extra spec fields (merged over the defaults). */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** An ApiKey custom resource as a GitOps tool would apply it. */
export function apiKeyManifest(options: ApiKeyManifestOptions): Record<string, unknown> {
  const delivery = [
    ...(options.delivery.awsSecretsManager !== undefined ? [{ awsSecretsManager: options.delivery.awsSecretsManager }] : []),
    ...(options.delivery.kubernetesSecret !== undefined ? [{ kubernetesSecret: options.delivery.kubernetesSecret }] : []),
  ];
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'ApiKey',
    metadata: { name: options.name, namespace: options.namespace, ...(options.annotations !== undefined ? { annotations: { ...options.annotations } } : {}) },
    spec: {
      integration: options.name,
      service: 'billing',
      owner: 'payments-team@example.com',
      scopes: ['invoices:read'],
      rateLimit: { requests: 1_000_000, per: '1h' },
      expiresAfter: '365d',
      rotation: options.rotation ?? { every: '30d', overlap: '1h' },
      environments: { [options.environment ?? 'production']: { allowedCidrs: [CONSUMER_NETWORK], delivery } },
      ...options.spec,
    },
  };
}

/** The consumer targets of a delivery. */
export function targetsOf(delivery: ScenarioDelivery): ConsumerTarget[] {
  return [
    ...(delivery.kubernetesSecret !== undefined ? [{ kind: 'kubernetesSecret' as const, ...delivery.kubernetesSecret }] : []),
    ...(delivery.awsSecretsManager !== undefined ? [{ kind: 'awsSecretsManager' as const, ...delivery.awsSecretsManager }] : []),
  ];
}

/** Destination descriptions as the delivery module and the Timeline name them. */
export function destinationsOf(delivery: ScenarioDelivery): string[] {
  return [
    ...(delivery.kubernetesSecret !== undefined
      ? [`kubernetes-secret:${delivery.kubernetesSecret.namespace}/${delivery.kubernetesSecret.name}#${delivery.kubernetesSecret.key}`]
      : []),
    ...(delivery.awsSecretsManager !== undefined ? [`aws-secrets-manager:${delivery.awsSecretsManager.name}`] : []),
  ];
}

export interface WorldOptions {
  /** Start of the test clock. ['2026-06-01T00:00:00Z'] */
  readonly start?: string;
  /** Key-service options (e.g. verifyCacheTtlMs). */
  readonly keyService?: Parameters<typeof startInProcessService>[0];
}

export class World {
  readonly plan = new FaultPlan();
  readonly timeline = new Timeline();
  readonly incarnations: Incarnation[] = [];
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  /** The key-service client of the scenario itself (the admin key, no retries). */
  readonly admin: KeywardenClient;
  /** A Secrets Manager client straight to the fake. */
  readonly secretsManager: SecretsManagerClient;
  private readonly consumerSets: Consumers[] = [];
  private readonly stopHooks: Array<() => Promise<void>> = [];

  private constructor(
    readonly clock: TestClock,
    readonly service: InProcessService,
    readonly kube: FakeKubeApiServer,
    readonly sm: FakeSecretsManager,
  ) {
    const kc = kube.kubeConfig();
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.admin = new KeywardenClient({ endpoint: service.url, apiKey: service.adminKey, retry: { retries: 0 } });
    this.secretsManager = new SecretsManagerClient(sm.clientConfig());
    this.timeline.watchSecrets(kube);
    this.timeline.watchSecretsManager(sm);
  }

  static async start(options: WorldOptions = {}): Promise<World> {
    const clock = new TestClock(options.start);
    const [service, kube, sm] = await Promise.all([
      startInProcessService({ clock: clock.ms, logLevel: 'warn', ...options.keyService }),
      startFakeKubeApiServer({ now: clock.now }),
      startFakeSecretsManager({ now: clock.ms }),
    ]);
    const world = new World(clock, service, kube, sm);
    try {
      const extensions = kube.kubeConfig().makeApiClient(ApiextensionsV1Api);
      await extensions.createCustomResourceDefinition({ body: apiKeyCrd() as unknown as V1CustomResourceDefinition });
      await extensions.createCustomResourceDefinition({ body: policyCrd() as unknown as V1CustomResourceDefinition });
    } catch (err) {
      await world.stop();
      throw err;
    }
    return world;
  }

  /** The key service's operator credentials (the bootstrapped admin key: every management scope). */
  get operatorApiKey(): string {
    return this.service.adminKey;
  }

  /** A new operator life: proxies in front of the three servers, numbered from 1. */
  async incarnation(): Promise<Incarnation> {
    const life = await Incarnation.start(
      this.incarnations.length + 1,
      { kube: this.kube.url, keyservice: this.service.url, secretsmanager: this.sm.endpoint },
      this.plan,
      this.timeline,
    );
    this.incarnations.push(life);
    return life;
  }

  /** A KubeConfig that reaches the fake API server through an incarnation's proxy. */
  kubeConfigFor(life: Incarnation): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: life.urls.kube, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kc;
  }

  async applyApiKey(manifest: Record<string, unknown>): Promise<void> {
    const metadata = manifest.metadata as { namespace: string };
    await this.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: metadata.namespace, plural: APIKEY_PLURAL, body: manifest });
  }

  async getApiKey(namespace: string, name: string): Promise<ApiKeyResource> {
    return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: APIKEY_PLURAL, name })) as ApiKeyResource;
  }

  /** Merges annotations into an ApiKey (e.g. keywarden.dev/rotate-now). */
  async annotate(namespace: string, name: string, annotations: Readonly<Record<string, string>>): Promise<void> {
    const current = await this.getApiKey(namespace, name);
    const body = { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, ...annotations } } };
    await this.custom.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: APIKEY_PLURAL, name, body });
  }

  /** Events in a namespace (core/v1 and events.k8s.io/v1), oldest first, as plain objects. */
  events(namespace: string): Array<Record<string, unknown>> {
    return [...this.kube.store.list('', 'events', namespace), ...this.kube.store.list('events.k8s.io', 'events', namespace)];
  }

  consumers(targets: readonly ConsumerTarget[], concurrency?: number): Consumers {
    const set = new Consumers({
      core: this.core,
      secretsManager: this.secretsManager,
      verifier: this.admin,
      targets,
      ip: CONSUMER_IP,
      ...(concurrency !== undefined ? { concurrency } : {}),
    });
    this.consumerSets.push(set);
    return set;
  }

  /**
   * Waits (in real time, yielding to the event loop) until `condition` holds; fails after
   * `maxRounds` polls with what `describe` says. Not a timing assertion: a bound on a hang.
   */
  async until(condition: () => boolean | Promise<boolean>, describe: () => string | Promise<string>, maxRounds = 3000, pollMs = 5): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`condition not reached: ${await describe()}`);
  }

  /** Runs `hook` at the start of stop() (e.g. abandon an operator). */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumerSets.map((c) => c.stop()));
    for (const hook of this.stopHooks.splice(0)) await hook();
    for (const life of this.incarnations) life.crash('end of test');
    await Promise.all(this.incarnations.map((l) => l.close()));
    this.timeline.stop();
    this.secretsManager.destroy();
    await this.admin.close();
    await Promise.all([this.service.stop(), this.kube.stop(), this.sm.stop()]);
  }
}

/** An ApiKey resource as read back (the fields scenarios look at). */
export interface ApiKeyResource {
  readonly metadata: { name: string; namespace: string; annotations?: Record<string, string>; finalizers?: string[]; generation?: number };
  readonly spec: Record<string, unknown>;
  readonly status?: {
    readonly conditions?: ReadonlyArray<{ type: string; status: string; reason?: string; message?: string }>;
    readonly environments?: Readonly<Record<string, { keyId?: string; rotation?: Record<string, unknown> & { phase?: string; currentVersion?: string } }>>;
  } & Record<string, unknown>;
}
