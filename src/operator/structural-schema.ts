// Converts the spec's JSON Schema (2020-12) into the structural OpenAPI v3 subset that a
// CustomResourceDefinition accepts, and checks that a schema is structural. The spec's
// schema stays the single source of truth; this module only rewrites what Kubernetes refuses:
//   - `$schema`, `$id`, `title`, `propertyNames`: dropped (not part of a CRD schema);
//   - `additionalProperties: false`: dropped (the API server prunes unknown fields instead);
//   - `const: x`: `enum: [x]`;
//   - a missing `type`: taken from the enum's values, or an open object
//     (`x-kubernetes-preserve-unknown-fields: true`) when nothing says what the node holds;
//   - a map whose values have a union type (`limits`: string | number | boolean): an object with
//     `x-kubernetes-preserve-unknown-fields: true` (structural schemas have no union types);
//   - a pattern that starts with a negative lookahead (`^(?!KW)...`, not RE2, which the API
//     server uses): the lookahead moves into a CEL rule (`x-kubernetes-validations`);
//   - `uniqueItems: true`: `x-kubernetes-list-type: set` on lists of scalars (CRDs refuse
//     uniqueItems), dropped on other lists.

/** A JSON Schema node as plain data. */
export type SchemaNode = Record<string, unknown>;

const DROPPED = new Set(['$schema', '$id', 'title', 'propertyNames', 'const', 'uniqueItems']);
const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);
/** Keywords a structural schema may not use anywhere. */
const FORBIDDEN = ['$ref', '$schema', '$id', '$defs', 'definitions', 'const', 'propertyNames', 'patternProperties', 'dependentRequired', 'if', 'then', 'else', 'not', 'prefixItems', 'unevaluatedProperties'];
/** Keywords that may not appear inside anyOf/allOf/oneOf branches (they must be value validations only). */
const FORBIDDEN_IN_JUNCTORS = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields'];

const LEADING_NEGATIVE_LOOKAHEAD = /^\^\(\?!([^()]*)\)/;
/** Constructs of JavaScript regular expressions that RE2 (the API server's engine) refuses. */
const NOT_RE2 = /\(\?[=!<]|\\[1-9]/;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOfEnum(values: readonly unknown[]): string | undefined {
  const types = new Set(values.map((value) => (typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value)));
  if (types.size !== 1) return undefined;
  const [only] = types;
  return only === 'string' || only === 'integer' || only === 'number' || only === 'boolean' ? only : undefined;
}

/** The structural form of one schema node (and everything under it). `inJunctor` for anyOf/allOf/oneOf branches. */
export function toStructural(node: SchemaNode, inJunctor = false): SchemaNode {
  const out: SchemaNode = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (DROPPED.has(keyword)) continue;
    if (keyword === 'properties' && isNode(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, toStructural(child as SchemaNode)]));
    } else if (keyword === 'additionalProperties') {
      if (isNode(value)) out.additionalProperties = toStructural(value);
    } else if (keyword === 'items' && isNode(value)) {
      out.items = toStructural(value);
    } else if ((keyword === 'anyOf' || keyword === 'allOf' || keyword === 'oneOf') && Array.isArray(value)) {
      out[keyword] = value.map((branch) => toStructural(branch as SchemaNode, true));
    } else {
      out[keyword] = value;
    }
  }
  if (node.const !== undefined) out.enum = [node.const];
  if (typeof out.pattern === 'string') {
    const lookahead = LEADING_NEGATIVE_LOOKAHEAD.exec(out.pattern);
    if (lookahead) {
      const refused = lookahead[1] ?? '';
      out.pattern = `^${out.pattern.slice(lookahead[0].length)}`;
      out['x-kubernetes-validations'] = [{ rule: `!self.matches('^${refused.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}')`, message: `must not start with ${refused}` }];
    }
  }
  if (inJunctor) return out;

  // A map whose values may be of several types: an open object.
  if (isNode(node.additionalProperties) && Array.isArray(node.additionalProperties.type)) {
    delete out.additionalProperties;
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (Array.isArray(out.type)) {
    delete out.type;
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (out.type === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    const fromEnum = Array.isArray(out.enum) ? typeOfEnum(out.enum) : undefined;
    if (fromEnum !== undefined) out.type = fromEnum;
    else if (out.properties === undefined && out.additionalProperties === undefined) {
      out.type = 'object';
      out['x-kubernetes-preserve-unknown-fields'] = true;
    } else out.type = 'object';
  }
  if (out.type === 'object' && out.properties === undefined && out.additionalProperties === undefined) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (node.uniqueItems === true && isNode(out.items) && typeof out.items.type === 'string' && SCALAR_TYPES.has(out.items.type)) {
    out['x-kubernetes-list-type'] = 'set';
  }
  return out;
}

/**
 * Every reason the schema is not structural (empty when it is), each with its path, e.g.
 * `.properties.spec.properties.limits: type must be one string`. Never throws.
 */
export function structuralProblems(node: unknown, path = ''): string[] {
  const problems: string[] = [];
  if (!isNode(node)) return [`${path}: a schema must be an object`];
  const at = path === '' ? '.' : path;
  for (const keyword of FORBIDDEN) if (keyword in node) problems.push(`${at}: ${keyword} is not allowed in a structural schema`);
  if (node.uniqueItems === true) problems.push(`${at}: uniqueItems: true is not allowed in a CRD schema (use x-kubernetes-list-type: set)`);
  if (node.additionalProperties === false) problems.push(`${at}: additionalProperties: false is not allowed (unknown fields are pruned)`);
  if (node.properties !== undefined && node.additionalProperties !== undefined) problems.push(`${at}: properties and additionalProperties are mutually exclusive`);
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (typeof node.type !== 'string' && !preserve) problems.push(`${at}: type must be one string (or the node must set x-kubernetes-preserve-unknown-fields)`);
  if (typeof node.pattern === 'string' && NOT_RE2.test(node.pattern)) problems.push(`${at}: pattern ${node.pattern} uses lookaround or backreferences, which RE2 refuses`);
  if (node.type === 'array' && !isNode(node.items)) problems.push(`${at}: an array must say what its items are`);
  if (node['x-kubernetes-list-type'] === 'set' && isNode(node.items) && !SCALAR_TYPES.has(String(node.items.type))) problems.push(`${at}: x-kubernetes-list-type: set needs scalar items`);
  if (isNode(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) problems.push(...structuralProblems(child, `${path}.properties.${name}`));
  }
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
    problems.push(...structuralProblems(node.additionalProperties, `${path}.additionalProperties`));
  }
  if (node.items !== undefined) problems.push(...structuralProblems(node.items, `${path}.items`));
  for (const junctor of ['anyOf', 'allOf', 'oneOf'] as const) {
    const branches = node[junctor];
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) {
      problems.push(`${at}: ${junctor} must be a list`);
      continue;
    }
    branches.forEach((branch, index) => {
      if (!isNode(branch)) return;
      for (const keyword of FORBIDDEN_IN_JUNCTORS) {
        if (keyword in branch) problems.push(`${path}.${junctor}[${index}]: ${keyword} is not allowed inside ${junctor}`);
      }
    });
  }
  return problems;
}
