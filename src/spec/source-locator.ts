// Positions of nodes in a parsed YAML document, computed lazily: offsets become line and
// column only when asked (see LazySource for how loaded documents get their nodes back).
import { isMap, isPair, isScalar, isSeq, isCollection, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { formatPath } from './field-path.js';
import type { Location, PathSegment } from './model.js';

/** Which end of a `key: value` entry a location should point at. */
export type Anchor = 'auto' | 'key';

export class SourceLocator {
  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Location of a 0-based source offset. */
  at(offset: number, path: readonly PathSegment[] = []): Location {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, path: formatPath(path) };
  }

  /**
   * Location of the deepest node that exists along `path` in `doc`; the returned `path` is
   * the one asked for. For a `key: value` entry it points at the value when that is a scalar
   * or a flow collection, else (block collection, empty value) at the key; `anchor: 'key'`
   * always points at the key.
   */
  locate(doc: Document, path: readonly PathSegment[], anchor: Anchor = 'auto'): Location {
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const found = node.items.find((p) => keyMatches(p.key, seg));
        if (!found) break;
        pair = found;
        node = found.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        pair = undefined;
        node = node.items[seg];
      } else {
        break;
      }
    }
    const offset = this.offsetOf(node, pair, anchor);
    return this.at(offset, path);
  }

  private offsetOf(node: unknown, pair: Pair | undefined, anchor: Anchor): number {
    const value = node as Node | null | undefined;
    const keyNode = pair?.key as Node | null | undefined;
    const keyStart = keyNode && (isScalar(keyNode) || isCollection(keyNode)) ? keyNode.range?.[0] : undefined;
    if (anchor === 'key' && keyStart !== undefined) return keyStart;
    const valueIsInline = value && (isScalar(value) || (isCollection(value) && value.flow));
    // An empty value (`key:` with nothing after it) has an empty range: point at the key.
    if (valueIsInline && value.range && (value.range[1] > value.range[0] || keyStart === undefined)) return value.range[0];
    if (keyStart !== undefined) return keyStart;
    if (value && (isScalar(value) || isCollection(value)) && value.range) return value.range[0];
    return 0;
  }
}

function keyMatches(key: unknown, seg: PathSegment): boolean {
  if (isScalar(key)) return String(key.value) === String(seg);
  return key !== null && key !== undefined && String(key) === String(seg);
}

/** Every scalar under `node` with its path (document order). Aliases are not followed. */
export function* walkScalars(node: unknown, path: PathSegment[] = []): Generator<{ node: Node; path: PathSegment[]; value: unknown }> {
  if (isScalar(node)) {
    yield { node, path, value: node.value };
  } else if (isMap(node)) {
    for (const p of node.items) {
      const key = isScalar(p.key) ? String(p.key.value) : String(p.key);
      if (isPair(p)) yield* walkScalars(p.value, [...path, key]);
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) yield* walkScalars(node.items[i], [...path, i]);
  }
}
