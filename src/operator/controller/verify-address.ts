// The source address the rotation's verify step claims: a key with an allowlist fails closed
// without one, so the test of a new version uses the first host of the key's first network.
import ipaddr from 'ipaddr.js';

/** The first host address of the first CIDR (the network address itself for /31, /32, /127, /128), or undefined without an allowlist. */
export function verifyAddress(allowedCidrs: readonly string[] | undefined): string | undefined {
  const first = allowedCidrs?.[0];
  if (first === undefined) return undefined;
  try {
    const [address, bits] = ipaddr.parseCIDR(first);
    const bytes = address.toByteArray();
    const hostBits = bytes.length * 8 - bits;
    if (hostBits >= 2) bytes[bytes.length - 1] = (bytes[bytes.length - 1]! | 1) & 0xff;
    return ipaddr.fromByteArray(bytes).toString();
  } catch {
    return undefined;
  }
}
