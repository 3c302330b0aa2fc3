// The catalog of policy load errors: problems in a policy pack, in the project file's
// `policy` section or in an inline exception that stop the policy from being applied as
// written. Codes are permanent and never reused (rules are KW..., spec load errors KWS...).
import type { Location } from '../spec/model.js';
import type { Finding, Severity } from './finding.js';

export interface PolicyErrorDescriptor {
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  /** What to do about it. */
  readonly help: string;
}

function entry(code: string, title: string, help: string): PolicyErrorDescriptor {
  return { code, title, severity: 'error', help };
}

export const POLICY_ERRORS = {
  packNotFound: entry('KWP001', 'Policy pack not found', 'Check the pack directory: --policies, or `policy.packs` in the project file (relative to the project file).'),
  invalidSettings: entry('KWP002', 'Invalid policy settings', 'Fix the field at the position shown; docs/policy.md describes the pack format.'),
  unknownRule: entry('KWP003', 'Unknown rule', 'Use the id of a built-in rule (KW001...) or of a custom rule defined in a pack or the project file.'),
  celCompile: entry('KWP004', 'CEL rule does not compile', 'Fix the CEL expression at the position shown; docs/policy.md lists the variables and helpers.'),
  duplicateRule: entry('KWP005', 'Duplicate rule id', 'Give every custom rule its own id; built-in ids (KW...) are reserved.'),
  invalidException: entry('KWP006', 'Invalid exception', 'Every exception names a rule, a target (key, spec or environment), a reason and an expiry date (YYYY-MM-DD).'),
  ruleFailed: entry('KWP007', 'Rule failed', 'A rule stopped with an internal error; the specs it was checking could not be judged. Report this as a bug.'),
} as const satisfies Record<string, PolicyErrorDescriptor>;

export type PolicyErrorKind = keyof typeof POLICY_ERRORS;

/** Every policy load error descriptor, ordered by code (for reporters and docs). */
export const POLICY_ERROR_LIST: readonly PolicyErrorDescriptor[] = Object.values(POLICY_ERRORS);

/** A policy load error as a Finding at `location`. */
export function policyError(kind: PolicyErrorKind, location: Location, message: string): Finding {
  const d = POLICY_ERRORS[kind];
  return { ruleId: d.code, severity: d.severity, message, file: location.file, line: location.line, column: location.column, path: location.path };
}
