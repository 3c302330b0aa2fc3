// Prometheus metrics of the operator (its own registry, so several operators can live in one
// process, as in the two-replica tests). Served on /metrics by the runtime (still to be written).
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
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Replaces the violation counts with those of the latest check (rules that no longer fail go to zero). */
  setViolations(countsByRule: Readonly<Record<string, number>>): void {
    this.violations.reset();
    for (const [rule, count] of Object.entries(countsByRule)) this.violations.set({ rule }, count);
  }
}
