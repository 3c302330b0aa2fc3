/**
 * A cheap scan, before parsing, for nesting deeper than `maxDepth`: flow collections
 * (`[`, `{`) outside quotes and comments, and block indentation levels. The YAML parser
 * recurses per level, so a hostile file could otherwise exhaust the stack or take seconds.
 * Returns the 0-based offset where the limit is first exceeded, or -1.
 */
export function excessiveNestingOffset(text: string, maxDepth: number): number {
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: measure indentation (spaces, and `- ` sequence markers which nest too).
    let indent = -1;
    let levels = 0;
    for (let col = 0; ; ) {
      while (i < n && text.charCodeAt(i) === 32) { i++; col++; }
      if (indent < 0) indent = col;
      if (flow === 0 && text.charCodeAt(i) === 45 /* - */ && (i + 1 >= n || text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 10)) {
        levels++; i++; col++;
        continue;
      }
      break;
    }
    const c0 = text.charCodeAt(i);
    if (flow === 0 && (levels > 0 || (i < n && c0 !== 10 && c0 !== 13 && c0 !== 35 /* # */))) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      if (indents.length + levels > maxDepth) return i;
    }
    // Rest of the line.
    let quote = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) { i++; break; }
      if (quote !== 0) {
        if (c === quote) quote = 0;
        else if (c === 92 /* \ */ && quote === 34) i++;
      } else if (c === 34 || c === 39) {
        const prev = i > 0 ? text.charCodeAt(i - 1) : 32;
        if (prev === 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58 || prev === 10) quote = c;
      } else if (c === 35 /* # */ && (i === 0 || text.charCodeAt(i - 1) === 32)) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      } else if (c === 91 || c === 123) {
        flow++;
        if (flow + indents.length > maxDepth) return i;
      } else if ((c === 93 || c === 125) && flow > 0) {
        flow--;
      }
      i++;
    }
  }
  return -1;
}
