// YAML held inside a string of a spec (the `keywarden.dev/exceptions` annotation): parsed on
// its own, with positions mapped back into the spec file when the string is a literal block
// (`|`), the form the docs show. Other forms point at the string itself.
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { Location, PathSegment } from '../spec/model.js';
import { formatPath } from '../spec/index.js';
import { SourceLocator } from '../spec/source-locator.js';

export interface EmbeddedYaml {
  /** The parsed value, or undefined with `error` set. */
  readonly data?: unknown;
  /** The first syntax error, positioned. */
  readonly error?: { readonly message: string; readonly location: Location };
  /** Location of the node at `path` inside the embedded YAML, in the spec file. */
  locate(path: readonly PathSegment[]): Location;
}

function leadingSpaces(line: string): number {
  return /^ */.exec(line)?.[0].length ?? 0;
}

/**
 * Parses `text`, the value of the string at `stringPath` of a document whose file content is
 * `source` (when known); `at` is the location of that string.
 */
export function parseEmbeddedYaml(text: string, at: Location, stringPath: readonly PathSegment[], source: string | undefined): EmbeddedYaml {
  const sourceLines = source?.split('\n');
  const header = sourceLines?.[at.line - 1];
  const isLiteralBlock = header !== undefined && header[at.column - 1] === '|';
  const firstContent = sourceLines?.[at.line];
  const textLines = text.split('\n');
  const indent = isLiteralBlock && firstContent !== undefined ? leadingSpaces(firstContent) - leadingSpaces(textLines[0] ?? '') : 0;

  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, version: '1.2' });
  const inner = new SourceLocator(at.file, lineCounter);
  const toOuter = (location: Location, path: readonly PathSegment[]): Location => {
    const fullPath = formatPath([...stringPath, ...path]);
    if (!isLiteralBlock) return { ...at, path: fullPath };
    return { file: at.file, line: at.line + location.line, column: indent + location.column, path: fullPath };
  };
  const locate = (path: readonly PathSegment[]): Location => toOuter(inner.locate(doc, path), path);

  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const location = pos ? toOuter({ file: at.file, line: pos.line, column: pos.col, path: '' }, []) : at;
    return { error: { message: first.message.split('\n')[0]?.split(/ at line \d+, column \d+/)[0] ?? first.message, location }, locate };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 0 }), locate };
  } catch (err) {
    return { error: { message: (err as Error).message, location: at }, locate };
  }
}
