// Starts the real operator (createOperator) as one incarnation of a World: every client it
// builds reaches the servers through that incarnation's proxies, its clock is the world's test
// clock, and when the incarnation crashes (a FaultPlan rule, a step hook, or the test) the
// Operator object is abandoned — nothing of it reaches a server any more, its timers are freed.
import { createOperator, type Operator, type OperatorOptions, type StepEvent } from '../../../../src/operator/index.js';
import type { Incarnation } from './incarnation.js';
import type { World } from './world.js';

export interface OperatorUnderTest {
  readonly operator: Operator;
  readonly life: Incarnation;
  readonly identity: string;
  /** Queues every ApiKey and waits until the operator has nothing left to do now. */
  settle(): Promise<void>;
  /** Crashes this incarnation (if not yet) and waits until the operator is abandoned. */
  kill(): Promise<void>;
  /** A diagnosis line for a hang (queue depth, reconcile errors). */
  describe(): Promise<string>;
}

export interface StartOperatorOptions extends Partial<Omit<OperatorOptions, 'onStep'>> {
  /** Crash the incarnation right when a step event matches (e.g. executed but not yet persisted). */
  readonly crashOnStep?: (event: StepEvent) => boolean;
  /** Every step event, for assertions. */
  readonly steps?: StepEvent[];
  /** Talk to the servers directly, not through the incarnation's proxies (no crash or fault injection). */
  readonly direct?: boolean;
}

const abandoned = new WeakMap<Incarnation, Promise<void>>();

export async function startOperator(world: World, options: StartOperatorOptions = {}): Promise<OperatorUnderTest> {
  const { crashOnStep, steps, direct, ...overrides } = options;
  const life = await world.incarnation();
  const urls = direct === true ? { kube: world.kube.url, keyservice: world.service.url, secretsmanager: world.sm.endpoint } : life.urls;
  const identity = overrides.identity ?? `keywarden-operator-${life.number}`;
  const operator = createOperator({
    kubeConfig: direct === true ? world.kube.kubeConfig() : world.kubeConfigFor(life),
    keyService: { endpoint: urls.keyservice, apiKey: world.operatorApiKey, retry: { retries: 0 } },
    identity,
    leaderElection: false,
    aws: {
      endpoint: urls.secretsmanager,
      credentials: world.sm.clientConfig().credentials,
      defaultRegion: world.sm.region,
      maxAttempts: 1,
    },
    clock: world.clock.now,
    resyncSeconds: 3600,
    ...overrides,
    onStep: (event) => {
      steps?.push(event);
      if (!life.dead && crashOnStep?.(event) === true) life.crash(`step ${event.phase} ${event.stage}`);
    },
  });
  abandoned.set(
    life,
    life.crashed.then(() => operator.abandon()),
  );
  world.onStop(async () => {
    life.crash('end of test');
    await abandoned.get(life);
  });
  await operator.start();
  return {
    operator,
    life,
    identity,
    async settle() {
      operator.resyncNow();
      await operator.idle();
    },
    async describe() {
      const metrics = await operator.metrics.registry.getMetricsAsJSON();
      const pick = (name: string): string =>
        JSON.stringify(metrics.find((m) => m.name === name)?.values.map((v) => [v.labels, v.value]) ?? []);
      return (
        `queue depth ${pick('keywarden_operator_queue_depth')}, reconcile errors ${pick('keywarden_operator_reconcile_errors_total')}, leader ${pick('keywarden_operator_leader')}, ` +
        `reconciles in flight ${pick('keywarden_operator_reconciles_in_flight')}, longest running ${pick('keywarden_operator_longest_running_reconcile_seconds')} s`
      );
    },
    async kill() {
      life.crash('killed by the test');
      await abandoned.get(life);
    },
  };
}
