// The operator's informers after a watch error: the API server ends every watch and fails the
// re-watches; the informers come back (a plain client-node 1.4 informer would stay stopped) and
// an ApiKey created afterwards is reconciled.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Operator } from '../../../src/operator/index.js';
import { compliantSpec, eventually, World } from './harness.js';

describe('the operator after a watch error', () => {
  let world: World;
  let operator: Operator;

  beforeAll(async () => {
    world = await new World().start();
    operator = world.operator();
    await operator.start();
  });
  afterAll(async () => {
    await world.stop();
  });

  it('restarts its informers and reconciles an ApiKey created after the error', async () => {
    expect(operator.ready).toBe(true);
    await eventually(() => world.kube.openWatches === 2, 'both watches');
    world.kube.injectFault({ method: 'GET', path: /\/(apikeys|keywardenpolicies)$/, times: 4, code: 500, reason: 'InternalError' });
    world.kube.closeWatches();
    await world.createApiKey('after-error', compliantSpec('after-error-bot'));
    await eventually(async () => (await world.condition('after-error', 'Ready'))?.status === 'True', 'Ready after the watch error');
    expect(world.kube.requests.filter((r) => r.status === 500).length).toBe(4);
    expect(operator.healthy).toBe(true);
  });
});
