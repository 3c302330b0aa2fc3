// What every reporter renders from: the findings of one `keywarden check` run and what is
// needed to present them (rule descriptions, source texts for code frames and fingerprints,
// the repository root that paths are made relative to).
import type { Finding, RuleDescriptor, Severity } from '../finding.js';

/** The input of every reporter. Reporters are pure: same input, same output. */
export interface ReportInput {
  /** Policy findings and load errors together, in any order (reporters sort them). */
  readonly findings: readonly Finding[];
  /** Descriptions of the rules that ran; findings whose rule is not listed get a generic one. */
  readonly rules: readonly RuleDescriptor[];
  /** Source text per file, keyed like `Finding.file` (code frames, SARIF fingerprints). */
  readonly sources: ReadonlyMap<string, string>;
  /**
   * Absolute directory that report paths are relative to (the repository root in CI).
   * Finding files are resolved against `cwd` first.
   */
  readonly root: string;
  /** Directory that relative `Finding.file` values are relative to. @default root */
  readonly cwd?: string;
  /**
   * Descriptions of codes that are not rules: load errors of the spec and policy loaders.
   * @default none: such codes get a generic description
   */
  readonly errorCatalog?: readonly RuleDescriptor[];
  /** Number of resolved keys checked (summary line). @default undefined: not shown */
  readonly keysChecked?: number;
  /** Number of spec files read (summary line). @default number of `sources` */
  readonly filesChecked?: number;
  /** Severity at or above which a finding fails the run (JUnit failures, summary). @default 'error' */
  readonly failOn?: Severity;
  /** Tool version written into SARIF and JSON. @default '0.0.0' */
  readonly toolVersion?: string;
}

/** The formats `keywarden check --format` accepts. */
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** Severities from least to most serious. */
export const SEVERITIES: readonly Severity[] = ['note', 'warning', 'error'];

/** Whether `severity` is at or above `threshold`. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** Load error codes (`KWS…` from the spec loader, `KWP…` from the policy loader) are not rules. */
export function isLoadErrorCode(id: string): boolean {
  return /^KW[A-Z]\d+$/.test(id);
}

export function isLoadError(finding: Finding): boolean {
  return isLoadErrorCode(finding.ruleId);
}
