// Reads the chart and renders its templates crudely for structure checks (there is no helm
// binary here): control lines ({{- if }}, {{- end }}, …) are dropped, a line that is one
// include/toYaml becomes `rendered: x`, and any other {{ … }} becomes X. Both branches of every
// `if` are kept, so the result shows every field a real render could produce.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const CHART_DIR = join(import.meta.dirname, '..', '..', 'charts', 'keywarden');

export function chartFile(path: string): string {
  return readFileSync(join(CHART_DIR, path), 'utf8');
}

export function chartYaml(path: string): unknown {
  return parse(chartFile(path));
}

/** Template file names (templates/*.yaml). */
export function templateNames(): string[] {
  return readdirSync(join(CHART_DIR, 'templates')).filter((file) => file.endsWith('.yaml'));
}

const CONTROL = /^\s*\{\{-?\s*(if|else|end|with|range)\b[^}]*-?\}\}\s*$/;
const WHOLE_LINE = /^(\s*)\{\{-?\s*(include|toYaml)\b[^}]*-?\}\}\s*$/;

/** The crude rendering of one template, as parsed YAML documents. */
export function crudeRender(name: string): Array<Record<string, unknown>> {
  const lines = chartFile(join('templates', name))
    .split('\n')
    .filter((line) => !CONTROL.test(line))
    .map((line) => {
      const whole = WHOLE_LINE.exec(line);
      if (whole) return `${whole[1]}rendered: x`;
      return line.replace(/\{\{-?[^}]*-?\}\}/g, 'X');
    });
  return parseAllDocuments(lines.join('\n'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJSON() as Record<string, unknown>;
    })
    .filter((doc) => doc !== null);
}

/** Every `.Values.a.b` path used in the templates, helpers and NOTES.txt. */
export function valuesReferences(): Map<string, string[]> {
  const files = [...templateNames().map((n) => join('templates', n)), 'templates/_helpers.tpl', 'templates/NOTES.txt'];
  const refs = new Map<string, string[]>();
  for (const file of files) {
    for (const match of chartFile(file).matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const path = match[1]!.slice(1);
      refs.set(path, [...(refs.get(path) ?? []), file]);
    }
  }
  return refs;
}
