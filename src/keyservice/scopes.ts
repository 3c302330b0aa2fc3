// Scopes: the management scopes of the key service itself, the catalog served on
// GET /v1/scopes, and the escalation rule for granting scopes.
import type { ScopeDefinition } from './options.js';

/** Management scopes: they act on the key service itself. */
export const MANAGEMENT_SCOPES: readonly ScopeDefinition[] = [
  { name: 'keys:read', description: 'List and read keys and their versions (never their secrets).' },
  { name: 'keys:write', description: 'Create, update and revoke keys and versions.' },
  { name: 'keys:rotate', description: 'Rotate keys (receives the new secret).' },
  { name: 'audit:read', description: "Read the account's audit log." },
  { name: 'accounts:admin', description: 'Read the audit log of every account.' },
];

export type ManagementScope = 'keys:read' | 'keys:write' | 'keys:rotate' | 'audit:read' | 'accounts:admin';

const MANAGEMENT = new Set(MANAGEMENT_SCOPES.map((s) => s.name));

/** A scope is `resource:action`-like text: letters, digits and `._:-/`, no wildcard. */
export const SCOPE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]*$';

export function isManagementScope(scope: string): boolean {
  return MANAGEMENT.has(scope);
}

/** The served catalog: management scopes, then the configured application scopes. */
export function scopeCatalog(
  applicationScopes: readonly ScopeDefinition[] | undefined,
): Array<{ name: string; description: string; management: boolean }> {
  return [
    ...MANAGEMENT_SCOPES.map((s) => ({ ...s, management: true })),
    ...(applicationScopes ?? []).filter((s) => !MANAGEMENT.has(s.name)).map((s) => ({ ...s, management: false })),
  ];
}

/** Scopes not in the configured catalog (none when no application catalog is configured). */
export function unknownScopes(scopes: readonly string[], applicationScopes: readonly ScopeDefinition[] | undefined): string[] {
  if (applicationScopes === undefined) return [];
  const known = new Set(applicationScopes.map((s) => s.name));
  return scopes.filter((s) => !MANAGEMENT.has(s) && !known.has(s));
}

/**
 * The escalation rule: an actor may grant, keep or take away a management scope only if it
 * holds that scope itself, and may act on (update, rotate, revoke) a key only if it holds
 * every management scope that key holds — otherwise rotating an admin key would hand the
 * actor the admin secret. Application scopes are not management power and may be granted by
 * any key with keys:write. Returns the management scopes the actor lacks (empty = allowed).
 */
export function missingManagementScopes(actorScopes: readonly string[], scopes: readonly string[]): string[] {
  const held = new Set(actorScopes);
  return [...new Set(scopes)].filter((s) => MANAGEMENT.has(s) && !held.has(s));
}

/** Scopes of `required` that `held` lacks. */
export function missingScopes(held: readonly string[], required: readonly string[]): string[] {
  if (required.length === 0) return [];
  return required.filter((s) => !held.includes(s));
}
