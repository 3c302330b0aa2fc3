// What the generated bindings (src/stack/bindings/) share at run time.

/**
 * `attributes` without its undefined entries. The bindings leave unset attributes out
 * themselves: cdktf's resolve would drop them too, but only after building a resolution
 * context for each, which for thousands of keys is a noticeable part of synthesis.
 */
export function definedOnly(attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in attributes) if (attributes[name] !== undefined) out[name] = attributes[name];
  return out;
}
