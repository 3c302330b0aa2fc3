// Label selectors (equality- and set-based) and field selectors, as list and watch accept them.
import { failure } from './status.js';
import { isObject } from './patch.js';

export type Matcher = (object: Record<string, unknown>) => boolean;

/** `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, comma-separated (AND). */
export function parseLabelSelector(selector: string | undefined): Matcher {
  if (selector === undefined || selector.trim() === '') return () => true;
  const tests = splitTopLevel(selector).map((requirement): ((labels: Record<string, string>) => boolean) => {
    const r = requirement.trim();
    let m: RegExpMatchArray | null;
    if ((m = r.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/)) !== null) {
      const key = m[1]!;
      const values = new Set(m[3]!.split(',').map((v) => v.trim()));
      return m[2] === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
    }
    if ((m = r.match(/^([^\s!=]+)\s*!=\s*(\S*)$/)) !== null) {
      const [, key, value] = m as unknown as [string, string, string];
      return (l) => l[key] !== value;
    }
    if ((m = r.match(/^([^\s!=]+)\s*==?\s*(\S*)$/)) !== null) {
      const [, key, value] = m as unknown as [string, string, string];
      return (l) => l[key] === value;
    }
    if ((m = r.match(/^!([^\s!=]+)$/)) !== null) {
      const key = m[1]!;
      return (l) => !(key in l);
    }
    if (/^[^\s!=(),]+$/.test(r)) return (l) => r in l;
    throw failure(400, 'BadRequest', `unable to parse requirement: "${r}"`);
  });
  return (object) => {
    const metadata = isObject(object.metadata) ? object.metadata : {};
    const labels = (isObject(metadata.labels) ? metadata.labels : {}) as Record<string, string>;
    return tests.every((t) => t(labels));
  };
}

/** `metadata.name=x`, `involvedObject.uid!=y`, …: dotted paths compared as strings. */
export function parseFieldSelector(selector: string | undefined): Matcher {
  if (selector === undefined || selector.trim() === '') return () => true;
  const tests = splitTopLevel(selector).map((requirement) => {
    const m = requirement.trim().match(/^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/);
    if (m === null) throw failure(400, 'BadRequest', `invalid field selector: "${requirement}"`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return (object: Record<string, unknown>) => {
      let node: unknown = object;
      for (const segment of path.split('.')) node = isObject(node) ? node[segment] : undefined;
      const actual = node === undefined || node === null ? '' : String(node);
      return op === '!=' ? actual !== value : actual === value;
    };
  });
  return (object) => tests.every((t) => t(object));
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}
