// CIDR allowlists with real matching for IPv4 and IPv6. IPv4-mapped IPv6 addresses
// (::ffff:203.0.113.7) are treated as the IPv4 address they carry, in lists and in peers.
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/**
 * Parses an address, unwrapping IPv4-mapped IPv6; undefined when it is not an IP. IPv4 must be
 * four decimal parts: legacy forms such as `1.2.3` or `0x7f.1` are refused, not reinterpreted.
 */
export function parseAddress(text: string): Address | undefined {
  const valid = text.includes(':') ? ipaddr.IPv6.isValid(text) : ipaddr.IPv4.isValidFourPartDecimal(text);
  if (!valid) return undefined;
  try {
    return ipaddr.process(text);
  } catch {
    return undefined;
  }
}

/** Parses `a.b.c.d/n`, `x::/n` or a bare address (a /32 or /128); undefined when invalid. */
export function parseCidr(text: string): Range | undefined {
  const trimmed = text.trim();
  if (!trimmed.includes('/')) {
    const addr = parseAddress(trimmed);
    return addr ? [addr, addr.kind() === 'ipv4' ? 32 : 128] : undefined;
  }
  const slash = trimmed.indexOf('/');
  if (parseAddress(trimmed.slice(0, slash)) === undefined || !/^\d{1,3}$/.test(trimmed.slice(slash + 1))) return undefined;
  let range: Range;
  try {
    range = ipaddr.parseCIDR(trimmed);
  } catch {
    return undefined;
  }
  const [addr, bits] = range;
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return range;
}

/** Names every entry of `list` that is not a CIDR or address (for validation messages). */
export function invalidCidrs(list: readonly string[]): string[] {
  return list.filter((entry) => parseCidr(entry) === undefined);
}

/** A compiled allowlist. An empty list allows every address. */
export class CidrSet {
  private readonly v4: Range[] = [];
  private readonly v6: Range[] = [];
  readonly size: number;

  constructor(list: readonly string[]) {
    for (const entry of list) {
      const range = parseCidr(entry);
      if (!range) throw new Error(`not an IP address or CIDR: ${entry}`);
      (range[0].kind() === 'ipv4' ? this.v4 : this.v6).push(range);
    }
    this.size = this.v4.length + this.v6.length;
  }

  /** True when `ip` (text) falls in one of the ranges. Unparseable addresses never match. */
  contains(ip: string): boolean {
    const addr = parseAddress(ip);
    return addr !== undefined && this.containsAddress(addr);
  }

  containsAddress(addr: Address): boolean {
    const ranges = addr.kind() === 'ipv4' ? this.v4 : this.v6;
    for (const range of ranges) if (addr.match(range)) return true;
    return false;
  }
}
