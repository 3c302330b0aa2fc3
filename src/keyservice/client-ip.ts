// The client address of a request. X-Forwarded-For is believed only when the direct peer is
// a configured trusted proxy; then the right-most hop that is not itself a trusted proxy is
// the client (hops to its left could have been written by the client and are ignored).
import { CidrSet, parseAddress } from './cidr.js';

export class ClientIpResolver {
  private readonly trusted: CidrSet;

  constructor(trustedProxies: readonly string[]) {
    this.trusted = new CidrSet(trustedProxies);
  }

  /** `peer` is the socket's remote address; `forwardedFor` the raw X-Forwarded-For header(s). */
  resolve(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    const direct = normalize(peer ?? '');
    if (this.trusted.size === 0 || forwardedFor === undefined || !this.trusted.contains(direct)) return direct;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h.length > 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalize(hops[i]!);
      if (parseAddress(hop) === undefined) return direct; // garbage in the chain: trust nothing past it
      if (!this.trusted.contains(hop)) return hop;
    }
    // Every hop is a trusted proxy: the left-most one is the closest we know to the client.
    return hops.length > 0 ? normalize(hops[0]!) : direct;
  }
}

/** Canonical text of an address (IPv4-mapped IPv6 becomes IPv4); unparseable text is returned as is. */
export function normalize(ip: string): string {
  const addr = parseAddress(ip);
  return addr ? addr.toString() : ip;
}
