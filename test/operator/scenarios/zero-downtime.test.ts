// Scenario 1: the operator rotates 50 keys while consumers keep calling verify with whatever the
// Kubernetes Secret and AWSCURRENT hold at that moment. Not one call may be rejected, and the
// key service must be left with exactly one valid version per key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { drive } from './harness/drive.js';
import { startOperator, type OperatorUnderTest } from './harness/operator-under-test.js';
import { delivered, destinationVersions, keyStatus, scenarioKey, validVersions, type ScenarioKey } from './harness/scenario-keys.js';
import { World } from './harness/world.js';

const KEYS = 50;
const CONSUMERS = 8;

describe('zero-downtime rotation of 50 keys', () => {
  let world: World;
  let op: OperatorUnderTest;
  const keys: ScenarioKey[] = Array.from({ length: KEYS }, (_, i) => scenarioKey(`payments-${String(i).padStart(2, '0')}`));

  beforeAll(async () => {
    world = await World.start();
    for (const key of keys) await world.applyApiKey(key.manifest);
    op = await startOperator(world, { workers: 8 });
  }, 60_000);
  afterAll(async () => {
    await world.stop();
  });

  it('rotates every key with zero rejected consumer calls and leaves one valid version per key', async () => {
    // First versions created and delivered.
    await drive(world, op, keys, (s) => s.rotation?.phase === 'Idle' && s.rotation.currentVersion !== undefined, { endOverlaps: false });
    for (const key of keys) expect(await delivered(world, key)).toBe(true);
    const first = new Map<string, string>();
    for (const key of keys) first.set(key.name, (await keyStatus(world, key)).rotation!.currentVersion!);

    const consumers = world.consumers(keys.flatMap((k) => k.targets), CONSUMERS);
    consumers.start();
    await consumers.waitForCalls(KEYS * 2);
    const beforeRotation = consumers.callCount;

    // Every key falls due (rotation every 30d): create, stage, test, promote.
    world.clock.advance(30 * 86_400_000 + 1000);
    await drive(world, op, keys, (s) => s.rotation?.phase === 'Overlapping', { endOverlaps: false });
    const promoted = consumers.callCount;
    // Every consumer re-reads after the promotion (its read → verify window is far inside the overlap).
    await consumers.freshReads();
    await consumers.waitForCalls(KEYS * 2);
    // The overlap ends; the old versions are revoked.
    await drive(world, op, keys, (s) => s.rotation?.phase === 'Idle' && s.rotation.previousRevokedAt !== undefined);
    await consumers.waitForCalls(KEYS * 2);
    const report = await consumers.stop();

    const duringRotation = promoted - beforeRotation;
    process.stderr.write(
      `zero-downtime: ${report.calls} verify calls in all, ${duringRotation} while ${KEYS} keys were created/staged/tested/promoted, ` +
        `${report.calls - promoted} from promotion through revocation, ${report.rejected.length} rejected\n`,
    );
    expect(report.errors).toEqual([]);
    expect(report.rejected).toEqual([]);
    expect(report.calls).toBeGreaterThanOrEqual(KEYS * 8);
    expect(duringRotation).toBeGreaterThanOrEqual(KEYS);

    for (const key of keys) {
      const { keyId, rotation } = await keyStatus(world, key);
      expect(rotation).toMatchObject({ phase: 'Idle', previousVersion: first.get(key.name) });
      expect(rotation!.currentVersion).not.toBe(first.get(key.name));
      expect(await validVersions(world, keyId!)).toEqual([rotation!.currentVersion]);
      const served = await destinationVersions(world, key);
      for (const destination of key.destinations) expect(served[destination]).toEqual({ current: rotation!.currentVersion });
    }
    expect(world.timeline.revokedWhileServed()).toEqual([]);
  }, 300_000);
});
