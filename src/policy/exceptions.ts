// Policy exceptions: a rule switched off for one target, with a required reason and an expiry
// date. They come from packs, the project file, and the `keywarden.dev/exceptions` annotation
// of a spec (whose target is that spec). An expired exception no longer applies and is itself
// a finding (KW100); one that matched nothing is a warning (KW101).
import type { Location, PathSegment, ResolvedKey, SpecDocument } from '../spec/model.js';
import { parseEmbeddedYaml } from './embedded-yaml.js';
import { policyError } from './errors.js';
import { findingAt, type Finding, type RuleDescriptor } from './finding.js';
import { validateInlineExceptions } from './pack-schema.js';
import { settingsFindings, withoutInvalidEntries } from './settings-errors.js';

/** The annotation that holds a spec's own exceptions, as a YAML list in a string. */
export const EXCEPTIONS_ANNOTATION = 'keywarden.dev/exceptions';

/** An exception as written (after schema validation). */
export interface ExceptionDefinition {
  readonly rule: string;
  readonly key?: string;
  readonly spec?: string;
  readonly environment?: string;
  readonly reason: string;
  readonly expires: string;
}

export interface PolicyException extends ExceptionDefinition {
  /** First instant (ms since the epoch) at which the exception no longer applies. */
  readonly expiresAt: number;
  readonly location: Location;
  /** For inline exceptions: the annotated document, the only one the exception covers. */
  readonly document?: SpecDocument;
  used: boolean;
}

export const EXCEPTION_RULES: readonly RuleDescriptor[] = [
  {
    id: 'KW100',
    title: 'Expired policy exception',
    severity: 'error',
    help: 'The exception\'s expiry date has passed and it no longer applies. Fix what the exception covered, or renew the exception with a new date and a reason that still holds.',
    rationale: 'Exceptions are temporary by design: an expiry forces the team to revisit a risk it accepted.',
  },
  {
    id: 'KW101',
    title: 'Unused policy exception',
    severity: 'warning',
    help: 'Nothing the exception names fires any more (or the target does not exist): remove the exception.',
    rationale: 'Stale exceptions hide future problems: a key that is later added under the same name would be exempt without review.',
  },
];

/**
 * The instant an `expires` value ends: a date (`2027-01-31`) covers that whole day in UTC; a
 * full timestamp is exact. Undefined when it is not a real date.
 */
export function expiryInstant(expires: string): number | undefined {
  const day = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(expires);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const start = new Date(Date.UTC(y, m - 1, d));
    if (start.getUTCFullYear() !== y || start.getUTCMonth() !== m - 1 || start.getUTCDate() !== d) return undefined;
    return Date.UTC(y, m - 1, d + 1);
  }
  const t = Date.parse(expires);
  return Number.isNaN(t) ? undefined : t;
}

/** Builds exceptions from validated definitions; bad dates become errors. */
export function makeExceptions(
  definitions: readonly (ExceptionDefinition | null)[],
  locate: (path: readonly PathSegment[]) => Location,
  errors: Finding[],
  document?: SpecDocument,
): PolicyException[] {
  const out: PolicyException[] = [];
  definitions.forEach((definition, i) => {
    if (definition === null) return;
    const expiresAt = expiryInstant(definition.expires);
    if (expiresAt === undefined) {
      errors.push(policyError('invalidException', locate([i, 'expires']), `expiry date "${definition.expires}" is not a real date: write YYYY-MM-DD`));
      return;
    }
    out.push({ ...definition, expiresAt, location: locate([i]), ...(document ? { document } : {}), used: false });
  });
  return out;
}

/** The exceptions in the documents' `keywarden.dev/exceptions` annotations. */
export function inlineExceptions(documents: readonly SpecDocument[], sources: ReadonlyMap<string, string> | undefined, errors: Finding[]): PolicyException[] {
  const out: PolicyException[] = [];
  for (const document of documents) {
    const text = document.annotations[EXCEPTIONS_ANNOTATION];
    if (text === undefined) continue;
    const annotationPath: PathSegment[] = ['metadata', 'annotations', EXCEPTIONS_ANNOTATION];
    const embedded = parseEmbeddedYaml(text, document.locate(annotationPath), annotationPath, sources?.get(document.file));
    if (embedded.error) {
      errors.push(policyError('invalidException', embedded.error.location, `the ${EXCEPTIONS_ANNOTATION} annotation is not valid YAML (${embedded.error.message}): write a YAML list of exceptions`));
      continue;
    }
    let data = embedded.data;
    if (!validateInlineExceptions(data)) {
      const problems = validateInlineExceptions.errors ?? [];
      errors.push(...settingsFindings(problems, data, embedded.locate, annotationPath));
      // Keep the valid entries: wrap the list so it prunes like a settings section.
      const usable = Array.isArray(data) ? withoutInvalidEntries(problems.map((p) => ({ ...p, instancePath: `/list${p.instancePath}` })), { list: data }) : undefined;
      data = usable?.['list'] ?? [];
    }
    out.push(...makeExceptions(data as (ExceptionDefinition | null)[], embedded.locate, errors, document));
  }
  return out;
}

/** Whether `exception` covers a finding of its rule about `subject`. */
export function covers(exception: PolicyException, subject: ResolvedKey | SpecDocument | undefined): boolean {
  if (!subject) return false;
  const key = 'locate' in subject && 'environment' in subject ? (subject as ResolvedKey) : undefined;
  const document = key ? key.document : (subject as SpecDocument);
  if (exception.document && exception.document !== document) return false;
  if (exception.spec !== undefined && exception.spec !== document.name) return false;
  if (exception.key !== undefined && exception.key !== key?.name) return false;
  if (exception.environment !== undefined && exception.environment !== key?.environment) return false;
  return true;
}

/** KW100 for each expired exception, KW101 for each live one that matched nothing. */
export function exceptionFindings(exceptions: readonly PolicyException[], now: number): Finding[] {
  const out: Finding[] = [];
  for (const e of exceptions) {
    const target = [e.key && `key ${e.key}`, e.spec && `spec ${e.spec}`, e.environment && `environment ${e.environment}`, e.document && !e.spec && `spec ${e.document.name}`]
      .filter(Boolean)
      .join(', ');
    if (e.expiresAt <= now) {
      out.push(findingAt(e.location, 'KW100', 'error', `the exception to ${e.rule} for ${target} expired on ${e.expires}: fix the ${e.rule} finding or renew the exception with a reason that still holds`));
    } else if (!e.used) {
      out.push(findingAt(e.location, 'KW101', 'warning', `the exception to ${e.rule} for ${target} matches no finding: remove it`));
    }
  }
  return out;
}
