import type { Duration } from './model.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION = /^([0-9]+)([smhdw])$/;

/** Parses `90m`, `24h`, `30d`, `2w` (one integer, one unit); undefined when malformed. */
export function parseDuration(text: string): Duration | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  return Number.isSafeInteger(seconds) ? { text, seconds } : undefined;
}
