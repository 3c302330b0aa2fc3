// Terraform's type system as it appears on the wire: a schema attribute's `type` is the JSON of
// one of these (`"string"`, `["list","string"]`, `["object",{"a":"number"}]`, ...).

/** A Terraform (cty) type. */
export type TfType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list', TfType]
  | readonly ['set', TfType]
  | readonly ['map', TfType]
  | readonly ['object', { readonly [attribute: string]: TfType }]
  | readonly ['tuple', readonly TfType[]];

/** Shorthands for declaring types: `t.list(t.string)`, `t.object({ a: t.number })`. */
export const t = {
  string: 'string',
  number: 'number',
  bool: 'bool',
  dynamic: 'dynamic',
  list: (element: TfType) => ['list', element] as const,
  set: (element: TfType) => ['set', element] as const,
  map: (element: TfType) => ['map', element] as const,
  object: (attributes: { readonly [attribute: string]: TfType }) => ['object', attributes] as const,
  tuple: (elements: readonly TfType[]) => ['tuple', elements] as const,
} as const;

/** The JSON text Terraform expects in `Schema.Attribute.type` and in dynamic values. */
export function typeToJson(type: TfType): string {
  return JSON.stringify(type);
}

/** Parses a type's JSON form; returns undefined when it is not a type Terraform defines. */
export function typeFromJson(json: unknown): TfType | undefined {
  if (json === 'string' || json === 'number' || json === 'bool' || json === 'dynamic') return json;
  if (!Array.isArray(json)) return undefined;
  const [kind, arg] = json as [unknown, unknown];
  if (kind === 'list' || kind === 'set' || kind === 'map') {
    const element = typeFromJson(arg);
    return element === undefined ? undefined : [kind, element];
  }
  if (kind === 'object' && typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
    const attributes: Record<string, TfType> = {};
    for (const [name, attributeJson] of Object.entries(arg)) {
      const attributeType = typeFromJson(attributeJson);
      if (attributeType === undefined) return undefined;
      attributes[name] = attributeType;
    }
    return ['object', attributes];
  }
  if (kind === 'tuple' && Array.isArray(arg)) {
    const elements = arg.map(typeFromJson);
    return elements.every((e): e is TfType => e !== undefined) ? ['tuple', elements] : undefined;
  }
  return undefined;
}
