// Reading policy packs: every *.yaml / *.yml file of a pack directory holds `kind: PolicyPack`
// documents; the project file's `policy` section is the last layer. Problems are findings.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Location, Project } from '../spec/model.js';
import { DEFAULT_LIMITS, parseSource } from '../spec/parse-source.js';
import { policyError } from './errors.js';
import type { Finding } from './finding.js';
import { validatePackDocument, validateProjectPolicy } from './pack-schema.js';
import { settingsFindings, withoutInvalidEntries } from './settings-errors.js';
import { documentSource, projectSource, type SettingsSource } from './settings-source.js';

/** The package's own `policies/` folder (the default pack), found from this module's location. */
export const DEFAULT_POLICIES_DIR: string = fileURLToPath(new URL('../../policies/', import.meta.url));

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? file : relative;
}

/** A directory's pack documents as read, and the files' names, sizes and times they were read from. */
interface PackRead {
  readonly signature: string;
  readonly sources: readonly SettingsSource[];
  readonly errors: readonly Finding[];
}

/**
 * Pack directories already read, by path: the operator and the admission webhook check every
 * ApiKey against the same pack, and parsing it was half the cost of a check. A directory is read
 * again when a file is added, removed or changed (name, size, modification time) or the working
 * directory (which the shown paths are relative to) changed.
 */
const packReads = new Map<string, PackRead>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The pack documents of one directory, in file-name order. */
export function readPackDirectory(dir: string, referencedAt: Location | undefined, errors: Finding[]): SettingsSource[] {
  const at = referencedAt ?? { file: shown(dir), line: 1, column: 1, path: '' };
  let names: string[];
  let signature: string;
  try {
    if (!statSync(dir).isDirectory()) {
      errors.push(policyError('packNotFound', at, `policy pack ${shown(dir)} is not a directory: give the directory that holds the pack's YAML files`));
      return [];
    }
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
    signature = [process.cwd(), ...names.map((name) => {
      const stat = statSync(path.join(dir, name), { throwIfNoEntry: false });
      return `${name}:${stat?.size ?? -1}:${stat?.mtimeMs ?? -1}`;
    })].join('\n');
  } catch {
    errors.push(policyError('packNotFound', at, `policy pack directory ${shown(dir)} does not exist: check the path`));
    return [];
  }
  const known = packReads.get(dir);
  if (known !== undefined && known.signature === signature) {
    errors.push(...known.errors);
    return [...known.sources];
  }
  const own: Finding[] = [];
  // Frozen: a later check must see the settings exactly as read.
  const sources = deepFreeze(readPackFiles(dir, names, own));
  packReads.set(dir, { signature, sources, errors: own });
  errors.push(...own);
  return [...sources];
}

function readPackFiles(dir: string, names: readonly string[], errors: Finding[]): SettingsSource[] {
  const sources: SettingsSource[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const file = shown(full);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (err) {
      errors.push(policyError('packNotFound', { file, line: 1, column: 1, path: '' }, `policy file ${file} cannot be read: ${(err as Error).message}`));
      continue;
    }
    const { locator, documents } = parseSource(file, text, DEFAULT_LIMITS, errors);
    for (const { doc, data } of documents) {
      const source = documentSource(data, [], dir, doc, locator, text);
      if (validatePackDocument(data)) {
        sources.push(source);
        continue;
      }
      const problems = validatePackDocument.errors ?? [];
      errors.push(...settingsFindings(problems, data, source.locate, []));
      // A document of another kind is not a pack at all; otherwise keep what is valid.
      if (problems.some((p) => p.instancePath === '/kind' || p.instancePath === '/apiVersion')) continue;
      const usable = withoutInvalidEntries(problems, data);
      if (usable) sources.push({ ...source, data: usable });
    }
  }
  return sources;
}

/**
 * Every layer of policy settings in the order they apply: the base pack (`policiesDir`, or
 * the package's default pack), the project's `policy.packs`, then the project's own `policy`.
 */
export function settingsLayers(
  project: Project,
  sources: ReadonlyMap<string, string> | undefined,
  policiesDir: string | undefined,
  errors: Finding[],
): SettingsSource[] {
  const layers = readPackDirectory(policiesDir ?? DEFAULT_POLICIES_DIR, undefined, errors);
  if (project.policy === undefined || project.policy === null) return layers;
  const own = projectSource(project, sources);
  let policy: unknown = project.policy;
  if (!validateProjectPolicy(policy)) {
    const problems = validateProjectPolicy.errors ?? [];
    errors.push(...settingsFindings(problems, policy, own.locate, ['policy']));
    policy = withoutInvalidEntries(problems, policy);
    if (policy === undefined) return layers;
  }
  const packs = ((policy as { packs?: readonly (string | null)[] }).packs ?? []);
  packs.forEach((dir, i) => {
    if (dir !== null) layers.push(...readPackDirectory(path.resolve(project.root, dir), own.locate(['packs', i]), errors));
  });
  layers.push({ ...own, data: policy });
  return layers;
}
