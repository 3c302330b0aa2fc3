// Properties of the rotation state machine under any mix of failures, lost replies and
// crashes (before the state is persisted, in the middle of a step, after a step), run in a
// model world that checks the safety invariants after every single effect.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { initialRotationState, type RotationPolicy, type RotationState } from '../../../src/operator/rotation/index.js';
import { compileCrdSchema } from '../crd-ajv.js';
import { rotationStateSchema } from '../../../src/operator/status-schema.js';
import type { SchemaNode } from '../../../src/operator/structural-schema.js';
import { runRotation, World, type Disruption } from './world.js';

const policy: RotationPolicy = { everySeconds: 30 * 86_400, overlapSeconds: 86_400 };
const T0 = new Date('2026-01-01T00:00:00Z');
const DUE = new Date(T0.getTime() + 30 * 86_400 * 1000);
const validState = compileCrdSchema(rotationStateSchema as unknown as SchemaNode);

const disruption: fc.Arbitrary<Disruption> = fc.record({
  at: fc.nat({ max: 40 }),
  kind: fc.constantFrom('crashBeforePersist', 'crashMidStep', 'crashAfterStep', 'fail', 'lostReply'),
  index: fc.nat({ max: 5 }),
});

function scenario(disruptions: readonly Disruption[], destinations: number) {
  const world = new World(destinations);
  const states: RotationState[] = [];
  const result = runRotation({ world, policy, start: DUE, state: initialRotationState('ver_1', T0), disruptions, onStep: (s) => states.push(s) });
  return { world, states, result };
}

describe('the rotation state machine under failures and crashes', () => {
  it('never serves a revoked version, never holds two pending versions, and converges to one valid version everywhere', () => {
    fc.assert(
      fc.property(fc.array(disruption, { maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (disruptions, destinations) => {
        const { world, result } = scenario(disruptions, destinations);
        expect(result.state.phase).toBe('Idle');
        expect(result.state.scheduledAt).toBeUndefined();
        const current = result.state.currentVersion!;
        expect(current).not.toBe('ver_1');
        for (const destination of world.destinations) expect(destination.current).toBe(current);
        // No orphan: only the new current version is still valid; the old one is revoked.
        expect(world.validVersions).toEqual([current]);
        expect(result.state.previousVersion).toBe('ver_1');
      }),
      { numRuns: 300 },
    );
  });

  it('revokes the old version only after every destination was promoted away from it', () => {
    fc.assert(
      fc.property(fc.array(disruption, { maxLength: 8 }), (disruptions) => {
        const world = new World(2);
        runRotation({
          world,
          policy,
          start: DUE,
          state: initialRotationState('ver_1', T0),
          disruptions,
          onStep: (s) => {
            if (world.versions.get('ver_1')!.revoked) expect(world.destinations.every((d) => d.current !== 'ver_1')).toBe(true);
            if (s.phase !== 'Overlapping' && s.phase !== 'RevokingOld' && s.phase !== 'Idle') expect(world.versions.get('ver_1')!.revoked).toBe(false);
          },
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps only version ids and times in the persisted state, in the shape the status schema accepts', () => {
    fc.assert(
      fc.property(fc.array(disruption, { maxLength: 6 }), (disruptions) => {
        const { world, states } = scenario(disruptions, 2);
        for (const state of states) {
          const text = JSON.stringify(state);
          for (const secret of world.secrets) expect(text).not.toContain(secret);
          expect(validState(state)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('converges after a crash at every single step of a rotation', () => {
    const kinds = ['crashBeforePersist', 'crashMidStep', 'crashAfterStep'] as const;
    for (let at = 0; at < 12; at++) {
      for (const kind of kinds) {
        for (let index = 0; index < 3; index++) {
          const { world, result } = scenario([{ at, kind, index }], 2);
          expect(result.state.phase).toBe('Idle');
          expect(world.validVersions).toEqual([result.state.currentVersion]);
        }
      }
    }
  });
});
