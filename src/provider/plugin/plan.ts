// The framework's part of PlanResourceChange and of shaping states: computed attributes left
// null by configuration become unknown when something changes (or keep their prior value with
// useStateForUnknown), write-only attributes are nulled, and requiresReplace attributes and
// blocks that change are reported for replacement (at any depth of nested blocks).
import type { AttributePath } from './diagnostics.js';
import type { Block, NestedBlock, Schema } from './schema.js';
import { blockType } from './schema.js';
import { isObjectValue, UNKNOWN, Unknown, valuesEqual, type TfObject, type TfValue } from './values.js';

export interface PlannedChange {
  readonly planned: TfObject;
  readonly requiresReplace: AttributePath[];
}

/** Plans a create (prior null) or update from Terraform's proposed new state and the configuration. */
export function planChange(schema: Schema, prior: TfObject | null, proposed: TfObject, config: TfObject): PlannedChange {
  const planned: TfObject = { ...proposed };
  const changed = prior === null || !valuesEqual(blockType(schema), withoutWriteOnly(schema, prior), withoutWriteOnly(schema, proposed));
  for (const [name, attribute] of Object.entries(schema.attributes)) {
    if (attribute.writeOnly) {
      planned[name] = null;
      continue;
    }
    if (!attribute.computed || (config[name] ?? null) !== null || !changed) continue;
    const keepPrior = attribute.planModifiers?.includes('useStateForUnknown') && prior !== null && (prior[name] ?? null) !== null;
    planned[name] = keepPrior ? (prior?.[name] ?? null) : UNKNOWN;
  }
  const requiresReplace = prior === null ? [] : replacements(schema, [], prior, planned);
  return { planned, requiresReplace };
}

/** Paths of the requiresReplace attributes and blocks of `block` that differ between `prior` and `planned` (either may be absent: all null). */
function replacements(block: Block, path: AttributePath, prior: TfObject | null, planned: TfObject | null): AttributePath[] {
  const out: AttributePath[] = [];
  for (const [name, attribute] of Object.entries(block.attributes)) {
    if (attribute.planModifiers?.includes('requiresReplace') && !valuesEqual(attribute.type, prior?.[name] ?? null, planned?.[name] ?? null)) {
      out.push([...path, name]);
    }
  }
  for (const [name, nested] of Object.entries(block.blocks ?? {})) out.push(...blockReplacements(nested, [...path, name], prior?.[name] ?? null, planned?.[name] ?? null));
  return out;
}

function blockReplacements(nested: NestedBlock, path: AttributePath, prior: TfValue, planned: TfValue): AttributePath[] {
  const element = blockType(nested.block);
  if (valuesEqual(nested.nesting === 'single' ? element : [nested.nesting, element], prior, planned)) return [];
  if (nested.planModifiers?.includes('requiresReplace')) return [path];
  const object = (value: TfValue | undefined): TfObject | null => (isObjectValue(value) ? value : null);
  if (nested.nesting === 'single') return replacements(nested.block, path, object(prior), object(planned));
  const before = Array.isArray(prior) ? prior : [];
  const after = Array.isArray(planned) ? planned : [];
  if (nested.nesting === 'list') {
    // Element by element: an added or removed element compares against nothing (all null).
    const out: AttributePath[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...replacements(nested.block, [...path, i], object(before[i]), object(after[i])));
    return out;
  }
  // Set elements have no stable position: any element whose requiresReplace parts are new replaces, reported at the block.
  const changed = after.some((a) => !before.some((b) => replacements(nested.block, [], object(b), object(a)).length === 0));
  const gone = before.some((b) => !after.some((a) => replacements(nested.block, [], object(b), object(a)).length === 0));
  return changed || gone ? [path] : [];
}

function withoutWriteOnly(schema: Schema, value: TfObject): TfObject {
  const out: TfObject = { ...value };
  for (const [name, attribute] of Object.entries(schema.attributes)) if (attribute.writeOnly) out[name] = null;
  return out;
}

/**
 * A state as Terraform must receive it: every top-level attribute and block present (missing
 * ones from `fallback` when known there, else null), write-only attributes null. Returns the
 * state and the names of attributes still unknown (an error after apply).
 */
export function shapeState(schema: Schema, state: TfObject, fallback: TfObject | null = null): { state: TfObject; unknown: string[] } {
  const out: TfObject = {};
  const unknown: string[] = [];
  const names = [...Object.keys(schema.attributes), ...Object.keys(schema.blocks ?? {})];
  for (const name of names) {
    let value: TfValue = name in state ? (state[name] ?? null) : (fallback?.[name] ?? null);
    if (schema.attributes[name]?.writeOnly) value = null;
    // Repeated blocks are never null in state: absent means none.
    const nesting = schema.blocks?.[name]?.nesting;
    if (value === null && (nesting === 'list' || nesting === 'set')) value = [];
    if (containsUnknown(value)) unknown.push(name);
    out[name] = value;
  }
  return { state: out, unknown };
}

function containsUnknown(value: TfValue): boolean {
  if (value instanceof Unknown) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObjectValue(value)) return Object.values(value).some(containsUnknown);
  return false;
}
