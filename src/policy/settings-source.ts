// Where a piece of policy settings came from, with the means to point into it: a pack file's
// document, or the project file's `policy` section.
import { isScalar, type Document } from 'yaml';
import type { Location, PathSegment, Project } from '../spec/model.js';
import { DEFAULT_LIMITS, parseSource } from '../spec/parse-source.js';
import type { SourceLocator } from '../spec/source-locator.js';
import type { Finding } from './finding.js';
import { sourceOffsetInScalar } from './scalar-offset.js';

export interface SettingsSource {
  /** The settings object: a pack document, or the project's `policy` value. */
  readonly data: unknown;
  /** Path of `data` in its file (`[]` for a pack document, `['policy']` in the project file). */
  readonly prefix: readonly PathSegment[];
  /** Directory relative pack paths are resolved against. */
  readonly baseDir: string;
  /** Location of the node at `path` below `data`. */
  locate(path: readonly PathSegment[], anchor?: 'auto' | 'key'): Location;
  /** Location of character `offset` of the string scalar at `path` below `data`. */
  locateInString(path: readonly PathSegment[], offset: number): Location;
}

/** A settings source backed by a parsed YAML document (exact positions). */
export function documentSource(
  data: unknown,
  prefix: readonly PathSegment[],
  baseDir: string,
  doc: Document,
  locator: SourceLocator,
  text: string,
): SettingsSource {
  return {
    data,
    prefix,
    baseDir,
    locate: (path, anchor = 'auto') => locator.locate(doc, [...prefix, ...path], anchor),
    locateInString: (path, offset) => {
      const full = [...prefix, ...path];
      const node = doc.getIn(full, true);
      if (!isScalar(node) || !node.range) return locator.locate(doc, full);
      return locator.at(sourceOffsetInScalar(node, text, offset), full);
    },
  };
}

/**
 * The project file's `policy` section. Positions come from re-reading the project file's text
 * when the loader kept it (exact); otherwise from `project.locate` (the node, not the
 * character, for positions inside strings).
 */
export function projectSource(project: Project, sources: ReadonlyMap<string, string> | undefined): SettingsSource {
  const text = project.file !== undefined ? sources?.get(project.file) : undefined;
  if (project.file !== undefined && text !== undefined) {
    const errors: Finding[] = [];
    const parsed = parseSource(project.file, text, DEFAULT_LIMITS, errors);
    const first = parsed.documents[0];
    if (first && errors.length === 0) return documentSource(project.policy, ['policy'], project.root, first.doc, parsed.locator, text);
  }
  return {
    data: project.policy,
    prefix: ['policy'],
    baseDir: project.root,
    locate: (path) => project.locate(['policy', ...path]),
    locateInString: (path) => project.locate(['policy', ...path]),
  };
}
