// JUnit XML for CI systems that render test reports (GitLab, Jenkins, Azure Pipelines,
// CircleCI): one <testsuite> per rule, so the report reads as "which policies pass"; one
// passing <testcase> for a rule without findings, else one <testcase> per finding (named after
// its key and field) with a <failure> when it is at or above --fail-on. Findings below the
// threshold pass and carry their message in <system-out>. Load errors are <error>s in their
// own suite.
import type { Finding } from '../finding.js';
import type { ReportInput } from './report.js';
import { atOrAbove, isLoadError } from './report.js';
import { relativePath, reportedRules, ruleCatalog, sortFindings, summarize, summaryLine } from './summary.js';

/** Escapes text and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;');
}

/** Like escapeXml but keeps line breaks literal (element text). */
function escapeText(value: string): string {
  return escapeXml(value).replace(/&#10;/g, '\n').replace(/&#13;/g, '');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

export function renderJunit(input: ReportInput): string {
  const failOn = input.failOn ?? 'error';
  const findings = sortFindings(input.findings);
  const describe = ruleCatalog(input);
  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  let totalErrors = 0;

  const caseFor = (f: Finding, tag: 'failure' | 'error' | null): string => {
    const uri = relativePath(f.file, input);
    const location = `${uri}:${f.line}:${f.column}`;
    const name = `${f.key ?? uri}${f.path ? ` ${f.path}` : ''}`;
    const detail = `${location} ${f.severity} ${f.ruleId}: ${f.message}\n${describe(f.ruleId).help}`;
    const open = `    <testcase${attrs({ classname: uri, name, file: uri, line: f.line })}>`;
    const body =
      tag === null
        ? `      <system-out>${escapeText(detail)}</system-out>`
        : `      <${tag}${attrs({ type: f.ruleId, message: f.message })}>${escapeText(detail)}</${tag}>`;
    return `${open}\n${body}\n    </testcase>`;
  };

  const suite = (name: string, cases: string[], failures: number, errors: number): void => {
    totalTests += cases.length;
    totalFailures += failures;
    totalErrors += errors;
    suites.push(
      `  <testsuite${attrs({ name, tests: cases.length, failures, errors, skipped: 0 })}>\n${cases.join('\n')}\n  </testsuite>`,
    );
  };

  const loadErrors = findings.filter(isLoadError);
  if (loadErrors.length > 0) {
    suite('load', loadErrors.map((f) => caseFor(f, 'error')), 0, loadErrors.length);
  }
  const loadErrorIds = new Set(loadErrors.map((f) => f.ruleId));
  for (const rule of reportedRules(input)) {
    if (loadErrorIds.has(rule.id)) continue;
    const mine = findings.filter((f) => f.ruleId === rule.id);
    const suiteName = `${rule.id} ${rule.title}`;
    if (mine.length === 0) {
      suite(suiteName, [`    <testcase${attrs({ classname: 'keywarden', name: suiteName })}/>`], 0, 0);
      continue;
    }
    let failures = 0;
    const cases = mine.map((f) => {
      const failing = atOrAbove(f.severity, failOn);
      if (failing) failures++;
      return caseFor(f, failing ? 'failure' : null);
    });
    suite(suiteName, cases, failures, 0);
  }

  const header = `<testsuites${attrs({ name: `keywarden check: ${summaryLine(summarize(input))}`, tests: totalTests, failures: totalFailures, errors: totalErrors })}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${header}\n${suites.join('\n')}\n</testsuites>\n`;
}
