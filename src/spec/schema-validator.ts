// Schema validation with ajv, compiled once per process, and the translation of ajv's
// errors into load-error findings with the position of the offending YAML node.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Document } from 'yaml';
import type { Finding } from '../policy/finding.js';
import { didYouMean } from './did-you-mean.js';
import { loadError } from './errors.js';
import { formatPath, pointerToPath } from './field-path.js';
import type { PathSegment } from './model.js';
import { apiKeySchema, DURATION_PATTERN, projectSchema } from './schema.js';
import type { SourceLocator } from './source-locator.js';

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });

/** Validates an ApiKey document (plain data). */
export const validateApiKey: ValidateFunction = ajv.compile(apiKeySchema);
/** Validates a project document (plain data). */
export const validateProject: ValidateFunction = ajv.compile(projectSchema);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value}"`;
  return `the ${typeof value} ${String(value)}`;
}

function where(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the document' : formatPath(path);
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

function expectedTypes(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

/** Findings for ajv `errors` raised on `data`, positioned in `doc`. */
export function schemaFindings(
  errors: readonly ErrorObject[],
  data: unknown,
  doc: Document,
  locator: SourceLocator,
): Finding[] {
  const findings: Finding[] = [];
  for (const e of errors) {
    const path = pointerToPath(e.instancePath, data);
    const parent = (e.parentSchema ?? {}) as { pattern?: string; description?: string; properties?: Record<string, unknown> };
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = String((e.params as { additionalProperty: string }).additionalProperty);
        const full = [...path, field];
        const suggestion = didYouMean(field, Object.keys(parent.properties ?? {}));
        const hint = suggestion ? `; did you mean "${suggestion}"?` : `; known fields: ${Object.keys(parent.properties ?? {}).join(', ')}`;
        findings.push(loadError('unknownField', locator.locate(doc, full, 'key'), `unknown field "${field}" in ${where(path)}${hint}`));
        break;
      }
      case 'required': {
        const field = String((e.params as { missingProperty: string }).missingProperty);
        findings.push(loadError('missingField', locator.locate(doc, path), `${where(path)} is missing the required field "${field}"`));
        break;
      }
      case 'type': {
        const expected = expectedTypes((e.params as { type: unknown }).type);
        if (parent.pattern === DURATION_PATTERN) {
          findings.push(loadError('badDuration', locator.locate(doc, path), `${where(path)} must be a duration such as 30d, 24h or 90m, not ${typeName(e.data)}; add a unit`));
        } else {
          const hint = e.data === null && expected === 'a mapping' ? ' (write {} for an empty mapping)' : '';
          findings.push(loadError('wrongType', locator.locate(doc, path), `${where(path)} must be ${expected}, not ${typeName(e.data)}${hint}`));
        }
        break;
      }
      case 'pattern': {
        const pattern = (e.params as { pattern: string }).pattern;
        if (pattern === DURATION_PATTERN) {
          findings.push(loadError('badDuration', locator.locate(doc, path), `${where(path)}: "${String(e.data)}" is not a duration; write an integer and one unit (s, m, h, d, w), e.g. 30d, 24h, 90m`));
        } else {
          const why = parent.description ? `: ${parent.description}` : ` (must match ${pattern})`;
          findings.push(loadError('invalidValue', locator.locate(doc, path), `${where(path)}: "${String(e.data)}" is not valid${why}`));
        }
        break;
      }
      case 'const':
      case 'enum': {
        const allowed = e.keyword === 'const' ? [(e.params as { allowedValue: unknown }).allowedValue] : ((e.params as { allowedValues: unknown[] }).allowedValues);
        const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined;
        const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
        findings.push(loadError('invalidValue', locator.locate(doc, path), `${where(path)} must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}, not ${typeName(e.data)}${hint}`));
        break;
      }
      case 'minProperties':
      case 'maxProperties': {
        const inDelivery = path.length >= 2 && path[path.length - 2] === 'delivery';
        const message = inDelivery
          ? `${where(path)} must name exactly one destination: awsSecretsManager, kubernetesSecret or file`
          : `${where(path)} ${e.message ?? 'has the wrong number of entries'}`;
        findings.push(loadError('invalidValue', locator.locate(doc, path), message));
        break;
      }
      case 'uniqueItems': {
        const { i, j } = e.params as { i: number; j: number };
        const [first, second] = i < j ? [i, j] : [j, i];
        findings.push(loadError('invalidValue', locator.locate(doc, [...path, second]), `${where(path)} lists ${JSON.stringify((e.data as unknown[])[second])} twice (items ${first} and ${second}); remove one`));
        break;
      }
      default:
        findings.push(loadError('invalidValue', locator.locate(doc, path), `${where(path)} ${e.message ?? 'is not valid'}`));
    }
  }
  return findings.sort(byPosition);
}

/** Orders findings by line, then column (stable), as a reader meets them. */
export function byPosition(a: Finding, b: Finding): number {
  return a.line - b.line || a.column - b.column;
}
