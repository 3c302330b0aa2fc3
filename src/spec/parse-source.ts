// Parsing one source text into YAML documents: size and nesting limits first, then the
// `yaml` parser (once, keeping the nodes for lazy positions), then plain data with an
// alias limit. Every problem becomes a finding; nothing here throws on bad input.
import { isAlias, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import type { Finding } from '../policy/finding.js';
import { loadError } from './errors.js';
import { excessiveNestingOffset } from './hostile.js';
import { SourceLocator } from './source-locator.js';

/** Limits that keep hostile input from exhausting memory, stack or time. */
export interface SourceLimits {
  /** Largest accepted file, in bytes. @default 1 MiB */
  readonly maxFileBytes: number;
  /** Deepest accepted nesting of mappings and lists. @default 64 */
  readonly maxDepth: number;
  /** Most alias dereferences accepted per document. @default 100 */
  readonly maxAliasCount: number;
}

export const DEFAULT_LIMITS: SourceLimits = { maxFileBytes: 1024 * 1024, maxDepth: 64, maxAliasCount: 100 };

/** Parser options: YAML 1.2 core schema, duplicate keys are errors, errors carry line and column. */
export const PARSE_OPTIONS = { prettyErrors: true, uniqueKeys: true, version: '1.2' } as const;

export interface ParsedDocument {
  /** 0-based index within the file. */
  readonly index: number;
  readonly doc: Document;
  readonly data: unknown;
}

export interface ParsedSource {
  readonly locator: SourceLocator;
  readonly documents: ParsedDocument[];
}

/** Parses `text` (the content of `file`); findings are appended to `errors`. */
export function parseSource(file: string, text: string, limits: SourceLimits, errors: Finding[]): ParsedSource {
  const lineCounter = new LineCounter();
  const locator = new SourceLocator(file, lineCounter);
  const documents: ParsedDocument[] = [];
  const bytes = text.length > limits.maxFileBytes / 4 ? Buffer.byteLength(text, 'utf8') : text.length;
  if (bytes > limits.maxFileBytes) {
    errors.push(loadError('fileTooLarge', { file, line: 1, column: 1, path: '' }, `${file} is ${bytes} bytes; the limit is ${limits.maxFileBytes} bytes`));
    return { locator, documents };
  }
  const deepAt = excessiveNestingOffset(text, limits.maxDepth);
  if (deepAt >= 0) {
    // Count lines up to the offset ourselves: the parser has not run.
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < deepAt; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
    errors.push(loadError('nestingTooDeep', locator.at(deepAt), `nesting is deeper than ${limits.maxDepth} levels`));
    return { locator, documents };
  }
  const docs = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        const location = pos ? { file, line: pos.line, column: pos.col, path: '' } : locator.at(e.pos[0]);
        const message = e.message.split(/ at line \d+, column \d+/)[0] ?? e.message;
        const kind = e.code === 'DUPLICATE_KEY' ? 'duplicateKey' : e.code === 'RESOURCE_EXHAUSTION' ? 'nestingTooDeep' : 'yamlSyntax';
        errors.push(loadError(kind, location, message));
      }
      return;
    }
    if (doc.contents === null) return;
    try {
      const data: unknown = doc.toJS({ maxAliasCount: limits.maxAliasCount });
      if (data === null || data === undefined) return; // an empty document, e.g. after a trailing `---`
      documents.push({ index, doc, data });
    } catch (err) {
      const firstAlias = firstAliasOffset(doc);
      const location = locator.at(firstAlias ?? doc.contents.range?.[0] ?? 0);
      const message = (err as Error).message;
      if (/alias count/i.test(message)) {
        errors.push(loadError('tooManyAliases', location, `the aliases in this document expand beyond the limit of ${limits.maxAliasCount}; refused as a resource-exhaustion attack`));
      } else {
        errors.push(loadError('yamlSyntax', location, message));
      }
    }
  });
  return { locator, documents };
}

function firstAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node) && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}
