// Counting and ordering shared by the reporters, so every format agrees on both.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding, RuleDescriptor } from '../finding.js';
import type { ReportInput } from './report.js';

export interface Summary {
  readonly errors: number;
  readonly warnings: number;
  readonly notes: number;
  /** Files with at least one finding. */
  readonly filesWithFindings: number;
  readonly filesChecked: number;
  readonly keysChecked?: number;
}

/** Findings in report order: by file, line, column, rule id, message, key. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.message, b.message) ||
      compare(a.key ?? '', b.key ?? '') ||
      compare(a.path, b.path),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function summarize(input: ReportInput): Summary {
  let errors = 0;
  let warnings = 0;
  let notes = 0;
  const files = new Set<string>();
  for (const f of input.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else notes++;
    files.add(f.file);
  }
  return {
    errors,
    warnings,
    notes,
    filesWithFindings: files.size,
    filesChecked: input.filesChecked ?? input.sources.size,
    ...(input.keysChecked === undefined ? {} : { keysChecked: input.keysChecked }),
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One line: "3 errors, 1 warning in 2 files (12 keys checked)" or "No problems in 5 files (...)". */
export function summaryLine(summary: Summary): string {
  const keys = summary.keysChecked === undefined ? '' : ` (${plural(summary.keysChecked, 'key')} checked)`;
  if (summary.errors + summary.warnings + summary.notes === 0) {
    return `No problems in ${plural(summary.filesChecked, 'file')}${keys}`;
  }
  const parts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning')];
  if (summary.notes > 0) parts.push(plural(summary.notes, 'note'));
  return `${parts.join(', ')} in ${plural(summary.filesWithFindings, 'file')}${keys}`;
}

/**
 * The path of `file` relative to the report root with forward slashes, e.g. `keys/bot.yaml`.
 * Non-file names such as `<stdin>` are returned unchanged.
 */
export function relativePath(file: string, input: Pick<ReportInput, 'root' | 'cwd'>): string {
  if (file.startsWith('<')) return file;
  const absolute = isAbsolute(file) ? file : resolve(input.cwd ?? input.root, file);
  const rel = relative(input.root, absolute);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** Rule descriptors by id, with a generic descriptor for ids that no rule describes (load errors). */
export function ruleCatalog(input: ReportInput): (id: string) => RuleDescriptor {
  const byId = new Map([...(input.errorCatalog ?? []), ...input.rules].map((r) => [r.id, r]));
  return (id) => {
    const known = byId.get(id);
    if (known) return known;
    const generic: RuleDescriptor = {
      id,
      title: /^KWS/.test(id) ? 'Spec cannot be loaded' : /^KWP/.test(id) ? 'Policy cannot be loaded' : id,
      severity: 'error',
      help: 'Fix the file at the reported position; the message says what is wrong.',
      rationale: 'Keywarden checks only what it can load: a file it cannot read is an error.',
    };
    byId.set(id, generic);
    return generic;
  };
}

/** The rules that ran, in their order, then descriptors for ids only findings mention (load errors). */
export function reportedRules(input: ReportInput): RuleDescriptor[] {
  const describe = ruleCatalog(input);
  const rules = [...input.rules];
  const ids = new Set(rules.map((r) => r.id));
  for (const f of sortFindings(input.findings)) {
    if (!ids.has(f.ruleId)) {
      ids.add(f.ruleId);
      rules.push(describe(f.ruleId));
    }
  }
  return rules;
}
