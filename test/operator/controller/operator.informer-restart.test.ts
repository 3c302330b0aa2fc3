// The operator's informers after a watch error: the API server ends every watch and fails the
// re-watches; the informers come back (a plain client-node 1.4 informer would stay stopped) and
// an ApiKey created afterwards is reconciled.
import { describe, expect, it } from '@jest/globals';
import { compliantSpec, eventually, useWorld } from './harness.js';

describe('the operator after a watch error', () => {
  const t = useWorld();

  it('restarts its informers and reconciles an ApiKey created after the error', async () => {
    expect(t.operator.ready).toBe(true);
    await eventually(() => t.world.kube.openWatches === 2, 'both watches');
    t.world.kube.injectFault({ method: 'GET', path: /\/(apikeys|keywardenpolicies)$/, times: 4, code: 500, reason: 'InternalError' });
    t.world.kube.closeWatches();
    await t.world.createApiKey('after-error', compliantSpec('after-error-bot'));
    await eventually(async () => (await t.world.condition('after-error', 'Ready'))?.status === 'True', 'Ready after the watch error');
    expect(t.world.kube.requests.filter((r) => r.status === 500).length).toBe(4);
    expect(t.operator.healthy).toBe(true);
  });
});
