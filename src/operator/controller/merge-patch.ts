// The JSON merge patch (RFC 7386) that turns one object into another: changed and added fields
// as they are now, removed fields as null (a merge patch keeps whatever it does not mention, so
// a field the rotation state dropped — pendingVersion after a promotion — must be nulled).
// Arrays and scalars are replaced whole. Undefined when nothing changed.

type Json = unknown;

const isPlainObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The merge patch from `before` to `after`, or undefined when they are equal. */
export function mergePatch(before: Json, after: Json): Json | undefined {
  if (isPlainObject(before) && isPlainObject(after)) {
    const patch: Record<string, Json> = {};
    for (const key of Object.keys(before)) {
      if (!(key in after) || after[key] === undefined) {
        if (before[key] !== undefined) patch[key] = null;
      }
    }
    for (const [key, value] of Object.entries(after)) {
      if (value === undefined) continue;
      const inner = key in before ? mergePatch(before[key], value) : value;
      if (inner !== undefined) patch[key] = inner;
    }
    return Object.keys(patch).length === 0 ? undefined : patch;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
}
