// The operator: informers for ApiKeys and KeywardenPolicies feeding a rate-limited work queue,
// workers running the ApiKey reconciler, and leader election so that of several replicas only
// the leader acts (the others keep their caches warm and take over when the Lease frees).
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pino, type Logger } from 'pino';
import { KeywardenClient, type RetryOptions, type TlsOptions } from '../client/index.js';
import { DEFAULT_KUBE_REQUEST_TIMEOUT_MS, secretsManagerClients, withRequestDeadline, type SecretsManagerClientsOptions } from '../delivery/index.js';
import { GROUP, VERSION } from './crds.js';
import { ApiKeyReconciler } from './controller/api-key-reconciler.js';
import { resourceKey, type DeletionPolicy } from './controller/api-key-resource.js';
import { clusterPolicy, type PolicyObject } from './controller/cluster-policy.js';
import { EventRecorder } from './controller/event-recorder.js';
import { OperatorHalted } from './controller/operator-halted.js';
import { reconcilePolicyStatus } from './controller/policy-status.js';
import { RestartingInformer } from './controller/restarting-informer.js';
import { WorkloadRestarter } from './controller/workload-restarter.js';
import type { StepEvent } from './controller/rotation-runner.js';
import { LeaderElector } from './leader-election.js';
import { OperatorMetrics } from './operator-metrics.js';
import { WorkQueue } from './work-queue.js';

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Deadline of each Kubernetes API request (not watches), in ms. @default 30000 */
  readonly kubeRequestTimeoutMs?: number;
  /** The key service and the operator's management key (scopes to read, create, update, rotate and revoke keys). */
  readonly keyService: { readonly endpoint: string; readonly apiKey: string; readonly tls?: TlsOptions; readonly retry?: RetryOptions; readonly timeoutMs?: number };
  /** Namespaces whose ApiKeys are watched. @default all */
  readonly namespaces?: readonly string[];
  /** This replica's name (the pod name); the Lease holder and the Events' reportingInstance. */
  readonly identity: string;
  /** Leader election on a Lease; false: this replica always acts. @default false */
  readonly leaderElection?:
    | false
    | {
        readonly leaseNamespace: string;
        /** @default 'keywarden-operator' */
        readonly leaseName?: string;
        /** @default 15 */
        readonly leaseDurationSeconds?: number;
        /** @default 10 */
        readonly renewDeadlineSeconds?: number;
        /** @default 2 */
        readonly retryPeriodSeconds?: number;
      };
  /** Secrets Manager clients (endpoint override, credentials, default region, SDK attempts). @default the SDK's defaults */
  readonly aws?: SecretsManagerClientsOptions;
  /** The cluster's project file as YAML text (environments, naming, integrators, scope catalogs). @default the built-in defaults */
  readonly project?: string;
  /** What deleting an ApiKey does to its keys when its keywarden.dev/deletion-policy annotation does not say. @default 'Retain' */
  readonly defaultDeletionPolicy?: DeletionPolicy;
  /** No version stays current longer than this, in seconds, whatever the schedule. @default none */
  readonly maxKeyLifetimeSeconds?: number;
  /** Every time decision (schedules, status, Events, the Lease). @default () => new Date() */
  readonly clock?: () => Date;
  /** JSON logs (never a secret). @default silent */
  readonly logger?: Logger;
  /** @default new OperatorMetrics({ defaultMetrics: false }) */
  readonly metrics?: OperatorMetrics;
  /** Every ApiKey is reconciled again this often, in seconds (fractions allowed). @default 300 */
  readonly resyncSeconds?: number;
  /** Reconciles running at once. @default 4 */
  readonly workers?: number;
  /** Told after each rotation step was executed and after each state was persisted (tests use it to crash at a step). */
  readonly onStep?: (event: StepEvent) => void | Promise<void>;
  /** Restart delays of a failed informer, in ms. @default { baseDelayMs: 200, maxDelayMs: 30000 } */
  readonly informerBackoff?: { readonly baseDelayMs?: number; readonly maxDelayMs?: number };
}

export interface Operator {
  /** Starts the informers (and the election); resolves once every informer has listed. Does not wait for leadership. */
  start(): Promise<void>;
  /** Graceful: lets running reconciles finish, releases the Lease, stops informers, timers and clients. */
  stop(): Promise<void>;
  /**
   * A crash: from now on nothing is written (key service, destinations, status, Events); the
   * Lease is not released; informers, timers and clients are closed so nothing stays running.
   */
  abandon(): Promise<void>;
  /** Queues every known ApiKey now (tests that move the clock call it). */
  resyncNow(): void;
  /** Resolves once no ApiKey is queued or being reconciled (scheduled wake-ups do not count). */
  idle(): Promise<void>;
  readonly isLeader: boolean;
  /**
   * The cluster's policy as the controller applies it: every KeywardenPolicy combined (by name:
   * packs, custom rules and exceptions concatenated, rule settings overridden), or undefined
   * when there is none. Kept current on every replica (the webhook uses it).
   */
  readonly policy: Record<string, unknown> | undefined;
  /** Every informer has listed (for /readyz). */
  readonly ready: boolean;
  /** Started and not stopped or abandoned (for /healthz). */
  readonly healthy: boolean;
  readonly metrics: OperatorMetrics;
}

type ApiKeyObject = KubernetesObject;

/** Work-queue keys of KeywardenPolicies (ApiKeys are `namespace/name`). */
const POLICY_KEY_PREFIX = 'keywardenpolicy:';

/**
 * What of an ApiKey, besides its status, the reconcile acts on. Finalizers are left out: the
 * reconcile adds its own and goes on in the same pass (a finalizer removed by hand comes back
 * at the next resync).
 */
function desiredFingerprint(object: ApiKeyObject): string {
  const m = object.metadata ?? {};
  return JSON.stringify([m.generation, m.annotations ?? {}, m.labels ?? {}, m.deletionTimestamp ?? null]);
}

class KeywardenOperator implements Operator {
  readonly metrics: OperatorMetrics;
  private readonly options: OperatorOptions;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly client: KeywardenClient;
  private readonly secretsManager: ReturnType<typeof secretsManagerClients>;
  private readonly secretsManagerClients = new Set<SecretsManagerClient>();
  private readonly apiKeyInformers: RestartingInformer<ApiKeyObject>[] = [];
  private readonly policyInformer: RestartingInformer<PolicyObject>;
  private readonly reconciler: ApiKeyReconciler;
  private readonly elector: LeaderElector | undefined;
  private leading = false;
  private started = false;
  private stopped = false;
  private halted = false;
  private synced = false;
  private workers: Promise<void>[] = [];
  /** Reconciles running now: key → start (`performance.now()`). A key is never processed twice at once. */
  private readonly running = new Map<string, number>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private currentPolicy: Record<string, unknown> | undefined;
  private readonly reconcilePolicy: (name: string) => Promise<void>;
  /** Throws before a write when this replica may not act (not the leader, or abandoned). */
  private readonly guard = (): void => {
    if (this.halted) throw new OperatorHalted('the operator was abandoned');
    if (!this.leading) throw new OperatorHalted('this replica is not the leader');
  };
  /** Per ApiKey, the fingerprint of the last update that was queued. */
  private readonly seen = new Map<string, string>();

  constructor(options: OperatorOptions) {
    this.options = options;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.metrics = options.metrics ?? new OperatorMetrics({ defaultMetrics: false });
    this.metrics.observeWork(() => ({ runningSinceMs: [...this.running.values()] }));
    this.queue = new WorkQueue();
    const kc = options.kubeConfig;
    // API clients with a deadline on every request (the informers' watches have none).
    const api = withRequestDeadline(kc, options.kubeRequestTimeoutMs ?? DEFAULT_KUBE_REQUEST_TIMEOUT_MS);
    const custom = api.makeApiClient(CustomObjectsApi);
    const core = api.makeApiClient(CoreV1Api);
    this.client = new KeywardenClient({
      endpoint: options.keyService.endpoint,
      apiKey: options.keyService.apiKey,
      ...(options.keyService.tls !== undefined ? { tls: options.keyService.tls } : {}),
      ...(options.keyService.retry !== undefined ? { retry: options.keyService.retry } : {}),
      ...(options.keyService.timeoutMs !== undefined ? { timeoutMs: options.keyService.timeoutMs } : {}),
      userAgent: 'keywarden-operator',
    });
    const clients = secretsManagerClients(options.aws ?? {});
    this.secretsManager = (region) => {
      const client = clients(region);
      this.secretsManagerClients.add(client);
      return client;
    };
    const backoff = options.informerBackoff ?? {};
    const onError = (what: string) => (err: unknown, restartInMs: number): void => {
      this.logger.warn({ informer: what, err: err instanceof Error ? err.message : String(err), restartInMs }, 'informer failed; restarting');
    };
    const namespaces = options.namespaces !== undefined && options.namespaces.length > 0 ? options.namespaces : [undefined];
    for (const namespace of namespaces) {
      const informer = new RestartingInformer<ApiKeyObject>({
        kubeConfig: kc,
        path: namespace === undefined ? `/apis/${GROUP}/${VERSION}/apikeys` : `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/apikeys`,
        list: async () =>
          (namespace === undefined
            ? await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'apikeys' })
            : await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'apikeys' })) as KubernetesListObject<ApiKeyObject>,
        ...backoff,
        onError: onError(`apikeys${namespace === undefined ? '' : `:${namespace}`}`),
      });
      const enqueue = (object: ApiKeyObject): void => this.queue.add(resourceKey(object));
      informer.on('add', (object) => {
        this.seen.set(resourceKey(object), desiredFingerprint(object));
        enqueue(object);
      });
      // Our own status writes come back as updates; only what the reconcile reads from the
      // object itself is worth a new look (the resync covers the rest).
      informer.on('update', (object) => {
        const key = resourceKey(object);
        const seen = desiredFingerprint(object);
        if (this.seen.get(key) === seen) return;
        this.seen.set(key, seen);
        this.queue.add(key);
      });
      informer.on('delete', (object) => {
        this.seen.delete(resourceKey(object));
        enqueue(object);
      });
      this.apiKeyInformers.push(informer);
    }
    this.policyInformer = new RestartingInformer<PolicyObject>({
      kubeConfig: kc,
      path: `/apis/${GROUP}/${VERSION}/keywardenpolicies`,
      list: async () => (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'keywardenpolicies' })) as KubernetesListObject<PolicyObject>,
      ...backoff,
      onError: onError('keywardenpolicies'),
    });
    const policyChanged = (object: PolicyObject): void => {
      this.currentPolicy = clusterPolicy(this.policyInformer.list());
      this.queue.add(`${POLICY_KEY_PREFIX}${object.metadata?.name ?? ''}`);
      if (this.synced) this.resyncNow();
    };
    this.policyInformer.on('add', policyChanged);
    this.policyInformer.on('update', policyChanged);
    this.policyInformer.on('delete', policyChanged);
    this.reconcilePolicy = (name) =>
      reconcilePolicyStatus({ api: custom, name, ...(options.project !== undefined ? { project: options.project } : {}), now: this.clock(), guard: this.guard });

    const guard = this.guard;
    this.reconciler = new ApiKeyReconciler({
      custom,
      core,
      client: this.client,
      secretsManager: this.secretsManager,
      events: new EventRecorder({ api: core, instance: options.identity, clock: this.clock }),
      restarter: new WorkloadRestarter(api.makeApiClient(AppsV1Api), guard),
      metrics: this.metrics,
      logger: this.logger,
      clock: this.clock,
      ...(options.project !== undefined ? { project: options.project } : {}),
      policy: () => this.currentPolicy,
      defaultDeletionPolicy: options.defaultDeletionPolicy ?? 'Retain',
      ...(options.maxKeyLifetimeSeconds !== undefined ? { maxKeyLifetimeSeconds: options.maxKeyLifetimeSeconds } : {}),
      guard,
      ...(options.onStep !== undefined ? { onStep: options.onStep } : {}),
    });
    const election = options.leaderElection;
    if (election !== undefined && election !== false) {
      this.elector = new LeaderElector({
        api: api.makeApiClient(CoordinationV1Api),
        namespace: election.leaseNamespace,
        ...(election.leaseName !== undefined ? { name: election.leaseName } : {}),
        identity: options.identity,
        ...(election.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: election.leaseDurationSeconds } : {}),
        ...(election.renewDeadlineSeconds !== undefined ? { renewDeadlineMs: election.renewDeadlineSeconds * 1000 } : {}),
        ...(election.retryPeriodSeconds !== undefined ? { retryPeriodMs: election.retryPeriodSeconds * 1000 } : {}),
        now: this.clock,
        onStartedLeading: () => this.startedLeading(),
        onStoppedLeading: () => this.stoppedLeading(),
      });
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  get policy(): Record<string, unknown> | undefined {
    return this.currentPolicy;
  }

  get ready(): boolean {
    return this.synced && !this.stopped;
  }

  get healthy(): boolean {
    return this.started && !this.stopped;
  }

  private startedLeading(): void {
    if (this.halted || this.stopped) return;
    this.leading = true;
    this.metrics.leader.set(1);
    this.logger.info({ identity: this.options.identity }, 'leading');
    this.resyncNow();
  }

  private stoppedLeading(): void {
    if (!this.leading) return;
    this.leading = false;
    this.metrics.leader.set(0);
    this.logger.info({ identity: this.options.identity }, 'stopped leading');
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const workers = Math.max(1, this.options.workers ?? 4);
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
    await Promise.all([this.policyInformer.start(), ...this.apiKeyInformers.map((i) => i.start())]);
    if (this.stopped) return;
    this.currentPolicy = clusterPolicy(this.policyInformer.list());
    this.synced = true;
    const resyncMs = Math.max(1, (this.options.resyncSeconds ?? 300) * 1000);
    this.resyncTimer = setInterval(() => this.resyncNow(), resyncMs);
    if (this.elector === undefined) this.startedLeading();
    else this.elector.start();
  }

  resyncNow(): void {
    if (this.stopped) return;
    for (const informer of this.apiKeyInformers) for (const object of informer.list()) this.queue.add(resourceKey(object));
    for (const object of this.policyInformer.list()) this.queue.add(`${POLICY_KEY_PREFIX}${object.metadata?.name ?? ''}`);
  }

  async idle(): Promise<void> {
    for (;;) {
      if (this.stopped || (this.queue.length === 0 && this.queue.processingCount === 0 && this.running.size === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.metrics.queueDepth.set(this.queue.length);
      if (!this.leading || this.halted) {
        this.queue.done(key);
        continue;
      }
      const began = performance.now();
      this.running.set(key, began);
      const controller = key.startsWith(POLICY_KEY_PREFIX) ? 'policy' : 'apikey';
      let result: 'success' | 'error' = 'success';
      try {
        if (key.startsWith(POLICY_KEY_PREFIX)) await this.reconcilePolicy(key.slice(POLICY_KEY_PREFIX.length));
        else {
          const result = await this.reconciler.reconcile(key);
          if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
        }
        this.logger.debug({ resource: key, ms: Math.round(performance.now() - began) }, 'reconciled');
        this.queue.forget(key);
      } catch (err) {
        if (!(err instanceof OperatorHalted)) {
          result = 'error';
          this.metrics.reconcileErrors.inc({ controller });
          this.logger.warn({ resource: key, err: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : 'unknown error' }, 'reconcile failed; retrying with backoff');
          this.queue.addRateLimited(key);
        }
      } finally {
        this.running.delete(key);
        this.metrics.reconcileDuration.observe({ controller, result }, (performance.now() - began) / 1000);
        this.queue.done(key);
      }
    }
  }

  private async shutDown(release: boolean): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    this.queue.shutDown();
    if (!release) this.halted = true;
    await Promise.all(this.workers);
    if (this.elector !== undefined) await this.elector.stop({ release });
    this.stoppedLeading();
    await Promise.all([this.policyInformer.stop(), ...this.apiKeyInformers.map((i) => i.stop())]);
    await this.client.close();
    for (const client of this.secretsManagerClients) client.destroy();
  }

  stop(): Promise<void> {
    return this.shutDown(true);
  }

  abandon(): Promise<void> {
    this.halted = true;
    return this.shutDown(false);
  }
}

/** Builds an operator; nothing runs until start(). */
export function createOperator(options: OperatorOptions): Operator {
  return new KeywardenOperator(options);
}
