// What the key service should hold for a resolved key (the fields the operator sets when it
// creates a key and keeps when it owns one), and how the key the service holds differs from it.
import ipaddr from 'ipaddr.js';
import type { ApiKey, CreateKeyRequest } from '../../client/index.js';
import type { ResolvedKey } from '../../spec/index.js';
import { OWNER_METADATA, RESOURCE_METADATA } from './api-key-resource.js';

/** The create request of a key the operator creates for an ApiKey (its uid goes into the key's metadata). */
export function createRequestFor(key: ResolvedKey, owner: { uid: string; resource: string }, now: Date): CreateKeyRequest {
  return {
    name: key.name,
    environment: key.environment,
    mode: key.mode,
    integration: key.integration,
    service: key.service,
    scopes: [...key.scopes],
    allowedCidrs: [...(key.allowedCidrs ?? [])],
    limits: { ...key.limits },
    rateLimit: key.rateLimit ? { requests: key.rateLimit.requests, windowSeconds: key.rateLimit.per.seconds } : null,
    expiresAt: key.expiresAfter ? new Date(now.getTime() + key.expiresAfter.seconds * 1000).toISOString() : null,
    // The stack's `keywarden.dev/spec` and `keywarden.dev/owner` entries too, so a key reads the same whoever made it.
    metadata: {
      'keywarden.dev/spec': key.document.name,
      ...(key.owner !== undefined ? { 'keywarden.dev/owner': key.owner.slice(0, 256) } : {}),
      [OWNER_METADATA]: owner.uid,
      [RESOURCE_METADATA]: owner.resource.slice(0, 256),
    },
  };
}

/** One way the key service's key differs from the spec (scopes or networks changed by hand). */
export interface KeyDifference {
  readonly field: 'scopes' | 'allowedCidrs';
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** One spelling per network (`2001:DB8::/32` and `2001:db8:0::/32` are the same), so only real changes count as drift. */
function canonicalCidr(cidr: string): string {
  try {
    const [address, bits] = ipaddr.parseCIDR(cidr);
    return `${address.toString()}/${bits}`;
  } catch {
    return cidr;
  }
}

function diff(field: KeyDifference['field'], wanted: readonly string[], actual: readonly string[]): KeyDifference | undefined {
  const spell = field === 'allowedCidrs' ? canonicalCidr : (x: string) => x;
  const want = new Set(wanted.map(spell));
  const have = new Set(actual.map(spell));
  const added = [...have].filter((x) => !want.has(x)).sort();
  const removed = [...want].filter((x) => !have.has(x)).sort();
  return added.length + removed.length === 0 ? undefined : { field, added, removed };
}

/** How the key service's key differs from the resolved spec, field by field. */
export function keyDifferences(key: ResolvedKey, actual: Pick<ApiKey, 'scopes' | 'allowedCidrs'>): KeyDifference[] {
  return [diff('scopes', key.scopes, actual.scopes), diff('allowedCidrs', key.allowedCidrs ?? [], actual.allowedCidrs)].filter(
    (d): d is KeyDifference => d !== undefined,
  );
}

/** `scopes +admin:* -invoices:read; allowedCidrs +0.0.0.0/0` */
export function describeDifferences(differences: readonly KeyDifference[]): string {
  return differences.map((d) => `${d.field} ${[...d.added.map((x) => `+${x}`), ...d.removed.map((x) => `-${x}`)].join(' ')}`).join('; ');
}
