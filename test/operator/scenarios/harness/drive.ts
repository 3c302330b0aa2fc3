// Moves a scenario on: lets the operator do all it can now (resyncNow + idle), then moves the
// test clock to the next moment a key waits for (end of an overlap, a retry after backoff), and
// again — until every key is where the scenario wants it, or the operator crashed. Bounded in
// rounds; the only wall-time bound is a generous one against a hang, with a diagnosis.
import type { OperatorUnderTest } from './operator-under-test.js';
import { keyStatus, type KeyStatus, type ScenarioKey } from './scenario-keys.js';
import type { World } from './world.js';

export interface DriveOptions {
  /**
   * Move the clock to the end of an overlap when nothing else happens. [true] (The clock always
   * moves to a retry time after a backoff: a failed step is retried as it would be in time.)
   */
  readonly endOverlaps?: boolean;
  /** Rounds before giving up. [40] */
  readonly maxRounds?: number;
  /** A round that has not settled after this long is a hang: fail with what is under way. [120000] */
  readonly hangMs?: number;
}

export type DriveResult = { readonly reached: true; readonly statuses: KeyStatus[] } | { readonly reached: false; readonly crashed: true };

/** Drives until `done` holds for every key; resolves early with `crashed` when the operator's incarnation crashes. */
export async function drive(world: World, op: OperatorUnderTest, keys: readonly ScenarioKey[], done: (status: KeyStatus) => boolean, options: DriveOptions = {}): Promise<DriveResult> {
  const crashed = op.life.crashed.then(() => 'crashed' as const);
  let last: KeyStatus[] = [];
  for (let round = 0; round < (options.maxRounds ?? 40); round++) {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), options.hangMs ?? 120_000)));
    const outcome = await Promise.race([op.settle().then(() => 'settled' as const), crashed, hang]);
    clearTimeout(timer);
    if (outcome === 'crashed') return { reached: false, crashed: true };
    if (outcome === 'hang') {
      const now = await Promise.all(keys.map((k) => keyStatus(world, k)));
      const phases = now.map((s) => `${s.resource.metadata.name}:${s.rotation?.phase ?? '-'}${s.rotation?.lastError !== undefined ? `(${s.rotation.lastError.reason})` : ''}`);
      throw new Error(
        `the operator did not settle within ${options.hangMs ?? 120_000} ms; requests it waits for: ${JSON.stringify(op.life.waitingForServers)}; ` +
          `${await op.describe()}; keys: ${phases.join(' ')}`,
      );
    }
    last = await Promise.all(keys.map((k) => keyStatus(world, k)));
    if (last.every(done)) return { reached: true, statuses: last };
    const now = world.clock.ms();
    const waits = last
      .filter((s) => !done(s))
      .flatMap((s) => [s.rotation?.phase === 'Overlapping' && options.endOverlaps !== false ? s.rotation.overlapUntil : undefined, s.rotation?.retryAt])
      .filter((t): t is string => t !== undefined)
      .map((t) => Date.parse(t))
      .filter((t) => t > now);
    if (waits.length > 0) world.clock.advanceTo(new Date(Math.min(...waits)));
  }
  throw new Error(
    `the scenario did not reach its goal: ${last.map((s) => `${s.resource.metadata.name}: ${JSON.stringify(s.rotation ?? null)}`).join('\n')}`,
  );
}

/** A rotation finished: idle again with a new current version and the previous one revoked. */
export function rotatedFrom(firstVersion: string): (status: KeyStatus) => boolean {
  return (s) =>
    s.rotation?.phase === 'Idle' &&
    s.rotation.currentVersion !== undefined &&
    s.rotation.currentVersion !== firstVersion &&
    s.rotation.previousRevokedAt !== undefined;
}
