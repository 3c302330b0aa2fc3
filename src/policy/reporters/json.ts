// The JSON report: a stable, documented shape (docs/cli.md) for scripts. `version` changes
// only when a field is removed or changes meaning; new fields may appear at any time.
import type { RuleDescriptor, Severity } from '../finding.js';
import type { ReportInput } from './report.js';
import { atOrAbove } from './report.js';
import { relativePath, reportedRules, sortFindings, summarize } from './summary.js';

export const JSON_REPORT_VERSION = 1;

export interface JsonReport {
  readonly version: typeof JSON_REPORT_VERSION;
  readonly tool: { readonly name: 'keywarden'; readonly version: string };
  readonly summary: {
    readonly errors: number;
    readonly warnings: number;
    readonly notes: number;
    readonly filesChecked: number;
    readonly filesWithFindings: number;
    /** Absent when the number of keys is unknown (e.g. nothing could be loaded). */
    readonly keysChecked?: number;
    readonly failOn: Severity;
    /** Whether any finding is at or above `failOn`. */
    readonly failed: boolean;
  };
  readonly findings: ReadonlyArray<{
    readonly ruleId: string;
    readonly severity: Severity;
    readonly message: string;
    /** As given (relative to the working directory). */
    readonly file: string;
    /** Relative to the repository root, forward slashes. */
    readonly uri: string;
    readonly line: number;
    readonly column: number;
    readonly path: string;
    readonly key?: string;
  }>;
  /** Every rule that ran, then descriptors for codes only findings mention (load errors). */
  readonly rules: readonly RuleDescriptor[];
}

export function jsonReport(input: ReportInput): JsonReport {
  const summary = summarize(input);
  const failOn = input.failOn ?? 'error';
  const findings = sortFindings(input.findings);
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: 'keywarden', version: input.toolVersion ?? '0.0.0' },
    summary: {
      errors: summary.errors,
      warnings: summary.warnings,
      notes: summary.notes,
      filesChecked: summary.filesChecked,
      filesWithFindings: summary.filesWithFindings,
      ...(summary.keysChecked === undefined ? {} : { keysChecked: summary.keysChecked }),
      failOn,
      failed: findings.some((f) => atOrAbove(f.severity, failOn)),
    },
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: f.file,
      uri: relativePath(f.file, input),
      line: f.line,
      column: f.column,
      path: f.path,
      ...(f.key ? { key: f.key } : {}),
    })),
    rules: reportedRules(input),
  };
}

export function renderJson(input: ReportInput): string {
  return `${JSON.stringify(jsonReport(input), null, 2)}\n`;
}
