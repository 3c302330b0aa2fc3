// SARIF partialFingerprints.primaryLocationLineHash: identifies a result across runs so that
// code scanning keeps one alert open instead of closing and reopening it on every push.
// It hashes what the result is about (rule, file, the text of its line), never the line number,
// so edits elsewhere in the file leave it unchanged; the occurrence index tells apart the same
// rule firing on identical lines of one file.
import { createHash } from 'node:crypto';
import type { Finding } from '../finding.js';

/** The text of 1-based `line` in `source` without any whitespace (re-indenting keeps the hash); '' when unknown. */
export function lineText(source: string | undefined, line: number): string {
  if (source === undefined || line < 1) return '';
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = source.indexOf('\n', start);
  return source.slice(start, end < 0 ? undefined : end).replace(/\s+/g, '');
}

/**
 * Fingerprints for `findings` (already in report order), in the same order, as
 * `<16 hex digits>:<occurrence>` like GitHub's own. `uri` is the repository-relative path.
 */
export function lineHashes(
  findings: readonly Finding[],
  uriOf: (finding: Finding) => string,
  sources: ReadonlyMap<string, string>,
): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    // Without the line's text (no source), the field path stands in: it is as stable.
    const anchor = lineText(sources.get(f.file), f.line) || f.path;
    const hash = createHash('sha256')
      .update(`${f.ruleId}\0${uriOf(f)}\0${anchor}\0${f.key ?? ''}`)
      .digest('hex')
      .slice(0, 16);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  });
}
