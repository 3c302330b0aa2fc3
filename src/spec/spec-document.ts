import { isScalar } from 'yaml';
import type { LazySource } from './lazy-source.js';
import type { Location, PathSegment, SpecDocument } from './model.js';
import type { ApiKeyDocument } from './schema.js';
import { walkScalars, type Anchor } from './source-locator.js';

/** A schema-valid ApiKey document; positions are computed only when asked for. */
export class LoadedDocument implements SpecDocument {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;

  constructor(
    readonly file: string,
    readonly index: number,
    readonly data: ApiKeyDocument,
    private readonly source: LazySource,
  ) {
    this.name = data.metadata.name;
    if (data.metadata.namespace !== undefined) this.namespace = data.metadata.namespace;
    this.labels = data.metadata.labels ?? {};
    this.annotations = data.metadata.annotations ?? {};
  }

  /** Plain data for JSON output (the parsed YAML nodes stay out). */
  toJSON(): Record<string, unknown> {
    return { file: this.file, index: this.index, name: this.name, namespace: this.namespace, labels: this.labels, annotations: this.annotations, data: this.data };
  }

  locate(path: readonly PathSegment[], anchor: Anchor = 'auto'): Location {
    return this.source.locate(this.index, path, anchor);
  }

  *scalars(): Iterable<{ readonly value: string | number | boolean; readonly location: Location }> {
    const doc = this.source.document(this.index);
    if (!doc) return;
    for (const { node, path, value } of walkScalars(doc.contents)) {
      if ((typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && isScalar(node) && node.range) {
        yield { value, location: this.source.locator.at(node.range[0], path) };
      }
    }
  }
}
