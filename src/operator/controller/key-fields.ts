// What the key service should hold for a resolved key (the fields the operator sets when it
// creates a key and keeps when it owns one), and how the key the service holds differs from it.
import ipaddr from 'ipaddr.js';
import type { ApiKey, CreateKeyRequest, UpdateKeyRequest } from '../../client/index.js';
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
    rateLimit: serviceRateLimit(key),
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

/** One way the key service's key differs from the spec (a field changed by hand), and the update that undoes it. */
export interface KeyDifference {
  readonly field: 'scopes' | 'allowedCidrs' | 'limits' | 'rateLimit' | 'expiresAt';
  /** The key service's key against the spec, without the field name: `+admin:* -invoices:read`, `max_payout 55.00→5000`. */
  readonly drift: string;
  /** The same change the other way, the update that puts the key to the spec: `-admin:* +invoices:read`, `max_payout 5000→55.00`. */
  readonly update: string;
  /** The update that puts the field back to the spec. */
  readonly restore: UpdateKeyRequest;
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

function setDifference(field: 'scopes' | 'allowedCidrs', wanted: readonly string[], actual: readonly string[]): KeyDifference | undefined {
  const spell = field === 'allowedCidrs' ? canonicalCidr : (x: string) => x;
  const want = new Set(wanted.map(spell));
  const have = new Set(actual.map(spell));
  const added = [...have].filter((x) => !want.has(x)).sort();
  const removed = [...want].filter((x) => !have.has(x)).sort();
  if (added.length + removed.length === 0) return undefined;
  const signed = (plus: string[], minus: string[]): string => [...plus.map((x) => `+${x}`), ...minus.map((x) => `-${x}`)].join(' ');
  return { field, drift: signed(added, removed), update: signed(removed, added), restore: { [field]: [...wanted] } };
}

type LimitValue = string | number | boolean;

/** Typed limits (`max_payout`) compared value for value and type for type: `"55.00"` and `55` differ, as the service enforces them. */
function limitsDifference(wanted: Readonly<Record<string, LimitValue>>, actual: Readonly<Record<string, LimitValue>>): KeyDifference | undefined {
  /** `from` turned into `to`, limit by limit. */
  const changes = (from: Readonly<Record<string, LimitValue>>, to: Readonly<Record<string, LimitValue>>): string =>
    [...new Set([...Object.keys(from), ...Object.keys(to)])]
      .sort()
      .filter((name) => from[name] !== to[name])
      .map((name) => (from[name] === undefined ? `+${name}=${String(to[name])}` : to[name] === undefined ? `-${name}` : `${name} ${String(from[name])}→${String(to[name])}`))
      .join(' ');
  const drift = changes(wanted, actual);
  return drift === '' ? undefined : { field: 'limits', drift, update: changes(actual, wanted), restore: { limits: { ...wanted } } };
}

type ServiceRateLimit = ApiKey['rateLimit'];

function rateLimitDifference(wanted: ServiceRateLimit, actual: ServiceRateLimit): KeyDifference | undefined {
  const spell = (r: ServiceRateLimit): string => (r === null ? 'service default' : `${r.requests}/${r.windowSeconds}s`);
  if (spell(wanted) === spell(actual)) return undefined;
  return { field: 'rateLimit', drift: `${spell(wanted)}→${spell(actual)}`, update: `${spell(actual)}→${spell(wanted)}`, restore: { rateLimit: wanted } };
}

/**
 * A lifetime the spec requires (`expiresAfter`) but the key no longer has: the expiry was
 * removed by hand. It is put back at creation + `expiresAfter`. (An expiry moved by hand is left
 * alone: the operator's clock and the service's may differ, and an earlier expiry is stricter.)
 */
function expiryDifference(key: ResolvedKey, actual: Pick<ApiKey, 'expiresAt' | 'createdAt'>): KeyDifference | undefined {
  if (key.expiresAfter === undefined || actual.expiresAt !== null) return undefined;
  const expiresAt = new Date(Date.parse(actual.createdAt) + key.expiresAfter.seconds * 1000).toISOString();
  return { field: 'expiresAt', drift: `none (spec: ${key.expiresAfter.text} from creation)`, update: `none→${expiresAt}`, restore: { expiresAt } };
}

/** The rate limit a resolved key asks the service for (`null`: the service's default). */
export function serviceRateLimit(key: ResolvedKey): ServiceRateLimit {
  return key.rateLimit ? { requests: key.rateLimit.requests, windowSeconds: key.rateLimit.per.seconds } : null;
}

/** How the key service's key differs from the resolved spec, field by field. */
export function keyDifferences(key: ResolvedKey, actual: Pick<ApiKey, 'scopes' | 'allowedCidrs' | 'limits' | 'rateLimit' | 'expiresAt' | 'createdAt'>): KeyDifference[] {
  return [
    setDifference('scopes', key.scopes, actual.scopes),
    setDifference('allowedCidrs', key.allowedCidrs ?? [], actual.allowedCidrs),
    limitsDifference(key.limits, actual.limits as Record<string, LimitValue>),
    rateLimitDifference(serviceRateLimit(key), actual.rateLimit),
    expiryDifference(key, actual),
  ].filter((d): d is KeyDifference => d !== undefined);
}

/** The one update that undoes every difference. */
export function restoringUpdate(differences: readonly KeyDifference[]): UpdateKeyRequest {
  return Object.assign({}, ...differences.map((d) => d.restore)) as UpdateKeyRequest;
}

/**
 * `drift`: how the key service's key departs from the spec (`scopes +admin:* -invoices:read;
 * limits max_payout 55.00→5000`); `update`: the change that puts it back (a spec change applied).
 */
export function describeDifferences(differences: readonly KeyDifference[], as: 'drift' | 'update'): string {
  return differences.map((d) => `${d.field} ${d[as]}`).join('; ');
}
