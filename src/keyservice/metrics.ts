// Prometheus metrics of one service instance (its own registry, so several instances can
// live in one process, as in tests).
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly verifyOutcomes: Counter<'code'>;
  readonly authFailures: Counter<'reason'>;
  readonly usageFlushFailures: Counter;
  readonly keyChangePollFailures: Counter;

  constructor(options: { defaultMetrics: boolean }) {
    this.requests = new Counter({
      name: 'keywarden_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.verifyOutcomes = new Counter({
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
