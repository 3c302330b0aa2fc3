// A test that needs a real peer (PostgreSQL, terraform) skips with a loud reason when the
// peer is missing on a user's machine, and fails under CI=true.
import { describe } from '@jest/globals';

export const IN_CI = process.env.CI === 'true';

/**
 * `describe` when `missing` is undefined; otherwise a loud skip (or, in CI, a failure).
 * `missing` says what is missing and how to install it.
 */
export function describeWith(missing: string | undefined): typeof describe | typeof describe.skip {
  if (missing === undefined) return describe;
  if (IN_CI) {
    throw new Error(`prerequisite missing in CI: ${missing}`);
  }
  process.stderr.write(`\n!!! SKIPPED: ${missing}\n\n`);
  return describe.skip;
}
