// Reporters: turn the findings of a check into text, JSON, SARIF, JUnit XML or GitHub
// workflow commands. Every reporter is pure and takes the same ReportInput.
import { renderGithub } from './github.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import type { Format, ReportInput } from './report.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export type { Format, ReportInput } from './report.js';
export { FORMATS, SEVERITIES, atOrAbove, isFormat, isLoadError } from './report.js';
export { summarize, summaryLine, relativePath, sortFindings } from './summary.js';
export type { Summary } from './summary.js';
export { renderText } from './text.js';
export type { TextOptions } from './text.js';
export { renderJson, jsonReport, JSON_REPORT_VERSION } from './json.js';
export type { JsonReport } from './json.js';
export { renderSarif, sarifLog } from './sarif.js';
export { renderJunit } from './junit.js';
export { renderGithub } from './github.js';

export interface RenderOptions {
  /** ANSI colours in the text format. @default false */
  readonly color?: boolean;
}

/** The report in `format`, as the text to write. */
export function render(format: Format, input: ReportInput, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(input, { color: options.color ?? false });
    case 'json':
      return renderJson(input);
    case 'sarif':
      return renderSarif(input);
    case 'junit':
      return renderJunit(input);
    case 'github':
      return renderGithub(input);
  }
}
