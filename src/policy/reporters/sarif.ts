// SARIF 2.1.0, as GitHub code scanning accepts it (upload with github/codeql-action/upload-sarif):
// one run, the rules that ran in tool.driver.rules, one result per finding with a
// repository-relative location and a line hash that survives unrelated edits.
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding, Severity } from '../finding.js';
import { lineHashes } from './fingerprint.js';
import { type ReportInput, isLoadErrorCode } from './report.js';
import { relativePath, reportedRules, sortFindings } from './summary.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_NAME = 'keywarden';
export const TOOL_INFORMATION_URI = 'https://keywarden.dev';
/** The base id every artifact location is relative to: the repository root. */
export const SOURCE_ROOT = '%SRCROOT%';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', note: 'note' };
/**
 * GitHub code scanning ranks rules tagged `security` by this CVSS-like score: error → High,
 * warning → Medium, note → Low. Policy rules are about credentials, so they are security rules.
 */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.5', warning: '5.0', note: '2.0' };

/** A relative path as a URI reference: each segment percent-encoded, forward slashes. */
function toUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The SARIF log as an object (see `renderSarif` for the text). */
export function sarifLog(input: ReportInput): Log {
  const findings = sortFindings(input.findings);
  const described = reportedRules(input);
  const ruleIndex = new Map(described.map((r, i) => [r.id, i]));

  const rules: ReportingDescriptor[] = described.map((rule) => {
    const id = rule.id;
    return {
      id,
      name: ruleName(rule.title),
      shortDescription: { text: rule.title },
      fullDescription: { text: rule.rationale },
      help: { text: rule.help, markdown: `**${rule.title}** (${id})\n\n${rule.help}\n\n*Why:* ${rule.rationale}` },
      defaultConfiguration: { level: LEVEL[rule.severity] },
      ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
      properties: isLoadErrorCode(id)
        ? { tags: ['keywarden'] }
        : { tags: ['security', 'keywarden', 'api-keys'], precision: 'very-high', 'security-severity': SECURITY_SEVERITY[rule.severity] },
    };
  });

  const uriOf = (f: Finding): string => toUri(relativePath(f.file, input));
  const hashes = lineHashes(findings, uriOf, input.sources);
  const results: Result[] = findings.map((f, i) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId) ?? 0,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOf(f), uriBaseId: SOURCE_ROOT },
          region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) },
        },
        ...(f.path ? { logicalLocations: [{ fullyQualifiedName: f.key ? `${f.key}/${f.path}` : f.path, kind: 'member' }] } : {}),
      },
    ],
    partialFingerprints: { primaryLocationLineHash: hashes[i] ?? '' },
    ...(f.key ? { properties: { key: f.key, path: f.path } } : { properties: { path: f.path } }),
  }));

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: input.toolVersion ?? '0.0.0',
            informationUri: TOOL_INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: `${pathToFileURL(input.root).href.replace(/\/?$/, '/')}` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

/** "No wildcard scopes" → "NoWildcardScopes" (SARIF's optional rule name). */
function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

export function renderSarif(input: ReportInput): string {
  return `${JSON.stringify(sarifLog(input), null, 2)}\n`;
}
