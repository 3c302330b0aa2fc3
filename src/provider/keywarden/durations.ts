// Durations as the key spec writes them (`90s`, `15m`, `1h`, `365d`): parsed for expires_after
// and rate_limit.per, and formatted back from the seconds the key service stores.

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Accepted form of a duration, for messages. */
export const DURATION_FORM = 'a whole number and a unit s, m, h or d, e.g. "90s", "1h", "365d"';

/** Seconds of `<n>s|m|h|d`, or undefined when the text is not such a duration (or is zero). */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^([0-9]{1,9})([smhd])$/.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds > 0 ? seconds : undefined;
}

/** The shortest exact spelling of `seconds` in the largest unit that divides it (3600 → `1h`). */
export function formatDurationSeconds(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (seconds % UNIT_SECONDS[unit] === 0) return `${seconds / UNIT_SECONDS[unit]}${unit}`;
  }
  return `${seconds}s`;
}
