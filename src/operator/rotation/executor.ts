// Carries out the rotation machine's actions with the key-service client and the key's
// destinations, and reports one outcome per step. Versions are created with deferred promotion:
// the new version is valid at once but the old one gets no expiry until the promote step, which
// moves every destination first and then promotes the version in the key service (the old
// version's overlap starts there). A rollback revokes the new version; the old one, never given
// an expiry, stays valid as it was. The new secret lives only in this object's
// memory between createVersion and stage: after a restart it is gone, the machine hears
// SecretUnavailable and rolls the version back. Errors become CamelCase reasons and messages
// that never hold a secret (the client and the destinations redact their own errors).
import type { KeywardenClient } from '../../client/index.js';
import type { SecretDestination } from '../../delivery/index.js';
import { describe } from './failure-reason.js';
import type { RotationAction, RotationPhase, StepOutcome } from './rotation-state.js';

/** The key service's longest overlap (30d), in seconds. */
const MAX_SERVICE_OVERLAP_SECONDS = 30 * 86_400;

export interface RotationExecutorOptions {
  /** The key-service client (its key needs keys:rotate). */
  readonly client: Pick<KeywardenClient, 'rotateKey' | 'promoteVersion' | 'revokeVersion' | 'verify'>;
  /** Where the key's environment delivers its secret. */
  readonly destinations: readonly SecretDestination[];
  /** Source address for the verify call (a key with an allowlist fails closed without one). @default none */
  readonly verifyIp?: string;
}

export class RotationExecutor {
  private readonly secrets = new Map<string, string>();
  private readonly options: RotationExecutorOptions;

  constructor(options: RotationExecutorOptions) {
    this.options = options;
  }

  /** Number of secrets held in memory now (versions created and not yet promoted or rolled back). */
  get secretsInMemory(): number {
    return this.secrets.size;
  }

  /** Executes one step's actions in order; the first failure ends the step. */
  async execute(phase: RotationPhase, rotationId: string | undefined, actions: readonly RotationAction[]): Promise<StepOutcome> {
    const base = { phase, ...(rotationId !== undefined ? { rotationId } : {}) };
    let created: string | undefined;
    for (const action of actions) {
      try {
        switch (action.type) {
          case 'createVersion': {
            const result = await this.options.client.rotateKey(action.keyId, { idempotencyKey: action.rotationId, promotion: 'deferred' });
            const versionId = result.version.id;
            if (result.secret !== undefined) this.secrets.set(versionId, result.secret);
            if (!this.secrets.has(versionId)) {
              return { ...base, ok: false, reason: 'SecretUnavailable', message: `version ${versionId} was created earlier and its secret is gone (operator restart); rolling it back`, versionId };
            }
            created = versionId;
            break;
          }
          case 'stage': {
            const secret = this.secrets.get(action.versionId);
            if (secret === undefined) return { ...base, ok: false, reason: 'SecretUnavailable', message: `the secret of version ${action.versionId} is not in memory (operator restart); rolling it back` };
            for (const destination of this.options.destinations) await destination.stage({ keyId: action.keyId, versionId: action.versionId, secret });
            break;
          }
          case 'verify': {
            const secret = this.secrets.get(action.versionId);
            if (secret === undefined) return { ...base, ok: false, reason: 'SecretUnavailable', message: `the secret of version ${action.versionId} is not in memory (operator restart); rolling it back` };
            const answer = await this.options.client.verify({ key: secret, ...(this.options.verifyIp !== undefined ? { ip: this.options.verifyIp } : {}) });
            if (!answer.valid) return { ...base, ok: false, reason: 'VerifyRefused', message: `the key service refused the new version ${action.versionId}: ${answer.code}` };
            for (const destination of this.options.destinations) {
              const state = await destination.state();
              if (state.pending !== action.versionId && state.current !== action.versionId) {
                return { ...base, ok: false, reason: 'StageLost', message: `${destination.description} does not hold version ${action.versionId}` };
              }
            }
            break;
          }
          case 'promote': {
            // Destinations first: the old version's overlap must not start before consumers moved off it.
            for (const destination of this.options.destinations) await destination.promote(action.versionId);
            const overlap = Math.min(MAX_SERVICE_OVERLAP_SECONDS, action.overlapSeconds);
            await this.options.client.promoteVersion(action.keyId, action.versionId, { overlap: `${overlap}s` });
            this.secrets.delete(action.versionId);
            break;
          }
          case 'discard':
            for (const destination of this.options.destinations) await destination.discard(action.versionId);
            break;
          case 'revokeVersion':
            await this.options.client.revokeVersion(action.keyId, action.versionId);
            this.secrets.delete(action.versionId);
            break;
        }
      } catch (err) {
        return { ...base, ok: false, ...describe(err) };
      }
    }
    return { ...base, ok: true, ...(created !== undefined ? { versionId: created } : {}) };
  }
}
