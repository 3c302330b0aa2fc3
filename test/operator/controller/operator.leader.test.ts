// Leader gating: an operator that does not hold the Lease watches but does not act — no key is
// created, no status written — and acts once the holder's Lease has expired (by the operator's
// clock) and it took the Lease over.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { compliantSpec, eventually, World } from './harness.js';

describe('only the leader reconciles', () => {
  let world: World;

  beforeAll(async () => {
    world = await new World().start();
  });
  afterEach(async () => {
    await world.stopOperators();
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

  it('keeps the Lease when abandoned (a crash), so another replica waits for it to expire', async () => {
    const leases = world.kube.kubeConfig().makeApiClient(CoordinationV1Api);
    const operator = world.operator({ identity: 'crashing', leaderElection: { leaseNamespace: 'crash', retryPeriodSeconds: 0.02 } });
    await operator.start();
    await eventually(() => operator.isLeader, 'leadership');
    await operator.abandon();
    expect(operator.healthy).toBe(false);
    expect((await leases.readNamespacedLease({ namespace: 'crash', name: 'keywarden-operator' })).spec?.holderIdentity).toBe('crashing');
    const next = world.operator({ identity: 'next', leaderElection: { leaseNamespace: 'crash', retryPeriodSeconds: 0.02 } });
    await next.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(next.isLeader).toBe(false);
    world.now = new Date(world.now.getTime() + 16_000);
    await eventually(() => next.isLeader, 'takeover after the lease duration');
  });

  it('watches only the namespaces it is given', async () => {
    const operator = world.operator({ namespaces: ['elsewhere'] });
    await operator.start();
    await world.createApiKey('not-watched', compliantSpec('not-watched-bot'));
    const spec = compliantSpec('watched-bot');
    (spec.environments as { production: { delivery: unknown[] } }).production.delivery = [{ kubernetesSecret: { namespace: 'elsewhere', name: 'watched-bot-key', key: 'API_KEY' } }];
    await world.custom.createNamespacedCustomObject({
      group: 'keywarden.dev',
      version: 'v1alpha1',
      namespace: 'elsewhere',
      plural: 'apikeys',
      body: { apiVersion: 'keywarden.dev/v1alpha1', kind: 'ApiKey', metadata: { name: 'watched', namespace: 'elsewhere' }, spec },
    });
    await eventually(async () => {
      const o = (await world.custom.getNamespacedCustomObject({ group: 'keywarden.dev', version: 'v1alpha1', namespace: 'elsewhere', plural: 'apikeys', name: 'watched' })) as { status?: { conditions?: Array<{ type: string; status: string }> } };
      return o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 'the watched namespace reconciled');
    operator.resyncNow();
    await operator.idle();
    expect((await world.getApiKey('not-watched'))!.status).toBeUndefined();
  });
});
