// A model of the world the rotation machine acts on: a key service (versions, idempotency
// keys, revocation), destinations (current/pending/previous, as SecretDestination) and an
// executor that keeps secrets in memory only (lost on a crash). It checks the safety
// invariants after every single effect, so a test fails at the first unsafe moment.
import { step, type Observation, type RotationAction, type RotationPolicy, type RotationState, type StepOutcome } from '../../../src/operator/rotation/index.js';

export interface Destination {
  current?: string;
  pending?: string;
  previous?: string;
}

export type FaultKind = 'fail' | 'lostReply';

export class InvariantViolation extends Error {}

export class World {
  readonly versions = new Map<string, { revoked: boolean; secret: string }>();
  readonly byIdempotencyKey = new Map<string, string>();
  readonly everCurrent = new Set<string>();
  readonly destinations: Destination[];
  /** The executor's memory: secrets of versions it created, by version id. */
  memory = new Map<string, string>();
  private seq = 0;

  constructor(destinationCount: number) {
    const v1 = this.newVersion();
    this.destinations = Array.from({ length: destinationCount }, () => ({ current: v1 }));
    this.everCurrent.add(v1);
  }

  newVersion(): string {
    const id = `ver_${++this.seq}`;
    this.versions.set(id, { revoked: false, secret: `kw_live_SECRET${this.seq}x${'z'.repeat(20)}` });
    return id;
  }

  get validVersions(): string[] {
    return [...this.versions].filter(([, v]) => !v.revoked).map(([id]) => id);
  }

  get secrets(): string[] {
    return [...this.versions.values()].map((v) => v.secret);
  }

  crash(): void {
    this.memory = new Map();
  }

  check(): void {
    for (const [index, destination] of this.destinations.entries()) {
      if (destination.current !== undefined && this.versions.get(destination.current)?.revoked !== false) {
        throw new InvariantViolation(`destination ${index} serves ${destination.current}, which is revoked`);
      }
    }
    const neverPromoted = this.validVersions.filter((id) => !this.everCurrent.has(id));
    if (neverPromoted.length > 1) throw new InvariantViolation(`more than one pending version valid: ${neverPromoted.join(', ')}`);
  }

  /**
   * Executes a step's actions; `fault` makes action number `fault.index` fail (before its
   * effect, or after it with the reply lost). `crashAfterEffects` stops after that many single
   * effects (a crash in the middle of the step): the result is then undefined.
   */
  execute(actions: readonly RotationAction[], phase: RotationState['phase'], rotationId: string | undefined, fault?: { index: number; kind: FaultKind }, crashAfterEffects?: number): StepOutcome | undefined {
    let effects = 0;
    const effect = (): boolean => {
      effects++;
      this.check();
      return crashAfterEffects !== undefined && effects >= crashAfterEffects;
    };
    const failure = (reason: string, versionId?: string): StepOutcome => ({ phase, rotationId, ok: false, reason, message: `${reason} (test)`, ...(versionId ? { versionId } : {}) });
    let created: string | undefined;
    for (const [index, action] of actions.entries()) {
      const faulty = fault?.index === index ? fault.kind : undefined;
      if (faulty === 'fail') return failure('InjectedFailure');
      switch (action.type) {
        case 'createVersion': {
          const existing = this.byIdempotencyKey.get(action.rotationId);
          if (existing !== undefined) {
            if (faulty === 'lostReply') return failure('LostReply');
            if (!this.memory.has(existing)) return failure('SecretUnavailable', existing);
            created = existing;
            break;
          }
          const id = this.newVersion();
          this.byIdempotencyKey.set(action.rotationId, id);
          this.memory.set(id, this.versions.get(id)!.secret);
          if (effect()) return undefined;
          if (faulty === 'lostReply') return failure('LostReply');
          created = id;
          break;
        }
        case 'stage':
          for (const destination of this.destinations) {
            if (!this.memory.has(action.versionId)) return failure('SecretUnavailable');
            if (destination.current !== action.versionId) destination.pending = action.versionId;
            if (effect()) return undefined;
          }
          break;
        case 'verify':
          if (!this.memory.has(action.versionId) || this.versions.get(action.versionId)?.revoked !== false) return failure('VerifyRefused');
          break;
        case 'promote':
          for (const destination of this.destinations) {
            if (destination.current === action.versionId) continue;
            if (destination.pending !== action.versionId) return failure('NotStaged');
            destination.previous = destination.current;
            destination.current = action.versionId;
            destination.pending = undefined;
            this.everCurrent.add(action.versionId);
            if (effect()) return undefined;
          }
          break;
        case 'discard':
          for (const destination of this.destinations) {
            if (destination.current === action.versionId) throw new InvariantViolation(`discard of ${action.versionId}, which is current`);
            if (destination.pending === action.versionId) destination.pending = undefined;
            if (effect()) return undefined;
          }
          break;
        case 'revokeVersion': {
          const version = this.versions.get(action.versionId);
          if (version === undefined) return failure('NotFound');
          version.revoked = true;
          if (effect()) return undefined;
          break;
        }
      }
      if (faulty === 'lostReply') return failure('LostReply');
    }
    return { phase, rotationId, ok: true, ...(created ? { versionId: created } : {}) };
  }
}

export interface Disruption {
  /** Step number it happens at. */
  readonly at: number;
  readonly kind: 'crashBeforePersist' | 'crashMidStep' | 'crashAfterStep' | 'fail' | 'lostReply';
  /** Which action of the step, or after how many effects the crash happens. */
  readonly index: number;
}

/** Runs the machine in the world until it is idle again after one rotation (or maxSteps). */
export function runRotation(options: {
  world: World;
  policy: RotationPolicy;
  start: Date;
  state: RotationState;
  disruptions?: readonly Disruption[];
  maxSteps?: number;
  forceToken?: string;
  onStep?: (state: RotationState) => void;
}): { state: RotationState; steps: number; now: Date } {
  const { world, policy } = options;
  let persisted = options.state;
  let outcome: StepOutcome | undefined;
  let now = options.start;
  const maxSteps = options.maxSteps ?? 400;
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const disruption = options.disruptions?.find((d) => d.at === steps);
    const observation: Observation = { keyId: 'key_1', policy, ...(outcome ? { outcome } : {}), ...(options.forceToken ? { forceToken: options.forceToken } : {}) };
    const result = step(persisted, observation, now);
    outcome = undefined;
    if (disruption?.kind === 'crashBeforePersist') {
      world.crash();
      now = new Date(now.getTime() + 1000);
      continue;
    }
    persisted = result.state;
    options.onStep?.(persisted);
    if (persisted.phase === 'Idle' && persisted.previousRevokedAt !== undefined && persisted.scheduledAt === undefined) break;
    if (result.actions.length > 0) {
      const fault = disruption?.kind === 'fail' || disruption?.kind === 'lostReply' ? { index: disruption.index % result.actions.length, kind: disruption.kind } : undefined;
      const crashAfter = disruption?.kind === 'crashMidStep' ? 1 + (disruption.index % 3) : undefined;
      outcome = world.execute(result.actions, persisted.phase, persisted.rotationId, fault, crashAfter);
      if (outcome === undefined || disruption?.kind === 'crashAfterStep') {
        outcome = undefined;
        world.crash();
      }
      now = new Date(now.getTime() + 1000);
    } else {
      now = result.wakeAt !== undefined && Date.parse(result.wakeAt) > now.getTime() ? new Date(result.wakeAt) : new Date(now.getTime() + 1000);
    }
  }
  return { state: persisted, steps, now };
}
