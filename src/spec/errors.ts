// The catalog of load errors: everything that stops a spec or project file from loading.
// Codes are permanent and never reused; policy rules use KW..., load errors KWS....
import type { Finding, Severity } from '../policy/finding.js';
import type { Location } from './model.js';

export interface LoadErrorDescriptor {
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  /** What to do about it. */
  readonly help: string;
}

function entry(code: string, title: string, help: string, severity: Severity = 'error'): LoadErrorDescriptor {
  return { code, title, severity, help };
}

export const LOAD_ERRORS = {
  yamlSyntax: entry('KWS001', 'YAML syntax error', 'Fix the YAML at the position shown; a YAML linter or the editor schema helps.'),
  duplicateKey: entry('KWS002', 'Duplicate key', 'Each key may appear once per mapping; remove or merge the repeated one.'),
  unknownField: entry('KWS003', 'Unknown field', 'Remove the field or correct its spelling; the reference lists every field (docs/spec.md).'),
  wrongType: entry('KWS004', 'Wrong type', 'Write a value of the type the field expects (docs/spec.md).'),
  invalidValue: entry('KWS005', 'Invalid value', 'Write a value the field accepts (docs/spec.md).'),
  missingField: entry('KWS006', 'Missing required field', 'Add the field.'),
  badDuration: entry('KWS007', 'Bad duration', 'Write an integer and one unit: s, m, h, d or w (e.g. 90m, 24h, 30d, 2w).'),
  badCidr: entry('KWS008', 'Bad CIDR', 'Write a network address with its prefix length and no host bits set, e.g. 203.0.113.0/24 or 2001:db8::/32.'),
  badCron: entry('KWS009', 'Bad cron expression', 'Write five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * 0".'),
  fileTooLarge: entry('KWS010', 'File too large', 'Split the file; spec files over the size limit are refused.'),
  tooManyAliases: entry('KWS011', 'Too many YAML aliases', 'Expand the aliases by hand; documents that alias this much are refused as a resource-exhaustion attack.'),
  nestingTooDeep: entry('KWS012', 'Nesting too deep', 'Flatten the document; nesting this deep is refused as a resource-exhaustion attack.'),
  unknownKind: entry('KWS013', 'Unknown apiVersion or kind', 'Spec files hold `apiVersion: keywarden.dev/v1alpha1` with `kind: ApiKey`; the project file holds `kind: Project`.'),
  fileNotFound: entry('KWS014', 'File not found', 'Check the path; it is resolved against the current directory (or the project file\'s directory for `specs`).'),
  unknownEnvironment: entry('KWS015', 'Unknown environment', 'Use an environment the project file defines, or add it there.'),
  badRotation: entry('KWS016', 'Bad rotation', 'Give exactly one of `every` and `schedule`.'),
  noDocuments: entry('KWS017', 'No spec documents', 'The path holds no *.yaml or *.yml file with a document; check the path.', 'warning'),
  badNaming: entry('KWS018', 'Bad naming settings', 'The naming template may use {environment}, {integration}, {service} and {name}; the pattern must be a valid regular expression.'),
  unreadable: entry('KWS019', 'File unreadable', 'Check the file\'s permissions and that it is UTF-8 text.'),
} as const satisfies Record<string, LoadErrorDescriptor>;

export type LoadErrorKind = keyof typeof LOAD_ERRORS;

/** Every load error descriptor, ordered by code (for reporters and docs). */
export const LOAD_ERROR_LIST: readonly LoadErrorDescriptor[] = Object.values(LOAD_ERRORS).sort((a, b) => a.code.localeCompare(b.code));

/** A load error as a Finding at `location`. */
export function loadError(kind: LoadErrorKind, location: Location, message: string): Finding {
  const d = LOAD_ERRORS[kind];
  return { ruleId: d.code, severity: d.severity, message, file: location.file, line: location.line, column: location.column, path: location.path };
}
