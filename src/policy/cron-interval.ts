import { CronExpressionParser } from 'cron-parser';

const DAY = 86_400;
/** Schedules are sampled from a fixed instant so the answer never depends on the clock. */
const REFERENCE = Date.UTC(2025, 0, 1);
const SPAN = 400 * DAY * 1000;
const MAX_OCCURRENCES = 10_000;

const cache = new Map<string, number | undefined>();

/**
 * The longest time between two consecutive runs of a five-field cron schedule (UTC), in
 * seconds, sampled over about a year; undefined when the expression does not parse.
 */
export function longestCronInterval(schedule: string): number | undefined {
  if (cache.has(schedule)) return cache.get(schedule);
  let result: number | undefined;
  try {
    const expression = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: REFERENCE });
    const first = expression.next().getTime();
    let previous = first;
    let longest = 0;
    for (let n = 1; n < MAX_OCCURRENCES; n++) {
      const next = expression.next().getTime();
      longest = Math.max(longest, next - previous);
      previous = next;
      if (next - first > SPAN) break;
    }
    result = longest > 0 ? Math.round(longest / 1000) : undefined;
  } catch {
    result = undefined;
  }
  cache.set(schedule, result);
  return result;
}
