// The framework's part of PlanResourceChange and of shaping states: computed attributes left
// null by configuration become unknown when something changes (or keep their prior value with
// useStateForUnknown), write-only attributes are nulled, and requiresReplace attributes that
// change are reported for replacement.
import type { AttributePath } from './diagnostics.js';
import type { Schema } from './schema.js';
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
  const requiresReplace: AttributePath[] = [];
  if (prior !== null) {
    for (const [name, attribute] of Object.entries(schema.attributes)) {
      if (attribute.planModifiers?.includes('requiresReplace') && !valuesEqual(attribute.type, prior[name] ?? null, planned[name] ?? null)) {
        requiresReplace.push([name]);
      }
    }
  }
  return { planned, requiresReplace };
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
