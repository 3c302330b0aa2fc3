/**
 * A pure string check, memoised: specs repeat the same networks and schedules across
 * thousands of documents, so each distinct text is checked once (cache cleared at `limit`).
 */
export function memoise<R>(check: (text: string) => R, limit = 10_000): (text: string) => R {
  const cache = new Map<string, R>();
  return (text) => {
    if (cache.has(text)) return cache.get(text) as R;
    const result = check(text);
    if (cache.size >= limit) cache.clear();
    cache.set(text, result);
    return result;
  };
}
