// Turning ajv's errors on policy settings into policy load errors at the offending YAML node.
import type { ErrorObject } from 'ajv';
import { didYouMean } from '../spec/did-you-mean.js';
import { formatPath, pointerToPath } from '../spec/field-path.js';
import type { Location, PathSegment } from '../spec/model.js';
import { policyError } from './errors.js';
import type { Finding } from './finding.js';

/** Finds the node at a path below the settings being validated; `key` points at the field name. */
export type SettingsLocator = (path: readonly PathSegment[], anchor?: 'auto' | 'key') => Location;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

/** Findings for ajv `errors` raised on `data`; `prefix` is the path of `data` in its file, for messages. */
export function settingsFindings(errors: readonly ErrorObject[], data: unknown, locate: SettingsLocator, prefix: readonly PathSegment[]): Finding[] {
  // An anyOf of `required` alternatives says it best in one message; drop its branches' errors.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const findings: Finding[] = [];
  for (const e of errors) {
    if (anyOfPaths.has(e.instancePath) && e.schemaPath.includes('/anyOf/')) continue;
    const path = pointerToPath(e.instancePath, data);
    const where = formatPath([...prefix, ...path]) || 'the document';
    const kind = path.includes('exceptions') || prefix.includes('keywarden.dev/exceptions') ? 'invalidException' : 'invalidSettings';
    const parent = (e.parentSchema ?? {}) as { properties?: Record<string, unknown>; anyOf?: { required: string[] }[]; description?: string };
    let finding: Finding;
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = String((e.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys(parent.properties ?? {});
        const guess = didYouMean(field, known);
        finding = policyError(kind, locate([...path, field], 'key'), `unknown field "${field}" in ${where}${guess ? `; did you mean "${guess}"?` : `; known fields: ${known.join(', ')}`}`);
        break;
      }
      case 'required':
        finding = policyError(kind, locate(path), `${where} is missing the required field "${String((e.params as { missingProperty: string }).missingProperty)}"`);
        break;
      case 'anyOf': {
        const options = (parent.anyOf ?? []).map((alt) => alt.required.join(' and '));
        finding = policyError(kind, locate(path), `${where} needs ${options.length > 0 ? `one of: ${options.join(', ')}` : 'another form'}`);
        break;
      }
      case 'enum':
      case 'const': {
        const allowed = e.keyword === 'const' ? [(e.params as { allowedValue: unknown }).allowedValue] : (e.params as { allowedValues: unknown[] }).allowedValues;
        const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined;
        finding = policyError(kind, locate(path), `${where} must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}, not ${typeName(e.data)}${guess ? `; did you mean "${guess}"?` : ''}`);
        break;
      }
      case 'pattern': {
        const why = parent.description ? ` (${parent.description})` : ` (must match ${(e.params as { pattern: string }).pattern})`;
        finding = policyError(kind, locate(path), `${where}: ${typeName(e.data)} is not valid${why}`);
        break;
      }
      default:
        finding = policyError(kind, locate(path), `${where} ${e.message ?? 'is not valid'}${e.keyword === 'type' ? `, not ${typeName(e.data)}` : ''}`);
    }
    findings.push(finding);
  }
  return findings;
}

/**
 * A copy of settings `data` without the entries ajv found fault with, so that one bad rule or
 * exception does not take the rest of the settings down with it: an error under
 * `section[entry]` drops that entry (a list entry becomes null), an unknown top-level field drops that field, an error on a
 * whole section drops the section. Undefined when the data as a whole is unusable.
 */
export function withoutInvalidEntries(errors: readonly ErrorObject[], data: unknown): Record<string, unknown> | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  const dropped = new Map<string, Set<string>>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath, data);
    const [section, entry] = path;
    if (section === undefined) {
      if (e.keyword !== 'additionalProperties') return undefined;
      delete copy[String((e.params as { additionalProperty: string }).additionalProperty)];
    } else if (entry === undefined) {
      delete copy[String(section)];
    } else {
      const set = dropped.get(String(section)) ?? new Set<string>();
      set.add(String(entry));
      dropped.set(String(section), set);
    }
  }
  for (const [section, entries] of dropped) {
    const value = copy[section];
    // Array entries become null rather than going away, so that later indices keep pointing at their YAML nodes.
    if (Array.isArray(value)) copy[section] = value.map((item, i) => (entries.has(String(i)) ? null : item));
    else if (value !== null && typeof value === 'object') copy[section] = Object.fromEntries(Object.entries(value).filter(([k]) => !entries.has(k)));
  }
  return copy;
}
