// Runs the schema's attribute validators over a configuration object, recursing into nested
// blocks, so every diagnostic carries the exact attribute path.
import type { AttributePath, Diagnostics } from './diagnostics.js';
import type { Block } from './schema.js';
import { isObjectValue, Unknown, type TfValue } from './values.js';

/** Validates `value` (an object of `block`) at `path`; skips null and unknown values. */
export function validateBlock(block: Block, value: TfValue, path: AttributePath, diagnostics: Diagnostics): void {
  if (!isObjectValue(value)) return;
  for (const [name, attribute] of Object.entries(block.attributes)) {
    const attributeValue = value[name] ?? null;
    if (attributeValue === null || attributeValue instanceof Unknown) continue;
    for (const validator of attribute.validators ?? []) validator(attributeValue, [...path, name], diagnostics);
  }
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    const nestedValue = value[name] ?? null;
    if (nested.nesting === 'single') validateBlock(nested.block, nestedValue, [...path, name], diagnostics);
    else if (Array.isArray(nestedValue)) {
      nestedValue.forEach((element, i) =>
        // Terraform addresses set elements by value, not index: point at the block itself.
        validateBlock(nested.block, element, nested.nesting === 'list' ? [...path, name, i] : [...path, name], diagnostics),
      );
    }
  }
}

/** Validator: the string matches `pattern`; `what` describes the accepted form. */
export function matches(pattern: RegExp, what: string) {
  return (value: TfValue, path: AttributePath, diagnostics: Diagnostics): void => {
    if (typeof value === 'string' && !pattern.test(value)) {
      diagnostics.error(`Invalid ${String(path[path.length - 1])}`, `Expected ${what}, got "${value}".`, path);
    }
  };
}

/** Validator: the string is one of `allowed`. */
export function oneOf(allowed: readonly string[]) {
  return (value: TfValue, path: AttributePath, diagnostics: Diagnostics): void => {
    if (typeof value === 'string' && !allowed.includes(value)) {
      diagnostics.error(`Invalid ${String(path[path.length - 1])}`, `Expected one of ${allowed.join(', ')}, got "${value}".`, path);
    }
  };
}
