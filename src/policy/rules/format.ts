const UNITS: readonly [string, number][] = [
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
];

/** Seconds as the largest whole unit the spec uses: 2592000 → `30d`, 5400 → `90m`. */
export function formatSeconds(seconds: number): string {
  for (const [unit, size] of UNITS) if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
