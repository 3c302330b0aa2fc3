// Prometheus metrics of one service instance (its own registry, so several instances can
// live in one process, as in tests).
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration } from 'prom-client';

/** One label set of a HotCounter: a plain count, handed to prom-client when the registry is read. */
class Tally<L extends string> {
  count = 0;
  private published = 0;

  constructor(private readonly labels: Record<L, string>) {}

  inc(): void {
    this.count++;
  }

  publish(counter: Counter<L>): void {
    if (this.count === this.published) return;
    counter.inc(this.labels, this.count - this.published);
    this.published = this.count;
  }
}

/**
 * A labelled counter for the hot path. prom-client's own `inc` hashes and validates the label
 * set on every call (≈ 1 µs, twice per verify); a child of this one adds 1 to a number, and the
 * totals reach prom-client when the registry is read. `counter.inc(...)` still works alongside.
 */
export class HotCounter<L extends string> {
  readonly counter: Counter<L>;
  private readonly tallies = new Map<string, Tally<L>>();

  constructor(config: CounterConfiguration<L>) {
    const tallies = this.tallies;
    this.counter = new Counter<L>({
      ...config,
      collect(this: Counter<L>) {
        for (const tally of tallies.values()) tally.publish(this);
      },
    });
  }

  /** The child for these label values: look it up once and keep it. */
  child(labels: Record<L, string>): { inc(): void } {
    const id = JSON.stringify(labels);
    let tally = this.tallies.get(id);
    if (!tally) this.tallies.set(id, (tally = new Tally(labels)));
    return tally;
  }
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: HotCounter<'method' | 'route' | 'status'>;
  readonly verifyOutcomes: HotCounter<'code'>;
  readonly authFailures: Counter<'reason'>;
  readonly usageFlushFailures: Counter;
  readonly keyChangePollFailures: Counter;

  constructor(options: { defaultMetrics: boolean }) {
    this.requests = new HotCounter({
      name: 'keywarden_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.verifyOutcomes = new HotCounter({
      name: 'keywarden_verify_outcomes_total',
      help: 'Key verifications (POST and GET /v1/verify) by verify code.',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.authFailures = new Counter({
      name: 'keywarden_auth_failures_total',
      help: 'Failed authentications on the management API by reason (missing, malformed or a verify code).',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.usageFlushFailures = new Counter({
      name: 'keywarden_usage_flush_failures_total',
      help: 'Batched usage writes that failed and were kept for the next flush.',
      registers: [this.registry],
    });
    this.keyChangePollFailures = new Counter({
      name: 'keywarden_key_change_poll_failures_total',
      help: 'Reads of the keys changed by other replicas that failed (verify bypasses its cache meanwhile).',
      registers: [this.registry],
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'keywarden_' });
  }
}
