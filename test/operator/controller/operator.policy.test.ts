// Policy through the operator: the same engine as the CLI with the cluster's KeywardenPolicy.
// A non-compliant ApiKey gets PolicyCompliant=False, a Warning Event naming the rule id and the
// violations metric, and no key is created for it; a KeywardenPolicy that relaxes the rule
// makes it compliant, and the key is created then.
import { describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { compliantSpec, eventually, useWorld } from './harness.js';

describe('policy checks in the operator', () => {
  const t = useWorld();

  it('reports a violation in PolicyCompliant, a Warning Event with the rule id and the metric, and creates no key', async () => {
    await t.world.createApiKey('short-overlap', compliantSpec('short-overlap-bot', { rotation: { every: '30d', overlap: '10m' } }));
    const compliant = await eventually(async () => {
      const c = await t.world.condition('short-overlap', 'PolicyCompliant');
      return c?.status === 'False' ? c : undefined;
    }, 'PolicyCompliant False');
    expect(compliant.reason).toBe('PolicyViolation');
    expect(compliant.message).toContain('KW004');
    expect(await t.world.condition('short-overlap', 'Ready')).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
    const events = await t.world.events('short-overlap');
    const violation = events.find((e) => e.reason === 'PolicyViolation');
    expect(violation).toMatchObject({ type: 'Warning', involvedObject: { kind: 'ApiKey', name: 'short-overlap', namespace: 'orders' } });
    expect(violation!.message!.startsWith('KW004:')).toBe(true);
    expect(await t.operator.metrics.registry.getSingleMetricAsString('keywarden_operator_policy_violations')).toContain('keywarden_operator_policy_violations{rule="KW004"} 1');
    expect(await t.world.admin.getKeyByName('production-short-overlap-bot')).toBeUndefined();
  });

  it('repeats the same violation on one Event with a growing count', async () => {
    const before = (await t.world.events('short-overlap')).find((e) => e.reason === 'PolicyViolation')!;
    t.operator.resyncNow();
    await t.operator.idle();
    const after = (await t.world.events('short-overlap')).filter((e) => e.reason === 'PolicyViolation');
    expect(after).toHaveLength(1);
    expect(after[0]!.count).toBeGreaterThan(before.count!);
  });

  it('applies the cluster KeywardenPolicy: relaxing the rule makes the ApiKey compliant and its key is created', async () => {
    await t.world.createPolicy('cluster', { rules: { KW004: { severity: 'warning' } } });
    await eventually(async () => (await t.world.condition('short-overlap', 'Ready'))?.status === 'True', 'Ready after the policy change');
    expect(await t.world.condition('short-overlap', 'PolicyCompliant')).toMatchObject({ status: 'True' });
    expect(t.operator.policy).toEqual({ rules: { KW004: { severity: 'warning' } } });
    expect(await t.world.admin.getKeyByName('production-short-overlap-bot')).toBeDefined();
    expect(await t.operator.metrics.registry.getSingleMetricAsString('keywarden_operator_policy_violations')).not.toContain('rule="KW004"} 1');
  });

  it('writes a KeywardenPolicy\'s status: what does not load, and nothing once it is fixed', async () => {
    await t.world.createPolicy('broken', { customRules: [{ id: 'ACME001', expression: 'key.owner.endsWith(', message: 'owners are company addresses' }] });
    const broken = await eventually(async () => {
      const p = (await t.world.custom.getClusterCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', plural: 'keywardenpolicies', name: 'broken' })) as { status?: { observedGeneration?: number; message?: string } };
      return p.status?.message !== undefined ? p.status : undefined;
    }, 'the policy status');
    expect(broken.observedGeneration).toBe(1);
    expect(broken.message).toContain('KWP004');
    await t.world.custom.patchClusterCustomObject(
      { group: 'keywarden.dev', version: 'v1alpha1', plural: 'keywardenpolicies', name: 'broken', body: { spec: { customRules: [{ id: 'ACME001', expression: 'key.owner.endsWith("@example.com")', message: 'owners are company addresses' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const fixed = await eventually(async () => {
      const p = (await t.world.custom.getClusterCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', plural: 'keywardenpolicies', name: 'broken' })) as { status?: { observedGeneration?: number; message?: string } };
      return p.status?.observedGeneration === 2 ? p.status : undefined;
    }, 'the fixed policy status');
    expect(fixed.message).toBeUndefined();
  });

  it('does not check an ApiKey beyond the review limits and leaves the key service alone', async () => {
    const environments = Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`env${i}`, {}]));
    await t.world.createApiKey('huge', { ...compliantSpec('huge-bot'), environments });
    const compliant = await eventually(async () => {
      const c = await t.world.condition('huge', 'PolicyCompliant');
      return c?.status === 'False' ? c : undefined;
    }, 'PolicyCompliant False');
    expect(compliant.reason).toBe('DocumentTooLarge');
    expect(compliant.message).toContain('more than 5000 values');
    expect(await t.world.condition('huge', 'Ready')).toMatchObject({ status: 'False', reason: 'DocumentTooLarge' });
    expect((await t.world.events('huge')).find((e) => e.reason === 'DocumentTooLarge')).toMatchObject({ type: 'Warning' });
    expect(await t.world.admin.getKeyByName('env0-huge-bot')).toBeUndefined();
  });
});
