import { CronExpressionParser } from 'cron-parser';

/** Checks a five-field cron expression (minute hour day-of-month month day-of-week); the problem, or undefined. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || fields[0] === '') {
    return `"${expression}" has ${expression.trim() === '' ? 0 : fields.length} field(s); a schedule has exactly five: minute hour day-of-month month day-of-week`;
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return undefined;
  } catch (err) {
    return `"${expression}" is not a valid cron expression: ${(err as Error).message}`;
  }
}
