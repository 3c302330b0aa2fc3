// GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=…::message` line per
// finding, which GitHub turns into annotations on the pull request's changed files. Nothing else
// is printed: a clean run prints nothing.
import type { Severity } from '../finding.js';
import type { ReportInput } from './report.js';
import { relativePath, ruleCatalog, sortFindings } from './summary.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** Escapes a command's message: %, CR and LF. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value: as data, plus the `:` and `,` that delimit properties. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(input: ReportInput): string {
  const describe = ruleCatalog(input);
  const lines = sortFindings(input.findings).map((f) => {
    const props = [
      `file=${escapeProperty(relativePath(f.file, input))}`,
      `line=${Math.max(1, f.line)}`,
      `col=${Math.max(1, f.column)}`,
      `title=${escapeProperty(`${f.ruleId} ${describe(f.ruleId).title}`)}`,
    ];
    const where = f.key ? ` (key ${f.key}, ${f.path})` : f.path ? ` (${f.path})` : '';
    return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message + where)}`;
  });
  // Nothing but commands: the CLI logs the summary to stderr, which the job log shows anyway.
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
