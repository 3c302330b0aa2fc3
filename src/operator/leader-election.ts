// Leader election on a coordination.k8s.io/v1 Lease (the client library has none), following
// client-go's leaderelection: a candidate takes the Lease when it is free or its holder has not
// renewed within leaseDurationSeconds; the leader renews every retryPeriod and steps down when
// it could not renew for renewDeadline. Writes are optimistic (resourceVersion), so two
// candidates never both win the same round.
import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';

export interface LeaderElectionOptions {
  readonly api: CoordinationV1Api;
  /** Namespace of the Lease (the operator's own). */
  readonly namespace: string;
  /** @default 'keywarden-operator' */
  readonly name?: string;
  /** This replica's identity, e.g. the pod name. */
  readonly identity: string;
  /** @default 15 */
  readonly leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it steps down, in ms. @default 10000 */
  readonly renewDeadlineMs?: number;
  /** Pause between attempts, in ms. @default 2000 */
  readonly retryPeriodMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
}

const isStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  private leading = false;
  private lastRenew = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get name(): string {
    return this.options.name ?? 'keywarden-operator';
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /**
   * One attempt to take or renew the Lease; true when this replica holds it afterwards.
   * Never throws for API errors (a failed attempt is false). `now` is the renewTime written.
   */
  async tryAcquireOrRenew(now: Date = this.now()): Promise<boolean> {
    const { api, namespace, identity } = this.options;
    const duration = this.options.leaseDurationSeconds ?? 15;
    try {
      let lease: V1Lease;
      try {
        lease = await api.readNamespacedLease({ namespace, name: this.name });
      } catch (err) {
        if (!isStatus(err, 404)) return false;
        await api.createNamespacedLease({
          namespace,
          body: { metadata: { name: this.name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
      const expired = renewed + (spec.leaseDurationSeconds ?? duration) * 1000 <= now.getTime();
      if (holder !== '' && holder !== identity && !expired) return false;
      const taking = holder !== identity;
      await api.replaceNamespacedLease({
        namespace,
        name: this.name,
        body: {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds: duration,
            renewTime: now,
            ...(taking ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === '' ? 0 : 1) } : {}),
          },
        },
      });
      return true;
    } catch {
      // 409 (another candidate wrote first), 5xx, network: this round is lost.
      return false;
    }
  }

  /** One round of the loop: acquire or renew, and report leadership changes. */
  async tick(): Promise<void> {
    // The other replicas count the lease from the renewTime written, not from when the answer
    // came back: the renew deadline counts from the same instant, so a slow renewal can never
    // make this replica believe it holds the lease longer than they do.
    const attempt = this.now();
    const held = await this.tryAcquireOrRenew(attempt);
    const now = this.now().getTime();
    if (held) {
      this.lastRenew = attempt.getTime();
      if (!this.leading) {
        this.leading = true;
        this.options.onStartedLeading?.();
      }
    } else if (this.leading && now - this.lastRenew >= (this.options.renewDeadlineMs ?? 10_000)) {
      this.leading = false;
      this.options.onStoppedLeading?.();
    }
  }

  /** Runs rounds every retryPeriod until stop(). */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopped = false;
    this.loop = (async () => {
      while (!this.stopped) {
        await this.tick();
        if (this.stopped) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.options.retryPeriodMs ?? 2000);
        });
      }
    })();
  }

  /**
   * Stops the loop and, when leading, releases the Lease so another replica takes over at once.
   * With `release: false` the Lease is left as it is (a crash: others wait for it to expire).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    if (!this.leading) return;
    this.leading = false;
    if (options.release === false) {
      this.options.onStoppedLeading?.();
      return;
    }
    try {
      const lease = await this.options.api.readNamespacedLease({ namespace: this.options.namespace, name: this.name });
      if (lease.spec?.holderIdentity === this.options.identity) {
        await this.options.api.replaceNamespacedLease({
          namespace: this.options.namespace,
          name: this.name,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: this.now() } },
        });
      }
    } catch {
      // The lease expires on its own.
    }
    this.options.onStoppedLeading?.();
  }
}
