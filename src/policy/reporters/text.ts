// The human report: findings grouped by file, each with its position, severity, message, rule
// id, the key and field it is about and a code frame; then one summary line. Colour is the
// caller's decision (on a terminal only, see src/cli/terminal.ts).
import { codeFrame } from '../../spec/index.js';
import type { Finding, Severity } from '../finding.js';
import type { ReportInput } from './report.js';
import { sortFindings, summarize, summaryLine } from './summary.js';

export interface TextOptions {
  /** Whether to add ANSI colours. @default false */
  readonly color?: boolean;
  /** Whether to print code frames. @default true */
  readonly codeFrames?: boolean;
}

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'green';
const ANSI: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  green: [32, 39],
};
/** Lines of source shown above and below a finding's line. */
const FRAME_CONTEXT_LINES = 1;
const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', note: 'cyan' };

export function renderText(input: ReportInput, options: TextOptions = {}): string {
  const paint = (style: Style, text: string): string =>
    options.color ? `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m` : text;
  const frames = options.codeFrames ?? true;

  const byFile = new Map<string, Finding[]>();
  for (const f of sortFindings(input.findings)) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }

  const out: string[] = [];
  for (const [file, findings] of byFile) {
    out.push(paint('bold', file));
    const source = input.sources.get(file);
    let previous: Finding | undefined;
    for (const f of findings) {
      const position = `${f.line}:${f.column}`;
      out.push(`  ${paint('dim', position)}  ${paint(SEVERITY_STYLE[f.severity], f.severity)}  ${f.message}  ${paint('dim', f.ruleId)}`);
      const about = [f.key ? `key ${f.key}` : '', f.path].filter(Boolean).join(' · ');
      if (about) out.push(`    ${paint('dim', about)}`);
      // One frame per position: a spec-level problem repeated for each key shows its code once.
      const samePlace = previous !== undefined && previous.line === f.line && previous.column === f.column;
      previous = f;
      const frame = frames && source !== undefined && !samePlace ? codeFrame(source, f.line, f.column, FRAME_CONTEXT_LINES) : '';
      if (frame) {
        for (const line of frame.split('\n')) {
          const marked = line.startsWith('>') || /^\s+\|\s*\^$/.test(line);
          out.push(`    ${marked ? line.replace(/\^$/, paint(SEVERITY_STYLE[f.severity], '^')) : paint('dim', line)}`);
        }
      }
    }
    out.push('');
  }

  const summary = summarize(input);
  const line = summaryLine(summary);
  const style: Style = summary.errors > 0 ? 'red' : summary.warnings > 0 ? 'yellow' : 'green';
  out.push(paint(style, line));
  return `${out.join('\n')}\n`;
}
