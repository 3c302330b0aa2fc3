// Scopes are `resource:action` or dotted names; `*` in a scope or in a pattern stands for any
// run of characters. Used by KW002 (wildcards) and KW009 (admin scopes).

/** True when the scope grants more than one named permission: it holds a `*`. */
export function isWildcardScope(scope: string): boolean {
  return scope.includes('*');
}

const compiled = new Map<string, RegExp>();

function globRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    re = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    compiled.set(glob, re);
  }
  return re;
}

/**
 * True when `scope` and `pattern` can name the same permission: the pattern's `*` matches the
 * scope, or a wildcard scope covers the pattern (`*:write` covers `keys:write`).
 */
export function scopeMatches(scope: string, pattern: string): boolean {
  if (scope === pattern) return true;
  if (globRegExp(pattern).test(scope)) return true;
  return isWildcardScope(scope) && globRegExp(scope).test(pattern.replaceAll('*', 'x'));
}
