import type { Location } from '../spec/model.js';

/** How serious a finding is; maps onto SARIF levels error / warning / note. */
export type Severity = 'error' | 'warning' | 'note';

/**
 * One problem found in the specs: a policy rule that fired, or a load error (YAML syntax,
 * schema, ...). Its location is taken from the YAML node, never guessed.
 */
export interface Finding {
  /** Rule id (`KW001`...) or load error code (`KWS...`). */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path, e.g. `spec.environments.production.scopes[1]`. */
  readonly path: string;
  /** The resolved key this is about, when there is one. */
  readonly key?: string;
}

/** What a reporter needs to know about a rule (SARIF tool.driver.rules, help text). */
export interface RuleDescriptor {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** One paragraph: what to do to fix it. Markdown. */
  readonly help: string;
  /** Why the rule exists. */
  readonly rationale: string;
  /** Link to the rule's documentation. */
  readonly helpUri?: string;
}

export function findingAt(
  location: Location,
  ruleId: string,
  severity: Severity,
  message: string,
  key?: string,
): Finding {
  return { ruleId, severity, message, file: location.file, line: location.line, column: location.column, path: location.path, ...(key ? { key } : {}) };
}
