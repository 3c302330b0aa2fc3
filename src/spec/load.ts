// The loader: project file, spec files (files, directories, stdin), schema validation,
// value checks and expansion. Every problem is a finding in `errors`; nothing throws on bad input.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../policy/finding.js';
import { loadError } from './errors.js';
import { expandDocument } from './expand.js';
import { LazySource } from './lazy-source.js';
import type { Project, ResolvedKey, SpecDocument } from './model.js';
import { parseSource, DEFAULT_LIMITS, type SourceLimits } from './parse-source.js';
import { defaultProject, projectFromSource } from './project.js';
import { API_VERSION, type ApiKeyDocument } from './schema.js';
import { byPosition, schemaFindings, validateApiKey } from './schema-validator.js';
import { LoadedDocument } from './spec-document.js';
import { apiKeyValueFindings } from './value-checks.js';

/** Options of `loadSpecs`. */
export interface LoadOptions {
  /** Project file. @default `keywarden.yaml` in `cwd` when it exists, else built-in defaults */
  readonly projectFile?: string;
  /** Directory relative paths are resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** Largest accepted spec or project file, in bytes. @default 1 MiB (1048576) */
  readonly maxFileBytes?: number;
  /** Deepest accepted nesting of mappings and lists. @default 64 */
  readonly maxDepth?: number;
  /** Reads standard input (for the path `-`). @default reads process.stdin */
  readonly readStdin?: () => Promise<string>;
}

export interface LoadResult {
  readonly project: Project;
  /** Schema-valid ApiKey documents, in file order then document order. */
  readonly documents: SpecDocument[];
  /** Resolved keys of the documents that loaded without errors. */
  readonly keys: ResolvedKey[];
  /** Load errors (codes KWS...), in file order. */
  readonly errors: Finding[];
  /** File → text, for code frames (the project file included). */
  readonly sources: ReadonlyMap<string, string>;
}

/** File names skipped when walking directories: they are project files, not specs. */
const PROJECT_FILE_NAMES: ReadonlySet<string> = new Set(['keywarden.yaml', 'keywarden.yml']);
/** Directories never walked into. */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['node_modules']);
const STDIN_NAME = '<stdin>';

function limitsOf(options: { maxFileBytes?: number; maxDepth?: number } | undefined): SourceLimits {
  return {
    ...DEFAULT_LIMITS,
    ...(options?.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options?.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
  };
}

/** Loads the ApiKey documents of `files` (name → text) in that order, against `project`. */
function loadTexts(files: Iterable<readonly [string, string]>, project: Project, limits: SourceLimits, errors: Finding[]): { documents: SpecDocument[]; keys: ResolvedKey[] } {
  const documents: SpecDocument[] = [];
  const keys: ResolvedKey[] = [];
  for (const [file, text] of files) {
    const { locator, documents: parsed } = parseSource(file, text, limits, errors);
    const source = new LazySource(file, text);
    for (const { index, doc, data } of parsed) {
      const record = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
      if (!record || record['apiVersion'] !== API_VERSION || record['kind'] !== 'ApiKey') {
        const badField = !record ? [] : record['apiVersion'] !== API_VERSION ? ['apiVersion'] : ['kind'];
        const found = record ? `apiVersion ${JSON.stringify(record['apiVersion'])}, kind ${JSON.stringify(record['kind'])}` : 'no mapping';
        const extra = record?.['kind'] === 'Project' ? '; project files are found by name (keywarden.yaml), not among the specs' : '';
        errors.push(loadError('unknownKind', locator.locate(doc, badField), `expected apiVersion: ${API_VERSION} and kind: ApiKey, found ${found}${extra}`));
        continue;
      }
      const found = validateApiKey(data) ? [] : schemaFindings(validateApiKey.errors ?? [], data, doc, locator);
      found.push(...apiKeyValueFindings(data, doc, locator));
      if (found.length > 0) {
        errors.push(...found.sort(byPosition));
        continue;
      }
      const document = new LoadedDocument(file, index, data as ApiKeyDocument, source);
      documents.push(document);
      keys.push(...expandDocument(document, project, errors));
    }
  }
  return { documents, keys };
}

/**
 * Loads spec documents from strings (file name → YAML text), with `options.project` as the
 * project file's text (named `keywarden.yaml`) or the default project. Pure and synchronous.
 */
export function loadFromStrings(
  files: Readonly<Record<string, string>>,
  options?: { readonly project?: string; readonly maxFileBytes?: number; readonly maxDepth?: number },
): LoadResult {
  const errors: Finding[] = [];
  const limits = limitsOf(options);
  const sources = new Map<string, string>();
  let project = defaultProject('.');
  if (options?.project !== undefined) {
    sources.set('keywarden.yaml', options.project);
    project = projectFromSource('keywarden.yaml', options.project, '.', limits, errors);
  }
  const entries = Object.entries(files);
  for (const [file, text] of entries) sources.set(file, text);
  const { documents, keys } = loadTexts(entries, project, limits, errors);
  return { project, documents, keys, errors, sources };
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function isSpecFile(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** Spec files under `dir` (recursive, sorted by name at each level), as paths joined onto `shown`. */
async function walk(dir: string, shown: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const display = path.join(shown, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) await walk(full, display, out);
    } else if (isFile && isSpecFile(entry.name) && !PROJECT_FILE_NAMES.has(entry.name)) {
      out.push(display);
    }
  }
}

/** Reads standard input, stopping once it is over `limit` bytes (the size check then refuses it). */
async function readStdinUpTo(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    total += buffer.length;
    if (total > limit) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

type ReadOutcome = { file: string; text: string } | { file: string; error: Finding };

async function readSpecFile(file: string, cwd: string, limits: SourceLimits): Promise<ReadOutcome> {
  const at = { file, line: 1, column: 1, path: '' };
  try {
    const full = path.resolve(cwd, file);
    const info = await stat(full);
    if (info.size > limits.maxFileBytes) {
      return { file, error: loadError('fileTooLarge', at, `${file} is ${info.size} bytes; the limit is ${limits.maxFileBytes} bytes`) };
    }
    return { file, text: await readFile(full, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { file, error: loadError('fileNotFound', at, `${file} does not exist`) };
    return { file, error: loadError('unreadable', at, `${file} cannot be read: ${(err as Error).message}`) };
  }
}

/**
 * Loads spec files and directories (recursive, *.yaml / *.yml, sorted; `-` reads stdin).
 * With no paths, loads the project's `specs` (relative to the project file's directory).
 */
export async function loadSpecs(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const limits = limitsOf(options);
  const errors: Finding[] = [];
  const sources = new Map<string, string>();

  let project: Project;
  const projectFile = options.projectFile ?? ((await exists(path.join(cwd, 'keywarden.yaml'))) ? 'keywarden.yaml' : undefined);
  if (projectFile === undefined) {
    project = defaultProject(cwd);
  } else {
    const root = path.dirname(path.resolve(cwd, projectFile));
    const read = await readSpecFile(projectFile, cwd, limits);
    if ('error' in read) {
      errors.push(read.error);
      project = { ...defaultProject(root), file: projectFile };
    } else {
      sources.set(projectFile, read.text);
      project = projectFromSource(projectFile, read.text, root, limits, errors);
    }
  }

  const requested = paths.length > 0
    ? [...paths]
    : project.specs.map((p) => path.relative(cwd, path.resolve(project.root, p)) || '.');

  // Expand directories into their files, keeping the order of the arguments.
  const files: string[] = [];
  for (const given of requested) {
    if (given === '-') {
      files.push(given);
      continue;
    }
    const info = await stat(path.resolve(cwd, given)).catch(() => undefined);
    if (info?.isDirectory()) {
      const found: string[] = [];
      await walk(path.resolve(cwd, given), given, found);
      if (found.length === 0) {
        errors.push(loadError('noDocuments', { file: given, line: 1, column: 1, path: '' }, `${given} holds no *.yaml or *.yml files`));
      }
      files.push(...found);
    } else {
      files.push(given);
    }
  }

  const texts: Array<[string, string]> = [];
  const outcomes = await mapLimited(files, 32, async (file): Promise<ReadOutcome> => {
    if (file !== '-') return readSpecFile(file, cwd, limits);
    try {
      return { file: STDIN_NAME, text: await (options.readStdin ?? (() => readStdinUpTo(limits.maxFileBytes)))() };
    } catch (err) {
      return { file: STDIN_NAME, error: loadError('unreadable', { file: STDIN_NAME, line: 1, column: 1, path: '' }, `standard input cannot be read: ${(err as Error).message}`) };
    }
  });
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      errors.push(outcome.error);
    } else {
      sources.set(outcome.file, outcome.text);
      texts.push([outcome.file, outcome.text]);
    }
  }
  const { documents, keys } = loadTexts(texts, project, limits, errors);
  return { project, documents, keys, errors, sources };
}
