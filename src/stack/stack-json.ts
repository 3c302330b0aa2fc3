// A KeysStack's Terraform JSON with one resolve pass instead of cdktf's two. TerraformStack's
// toTerraform resolves every element, merges the results and then resolves the merged whole
// once more; that second pass only matters for tokens in stack-level overrides, which a
// KeysStack has none of (it falls back to cdktf's own when it has). For thousands of keys the
// second pass is about a third of the synthesis (bench/stack.ts); the output is byte-identical
// (test/stack/stack-json.test.ts compares the two).
import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from 'cdktf';
import type { IConstruct } from 'constructs';

const RESOLVER = new DefaultTokenResolver(new StringConcat());

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Merges `source` into `target` as cdktf does: objects key by key, lists appended, undefined deletes. */
export function mergeJson(target: Json, source: Json): Json {
  for (const [key, value] of Object.entries(source)) {
    const prior = target[key];
    if (value === undefined) delete target[key];
    else if (Array.isArray(value)) target[key] = Array.isArray(prior) ? [...prior, ...value] : value;
    else if (isObject(value)) {
      const into = isObject(prior) ? prior : {};
      target[key] = mergeJson(into, value);
    } else target[key] = value;
  }
  return target;
}

/** The Terraform elements of `stack`, in construct order, not descending into nested stacks. */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

/** The stack's Terraform JSON, or undefined when it has what needs cdktf's full pass (stack overrides, outputs). */
export function stackJson(stack: TerraformStack): Json | undefined {
  const overrides = Reflect.get(stack, 'rawOverrides') as Json | undefined;
  const elements = elementsOf(stack);
  if (overrides === undefined || Object.keys(overrides).length > 0 || elements.some((e) => e instanceof TerraformOutput)) return undefined;
  const resolve = (value: unknown): Json => Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER }) as Json;
  const metadata: Json = { version: Reflect.get(stack, 'cdktfVersion'), stackName: stack.node.id, backend: 'local' };
  for (const element of elements) mergeJson(metadata, resolve(element.toMetadata()));
  const tf: Json = { '//': { metadata, outputs: {} } };
  for (const element of elements) mergeJson(tf, resolve(element.toTerraform()));
  return tf;
}
