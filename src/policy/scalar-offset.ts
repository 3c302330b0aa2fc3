import { Scalar } from 'yaml';

/**
 * The source offset of character `offset` of a scalar's value, for pointing into CEL
 * expressions. Exact for plain and quoted single-line scalars without escapes and for
 * literal block scalars (`|`); otherwise the start of the line the character falls on, or of
 * the node.
 */
export function sourceOffsetInScalar(node: Scalar, text: string, offset: number): number {
  const start = node.range?.[0] ?? 0;
  const value = typeof node.source === 'string' ? node.source : String(node.value);
  switch (node.type) {
    case Scalar.PLAIN:
      return value.includes('\n') ? start : start + offset;
    case Scalar.QUOTE_SINGLE:
    case Scalar.QUOTE_DOUBLE:
      return value.includes('\n') ? start : start + 1 + offset;
    case Scalar.BLOCK_LITERAL: {
      // Value line i is source line i after the header; each keeps the block's indentation.
      const before = value.slice(0, offset);
      const line = before.split('\n').length - 1;
      const column = offset - (before.lastIndexOf('\n') + 1);
      const firstLine = text.indexOf('\n', start) + 1;
      if (firstLine <= 0) return start;
      const indent = (/^[ ]*/.exec(text.slice(firstLine))?.[0].length ?? 0) - (/^[ ]*/.exec(value)?.[0].length ?? 0);
      let lineStart = firstLine;
      for (let i = 0; i < line && lineStart > 0; i++) lineStart = text.indexOf('\n', lineStart) + 1;
      if (lineStart <= 0) return start;
      return lineStart + indent + column;
    }
    default:
      return start;
  }
}
