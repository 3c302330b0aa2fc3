/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest candidate, if it is close enough to be a likely typo (case-insensitive). */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  if (bestDistance <= allowed) return best;
  // An abbreviation (`prod` for `production`) or a reworded ending (`expiresIn` for
  // `expiresAfter`) is a likely slip too: pick the longest shared beginning, if long enough.
  let prefixBest: string | undefined;
  let prefixLength = 0;
  for (const c of candidates) {
    const other = c.toLowerCase();
    let n = 0;
    while (n < lower.length && n < other.length && lower[n] === other[n]) n++;
    const enough = n === lower.length ? n >= 3 : n >= 4 && n * 2 >= lower.length;
    if (enough && n > prefixLength) {
      prefixBest = c;
      prefixLength = n;
    }
  }
  return prefixBest;
}
