// The YAML nodes of a loaded file, parsed again on first use. Loading drops the nodes of
// valid documents once it has their data: keeping 10,000 documents' nodes alive costs more
// in garbage collection than parsing the few files that have findings a second time.
// Same text, same parser options: the second parse yields the same nodes and positions.
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Location, PathSegment } from './model.js';
import { PARSE_OPTIONS } from './parse-source.js';
import { SourceLocator, type Anchor } from './source-locator.js';
import { formatPath } from './field-path.js';

export class LazySource {
  private parsed: { readonly locator: SourceLocator; readonly documents: readonly Document[] } | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  private parse(): { readonly locator: SourceLocator; readonly documents: readonly Document[] } {
    if (!this.parsed) {
      const lineCounter = new LineCounter();
      const documents = parseAllDocuments(this.text, { lineCounter, ...PARSE_OPTIONS });
      this.parsed = { locator: new SourceLocator(this.file, lineCounter), documents: Array.isArray(documents) ? documents : [] };
    }
    return this.parsed;
  }

  /** The nodes of the document at `index` (0-based, as in the first parse). */
  document(index: number): Document | undefined {
    return this.parse().documents[index];
  }

  get locator(): SourceLocator {
    return this.parse().locator;
  }

  /** Location of `path` in document `index` (see SourceLocator.locate). */
  locate(index: number, path: readonly PathSegment[], anchor: Anchor = 'auto'): Location {
    const doc = this.document(index);
    return doc ? this.locator.locate(doc, path, anchor) : { file: this.file, line: 1, column: 1, path: formatPath(path) };
  }
}
