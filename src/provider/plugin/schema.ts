// Schemas declared once in TypeScript: the provider's configuration, each resource and data
// source. From one declaration come the protocol Schema message, the value type used to decode
// and encode msgpack, attribute validation and the framework's planning behaviour.
import type { AttributePath, Diagnostics } from './diagnostics.js';
import { NESTING, STRING_KIND } from './protocol.js';
import type { TfType } from './types.js';
import type { TfValue } from './values.js';

/**
 * Planning behaviour of an attribute.
 * - `requiresReplace`: a change of this attribute destroys and recreates the resource.
 * - `useStateForUnknown`: a computed attribute keeps its prior value in plans (e.g. an id),
 *   instead of showing "(known after apply)" whenever anything else changes.
 */
export type PlanModifier = 'requiresReplace' | 'useStateForUnknown';

/** Checks one known, non-null attribute value; reports problems on `diagnostics` at `path`. */
export type Validator = (value: TfValue, path: AttributePath, diagnostics: Diagnostics) => void;

export interface Attribute {
  readonly type: TfType;
  /** Markdown; shown in documentation and by language servers. */
  readonly description?: string;
  /** Must be set in configuration. */
  readonly required?: boolean;
  /** May be set in configuration. */
  readonly optional?: boolean;
  /** Set by the provider (when also optional: only when configuration leaves it null). */
  readonly computed?: boolean;
  /** Redacted in plans and output (still stored in state unless also writeOnly). */
  readonly sensitive?: boolean;
  /** Sent to the provider in configuration, never stored in plan or state (Terraform ≥ 1.11). */
  readonly writeOnly?: boolean;
  readonly deprecated?: boolean;
  /** @default [] */
  readonly planModifiers?: readonly PlanModifier[];
  /** Run on known, non-null values during validation. @default [] */
  readonly validators?: readonly Validator[];
}

/**
 * Planning behaviour of a nested block as a whole. `requiresReplace`: adding, removing or
 * changing any of its blocks destroys and recreates the resource.
 */
export type BlockPlanModifier = 'requiresReplace';

export interface NestedBlock {
  /** `single`: at most one block; `list`/`set`: repeated blocks. */
  readonly nesting: 'single' | 'list' | 'set';
  readonly block: Block;
  /**
   * @default [] — attributes inside the block may still carry `requiresReplace` themselves:
   * then only a change of that attribute (in a block present before and after) replaces.
   */
  readonly planModifiers?: readonly BlockPlanModifier[];
  /** @default 0 */
  readonly minItems?: number;
  /** @default 0 (no limit) */
  readonly maxItems?: number;
}

export interface Block {
  readonly attributes: Readonly<Record<string, Attribute>>;
  /** @default {} */
  readonly blocks?: Readonly<Record<string, NestedBlock>>;
  /** Markdown. */
  readonly description?: string;
  readonly deprecated?: boolean;
}

export interface Schema extends Block {
  /** Bumped when stored state must be upgraded; see Resource.upgradeState. @default 0 */
  readonly version?: number;
}

const blockTypes = new WeakMap<Block, TfType>();

/** The object type of a block's values (nested blocks as list/set of objects, or one object); computed once per block. */
export function blockType(block: Block): TfType {
  let type = blockTypes.get(block);
  if (type === undefined) {
    type = computeBlockType(block);
    blockTypes.set(block, type);
  }
  return type;
}

function computeBlockType(block: Block): TfType {
  const attributes: Record<string, TfType> = {};
  for (const [name, attribute] of Object.entries(block.attributes)) attributes[name] = attribute.type;
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    const element = blockType(nested.block);
    attributes[name] = nested.nesting === 'single' ? element : [nested.nesting, element];
  }
  return ['object', attributes];
}

/** The tfplugin6.Schema message (as a message object) for a schema. */
export function schemaToProto(schema: Schema): Record<string, unknown> {
  return { version: schema.version ?? 0, block: blockToProto(schema, schema.version ?? 0) };
}

function blockToProto(block: Block, version: number): Record<string, unknown> {
  return {
    version,
    description: block.description ?? '',
    description_kind: STRING_KIND.MARKDOWN,
    deprecated: block.deprecated ?? false,
    attributes: Object.entries(block.attributes).map(([name, a]) => ({
      name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description ?? '',
      description_kind: STRING_KIND.MARKDOWN,
      required: a.required ?? false,
      optional: a.optional ?? false,
      computed: a.computed ?? false,
      sensitive: a.sensitive ?? false,
      write_only: a.writeOnly ?? false,
      deprecated: a.deprecated ?? false,
    })),
    block_types: Object.entries(block.blocks ?? {}).map(([name, nested]) => ({
      type_name: name,
      block: blockToProto(nested.block, 0),
      nesting: NESTING[nested.nesting],
      min_items: nested.minItems ?? 0,
      max_items: nested.maxItems ?? 0,
    })),
  };
}

/**
 * Inconsistencies in a schema declaration (an attribute neither required, optional nor
 * computed; required and computed together; write-only and computed). Empty when sound.
 */
export function schemaProblems(schema: Block, where: string): string[] {
  const problems: string[] = [];
  for (const [name, a] of Object.entries(schema.attributes)) {
    const at = `${where}.${name}`;
    if (!a.required && !a.optional && !a.computed) problems.push(`${at}: set one of required, optional, computed`);
    if (a.required && (a.optional || a.computed)) problems.push(`${at}: required excludes optional and computed`);
    if (a.writeOnly && a.computed) problems.push(`${at}: a write-only attribute cannot be computed`);
    if (a.planModifiers?.includes('useStateForUnknown') && !a.computed) problems.push(`${at}: useStateForUnknown needs a computed attribute`);
  }
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) problems.push(...schemaProblems(nested.block, `${where}.${name}`));
  return problems;
}
