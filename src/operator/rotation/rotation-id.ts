// The deterministic id of one rotation attempt; it is the key service's Idempotency-Key, so a
// create repeated after a crash or a lost reply yields the same version, never a second one.
import { createHash } from 'node:crypto';

/** `rot-` and 32 hex digits of SHA-256 over the key id, the scheduled time and the attempt number. */
export function rotationId(keyId: string, scheduledAt: string, attempt: number): string {
  return `rot-${createHash('sha256').update(`${keyId}\n${scheduledAt}\n${attempt}`).digest('hex').slice(0, 32)}`;
}
