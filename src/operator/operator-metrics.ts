// Prometheus metrics of the operator (its own registry, so several operators can live in one
// process, as in the two-replica tests). Served on /metrics by `keywarden operator`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  /** Rotations that ended, by result: promoted, rolledBack. */
  readonly rotations: Counter<'result'>;
  /** Seconds from the start of a rotation (Creating) to its promotion. */
  readonly rotationDuration: Histogram;
  /** Error findings now, by rule id (set after each policy check of all ApiKeys). */
  readonly violations: Gauge<'rule'>;
  /** Reconciles that failed, by controller (apikey, policy). */
  readonly reconcileErrors: Counter<'controller'>;
  /** Keys ready in the work queue. */
  readonly queueDepth: Gauge;
  /** 1 while this replica holds the leader Lease. */
  readonly leader: Gauge;
  /** Seconds each reconcile took, by controller and result (success, error). */
  readonly reconcileDuration: Histogram<'controller' | 'result'>;
  /** Reconciles running now (read on scrape from the source given to `observeWork`). */
  readonly reconcilesInFlight: Gauge;
  /** Seconds the longest-running reconcile has been running (0 when none is): a stuck worker shows here. */
  readonly longestRunningReconcile: Gauge;
  private work: () => { readonly runningSinceMs: readonly number[] } = () => ({ runningSinceMs: [] });

  constructor(options: { defaultMetrics: boolean }) {
    const registers = [this.registry];
    this.rotations = new Counter({ name: 'keywarden_operator_rotations_total', help: 'Rotations that ended, by result (promoted, rolledBack).', labelNames: ['result'], registers });
    this.rotationDuration = new Histogram({
      name: 'keywarden_operator_rotation_duration_seconds',
      help: 'Seconds from the start of a rotation to its promotion.',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.violations = new Gauge({ name: 'keywarden_operator_policy_violations', help: 'Error findings of the last policy check, by rule id.', labelNames: ['rule'], registers });
    this.reconcileErrors = new Counter({ name: 'keywarden_operator_reconcile_errors_total', help: 'Failed reconciles, by controller.', labelNames: ['controller'], registers });
    this.queueDepth = new Gauge({ name: 'keywarden_operator_queue_depth', help: 'Keys ready in the work queue.', registers });
    this.leader = new Gauge({ name: 'keywarden_operator_leader', help: '1 while this replica holds the leader Lease, else 0.', registers });
    this.reconcileDuration = new Histogram({
      name: 'keywarden_operator_reconcile_duration_seconds',
      help: 'Seconds each reconcile took, by controller (apikey, policy) and result (success, error).',
      labelNames: ['controller', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    const metrics = this;
    this.reconcilesInFlight = new Gauge({
      name: 'keywarden_operator_reconciles_in_flight',
      help: 'Reconciles running now.',
      registers,
      collect() {
        this.set(metrics.work().runningSinceMs.length);
      },
    });
    this.longestRunningReconcile = new Gauge({
      name: 'keywarden_operator_longest_running_reconcile_seconds',
      help: 'Seconds the longest-running reconcile has been running (0 when none is).',
      registers,
      collect() {
        const since = metrics.work().runningSinceMs;
        this.set(since.length === 0 ? 0 : (performance.now() - Math.min(...since)) / 1000);
      },
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the in-flight gauges read the running reconciles from (their start, `performance.now()` ms). */
  observeWork(source: () => { readonly runningSinceMs: readonly number[] }): void {
    this.work = source;
  }

  /** Replaces the violation counts with those of the latest check (rules that no longer fail go to zero). */
  setViolations(countsByRule: Readonly<Record<string, number>>): void {
    this.violations.reset();
    for (const [rule, count] of Object.entries(countsByRule)) this.violations.set({ rule }, count);
  }
}
