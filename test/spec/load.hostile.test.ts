import { describe, expect, it } from '@jest/globals';
import { loadFromStrings } from '../../src/spec/index.js';

function errorsOf(text: string, options?: { maxFileBytes?: number; maxDepth?: number }): string[] {
  return loadFromStrings({ 'keys/evil.yaml': text }, options).errors.map((e) => `${e.ruleId} ${e.line}:${e.column}`);
}

describe('hostile input', () => {
  it('refuses a billion-laughs alias bomb at its first alias', () => {
    const text = [
      'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
      '',
    ].join('\n');
    const result = loadFromStrings({ 'keys/evil.yaml': text });
    expect(result.errors.map((e) => `${e.ruleId} ${e.line}:${e.column}`)).toEqual(['KWS011 2:8']);
    expect(result.errors[0]?.message).toMatch(/resource-exhaustion/);
  });

  it('accepts a few ordinary aliases', () => {
    const text = ['x: &cidrs [203.0.113.0/24]', 'y: *cidrs', ''].join('\n');
    expect(errorsOf(text)).toEqual(['KWS013 1:1']); // loads as YAML; only the kind is wrong
  });

  it('refuses a file over the size limit without parsing it', () => {
    const text = `# ${'x'.repeat(2000)}\n`;
    const result = loadFromStrings({ 'keys/big.yaml': text }, { maxFileBytes: 1000 });
    expect(result.errors).toEqual([
      expect.objectContaining({ ruleId: 'KWS010', file: 'keys/big.yaml', line: 1, column: 1, message: 'keys/big.yaml is 2003 bytes; the limit is 1000 bytes' }),
    ]);
  });

  it('counts the size limit in bytes, not characters', () => {
    const text = `# ${'é'.repeat(600)}\n`; // 600 characters, 1200 bytes
    expect(errorsOf(text, { maxFileBytes: 1000 })).toEqual(['KWS010 1:1']);
  });

  it('refuses deeply nested flow collections where the limit is crossed', () => {
    const text = `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    expect(errorsOf(text)).toEqual(['KWS012 1:67']);
  });

  it('refuses deeply nested block mappings at the line that crosses the limit', () => {
    let text = '';
    for (let depth = 0; depth < 100; depth++) text += `${' '.repeat(depth)}a:\n`;
    expect(errorsOf(text)).toEqual(['KWS012 65:65']);
  });

  it('refuses deeply nested block sequences', () => {
    const text = `${Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i)}-`).join('\n')} x\n`;
    expect(errorsOf(text, { maxDepth: 10 })[0]).toMatch(/^KWS012 /);
  });

  it('does not count brackets inside quotes or comments', () => {
    const text = `a: "${'['.repeat(100)}" # ${'{'.repeat(100)}\nb: '${'['.repeat(100)}'\n`;
    expect(errorsOf(text)).toEqual(['KWS013 1:1']);
  });
});
