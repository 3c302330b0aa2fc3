// The project file (`keywarden.yaml`), resolved into a Project with defaults applied.
import type { Document } from 'yaml';
import type { Finding } from '../policy/finding.js';
import { loadError } from './errors.js';
import type { EnvironmentMode, Location, PathSegment, Project, ProjectEnvironment } from './model.js';
import { formatPath } from './field-path.js';
import { parseSource, type SourceLimits } from './parse-source.js';
import { API_VERSION, DEFAULT_NAMING_PATTERN, DEFAULT_NAMING_TEMPLATE, type ProjectDocument } from './schema.js';
import { schemaFindings, validateProject } from './schema-validator.js';
import type { SourceLocator } from './source-locator.js';

/** Environments used when there is no project file (or it names none). */
export const DEFAULT_ENVIRONMENTS: Readonly<Record<string, ProjectEnvironment>> = {
  production: { name: 'production', mode: 'live' },
  staging: { name: 'staging', mode: 'live' },
  development: { name: 'development', mode: 'test' },
};

/** Spec paths used when the project file names none. */
export const DEFAULT_SPECS: readonly string[] = ['keys'];

export const NAMING_PLACEHOLDERS: readonly string[] = ['environment', 'integration', 'service', 'name'];

/** The project used when there is no project file: default environments and naming. */
export function defaultProject(root: string): Project {
  return {
    root,
    environments: DEFAULT_ENVIRONMENTS,
    naming: DEFAULT_NAMING_TEMPLATE,
    namingPattern: DEFAULT_NAMING_PATTERN,
    integrators: [],
    scopeCatalogs: {},
    specs: DEFAULT_SPECS,
    policy: undefined,
    stack: {},
    locate: (path: readonly PathSegment[]): Location => ({ file: '<defaults>', line: 1, column: 1, path: formatPath(path) }),
  };
}

function namingFindings(template: string, pattern: string, doc: Document, locator: SourceLocator): Finding[] {
  const out: Finding[] = [];
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    if (!NAMING_PLACEHOLDERS.includes(m[1] as string)) {
      out.push(loadError('badNaming', locator.locate(doc, ['naming', 'template']), `naming.template uses {${m[1]}}; the placeholders are ${NAMING_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`));
    }
  }
  try {
    new RegExp(pattern);
  } catch (err) {
    out.push(loadError('badNaming', locator.locate(doc, ['naming', 'pattern']), `naming.pattern is not a valid regular expression: ${(err as Error).message}`));
  }
  return out;
}

/**
 * Resolves the project file `file` with content `text`; `root` is the directory its relative
 * paths are resolved against. Problems are appended to `errors`; parts that are broken fall
 * back to their defaults so that spec files can still be checked.
 */
export function projectFromSource(file: string, text: string, root: string, limits: SourceLimits, errors: Finding[]): Project {
  const fallback = defaultProject(root);
  const { locator, documents } = parseSource(file, text, limits, errors);
  const first = documents[0];
  if (!first) return { ...fallback, file };
  const { doc, data } = first;
  const locate = (path: readonly PathSegment[]): Location => locator.locate(doc, path);
  const record = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  if (record['apiVersion'] !== API_VERSION || record['kind'] !== 'Project') {
    errors.push(loadError('unknownKind', locate(record['kind'] !== 'Project' ? ['kind'] : ['apiVersion']), `the project file must hold apiVersion: ${API_VERSION} and kind: Project (found ${JSON.stringify(record['apiVersion'])} / ${JSON.stringify(record['kind'])})`));
    return { ...fallback, file, locate };
  }
  if (!validateProject(data)) {
    errors.push(...schemaFindings(validateProject.errors ?? [], data, doc, locator));
    return { ...fallback, file, locate };
  }
  const project = data as ProjectDocument;
  const naming = project.naming?.template ?? DEFAULT_NAMING_TEMPLATE;
  const namingPattern = project.naming?.pattern ?? DEFAULT_NAMING_PATTERN;
  const namingErrors = namingFindings(naming, namingPattern, doc, locator);
  errors.push(...namingErrors);
  // fromEntries defines own properties, so an environment named like an Object.prototype
  // member (`constructor`, `__proto__`) is an ordinary entry.
  const environments: Record<string, ProjectEnvironment> = Object.fromEntries(
    Object.entries(project.environments ?? {}).map(([name, env]) => [
      name,
      {
        name,
        mode: env.mode as EnvironmentMode,
        ...(env.endpoint !== undefined ? { endpoint: env.endpoint } : {}),
        ...(env.awsRegion !== undefined ? { awsRegion: env.awsRegion } : {}),
        ...(env.awsProfile !== undefined ? { awsProfile: env.awsProfile } : {}),
      },
    ]),
  );
  return {
    file,
    root,
    ...(project.name !== undefined ? { name: project.name } : {}),
    environments: project.environments ? environments : DEFAULT_ENVIRONMENTS,
    naming: namingErrors.length > 0 ? DEFAULT_NAMING_TEMPLATE : naming,
    namingPattern: namingErrors.length > 0 ? DEFAULT_NAMING_PATTERN : namingPattern,
    integrators: project.integrators ?? [],
    scopeCatalogs: project.scopeCatalogs ?? {},
    specs: project.specs ?? DEFAULT_SPECS,
    policy: project.policy,
    stack: project.stack ?? {},
    locate,
  };
}
