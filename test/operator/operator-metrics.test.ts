// The operator's metrics in Prometheus text format, from a registry of its own.
import { describe, expect, it } from '@jest/globals';
import { OperatorMetrics } from '../../src/operator/operator-metrics.js';

describe('OperatorMetrics', () => {
  it('exposes rotations by result, rotation duration, violations by rule, reconcile errors, queue depth and leadership', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    metrics.rotations.inc({ result: 'promoted' }, 2);
    metrics.rotations.inc({ result: 'rolledBack' });
    metrics.rotationDuration.observe(1.5);
    metrics.reconcileErrors.inc({ controller: 'apikey' });
    metrics.queueDepth.set(7);
    metrics.leader.set(1);
    metrics.setViolations({ KW002: 3, KW005: 1 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('keywarden_operator_rotations_total{result="promoted"} 2');
    expect(text).toContain('keywarden_operator_rotations_total{result="rolledBack"} 1');
    expect(text).toContain('keywarden_operator_rotation_duration_seconds_count 1');
    expect(text).toContain('keywarden_operator_policy_violations{rule="KW002"} 3');
    expect(text).toContain('keywarden_operator_reconcile_errors_total{controller="apikey"} 1');
    expect(text).toContain('keywarden_operator_queue_depth 7');
    expect(text).toContain('keywarden_operator_leader 1');
  });

  it('reads the reconciles in flight and the longest-running one at scrape time, and times each reconcile', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    expect(await metrics.registry.metrics()).toContain('keywarden_operator_reconciles_in_flight 0');
    expect(await metrics.registry.metrics()).toContain('keywarden_operator_longest_running_reconcile_seconds 0');
    const now = performance.now();
    metrics.observeWork(() => ({ runningSinceMs: [now - 1000, now - 90_000] }));
    const text = await metrics.registry.metrics();
    expect(text).toContain('keywarden_operator_reconciles_in_flight 2');
    const longest = Number(/keywarden_operator_longest_running_reconcile_seconds ([\d.]+)/.exec(text)![1]);
    expect(longest).toBeGreaterThanOrEqual(90);
    expect(longest).toBeLessThan(3600);
    metrics.reconcileDuration.observe({ controller: 'apikey', result: 'success' }, 0.02);
    expect(await metrics.registry.metrics()).toContain('keywarden_operator_reconcile_duration_seconds_count{controller="apikey",result="success"} 1');
  });

  it('drops a rule from the violations once it no longer fails', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    metrics.setViolations({ KW002: 3 });
    metrics.setViolations({ KW005: 1 });
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('rule="KW002"');
    expect(text).toContain('keywarden_operator_policy_violations{rule="KW005"} 1');
  });

  it('keeps two operators\' registries apart', async () => {
    const a = new OperatorMetrics({ defaultMetrics: false });
    const b = new OperatorMetrics({ defaultMetrics: false });
    a.queueDepth.set(1);
    b.queueDepth.set(2);
    expect(await a.registry.metrics()).toContain('keywarden_operator_queue_depth 1');
    expect(await b.registry.metrics()).toContain('keywarden_operator_queue_depth 2');
  });
});
