// Leader gating: an operator that does not hold the Lease watches but does not act — no key is
// created, no status written — and acts once the holder's Lease has expired (by the operator's
// clock) and it took the Lease over.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { compliantSpec, eventually, World } from './harness.js';

describe('only the leader reconciles', () => {
  let world: World;

  beforeAll(async () => {
    world = await new World().start();
  });
  afterAll(async () => {
    await world.stop();
  });

  it('waits while another replica holds the Lease and takes over when it expires', async () => {
    const leases = world.kube.kubeConfig().makeApiClient(CoordinationV1Api);
    await leases.createNamespacedLease({
      namespace: 'keywarden',
      body: { metadata: { name: 'keywarden-operator', namespace: 'keywarden' }, spec: { holderIdentity: 'other-replica', leaseDurationSeconds: 15, renewTime: world.now, acquireTime: world.now } },
    });
    const operator = world.operator({ leaderElection: { leaseNamespace: 'keywarden', retryPeriodSeconds: 0.02 } });
    await operator.start();
    await world.createApiKey('gated', compliantSpec('gated-bot'));
    // Several election rounds and a resync: still not the leader, nothing written.
    await new Promise((resolve) => setTimeout(resolve, 200));
    operator.resyncNow();
    await operator.idle();
    expect(operator.isLeader).toBe(false);
    expect((await world.getApiKey('gated'))!.status).toBeUndefined();
    expect(await world.admin.getKeyByName('production-gated-bot')).toBeUndefined();
    expect(await operator.metrics.registry.getSingleMetricAsString('keywarden_operator_leader')).toContain('keywarden_operator_leader 0');

    world.now = new Date(world.now.getTime() + 16_000);
    await eventually(() => operator.isLeader, 'leadership');
    await eventually(async () => (await world.condition('gated', 'Ready'))?.status === 'True', 'Ready once leading');
    const lease = await leases.readNamespacedLease({ namespace: 'keywarden', name: 'keywarden-operator' });
    expect(lease.spec?.holderIdentity).toBe('operator-0');
    await operator.stop();
    // A graceful stop hands the Lease back at once.
    expect((await leases.readNamespacedLease({ namespace: 'keywarden', name: 'keywarden-operator' })).spec?.holderIdentity).toBe('');
  });
});
