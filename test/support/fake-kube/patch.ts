// The patch formats kube-apiserver accepts: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch. Strategic merge is applied as a merge patch: lists
// are replaced whole instead of merged by their patch-merge key (a documented limit).
import { failure } from './status.js';

export type PatchType = 'merge' | 'json' | 'strategic';

export const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
};

export function applyPatch(target: unknown, patch: unknown, type: PatchType): unknown {
  return type === 'json' ? jsonPatch(target, patch) : mergePatch(target, patch);
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 operations add, remove, replace, move, copy and test. */
export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw failure(400, 'BadRequest', 'a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of patch as unknown[]) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw failure(400, 'BadRequest', 'every JSON patch operation needs "op" and "path"');
    }
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add':
        doc = add(doc, path, structuredClone(op.value));
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'replace':
        doc = add(remove(doc, path), path, structuredClone(op.value));
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw failure(400, 'BadRequest', `"${op.op}" needs "from"`);
        const from = parsePointer(op.from);
        const value = structuredClone(get(doc, from));
        if (op.op === 'move') doc = remove(doc, from);
        doc = add(doc, path, value);
        break;
      }
      case 'test':
        if (JSON.stringify(get(doc, path)) !== JSON.stringify(op.value)) {
          throw failure(422, 'Invalid', `the server rejected our request due to an error in our request: test failed at ${op.path}`);
        }
        break;
      default:
        throw failure(400, 'BadRequest', `unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw failure(400, 'BadRequest', `invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: unknown, path: readonly string[]): unknown {
  let node = doc;
  for (const segment of path) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node) && segment in node) node = node[segment];
    else throw failure(422, 'Invalid', `the server rejected our request: path /${path.join('/')} does not exist`);
  }
  return node;
}

function add(doc: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw failure(422, 'Invalid', `the server rejected our request: index ${last} out of range`);
    }
    parent.splice(index, 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw failure(422, 'Invalid', `the server rejected our request: cannot add at /${path.join('/')}`);
  }
  return doc;
}

function remove(doc: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return undefined;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      throw failure(422, 'Invalid', `the server rejected our request: index ${last} out of range`);
    }
    parent.splice(index, 1);
  } else if (isObject(parent) && last in parent) {
    delete parent[last];
  } else {
    throw failure(422, 'Invalid', `the server rejected our request: path /${path.join('/')} does not exist`);
  }
  return doc;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
