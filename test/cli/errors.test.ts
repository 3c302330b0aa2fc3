import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { CLI_ERRORS, CliError, type CliErrorKind } from '../../src/cli/errors.js';

const docs = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
const strip = (text: string): string => text.replace(/`/g, '');

describe('the CLI error catalog', () => {
  const entries = Object.values(CLI_ERRORS);

  it('never gives two errors the same code', () => {
    const codes = entries.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^KWC\d{3}$/);
  });

  it('is listed in docs/cli.md row for row, with the same title and advice', () => {
    const rows = new Map(
      [...docs.matchAll(/^\| `(KWC\d{3})` \| ([^|]+) \| (.+) \|$/gm)].map((m) => [m[1]!, { title: m[2]!.trim(), help: strip(m[3]!.trim()) }]),
    );
    expect([...rows.keys()].sort()).toEqual(entries.map((e) => e.code).sort());
    for (const e of entries) expect(rows.get(e.code)).toEqual({ title: e.title, help: strip(e.help) });
  });

  it('builds the one-line message from code, title, what was wrong and what to do', () => {
    for (const kind of Object.keys(CLI_ERRORS) as CliErrorKind[]) {
      const err = new CliError(kind, 'the detail');
      expect(err.message).toBe(`${CLI_ERRORS[kind].code} ${CLI_ERRORS[kind].title}: the detail. ${CLI_ERRORS[kind].help}`);
      expect(err.code).toBe(CLI_ERRORS[kind].code);
    }
  });
});
