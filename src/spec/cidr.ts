import ipaddr from 'ipaddr.js';
import { memoise } from './memoise.js';

const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;
const PREFIX = /^[0-9]{1,3}$/;

/** The address family of `text`, without letting ipaddr throw on the wrong family (hot path). */
function familyOf(text: string): 'ipv4' | 'ipv6' | undefined {
  if (DOTTED_QUAD.test(text)) return ipaddr.IPv4.isValidFourPartDecimal(text) ? 'ipv4' : undefined;
  if (text.includes(':') && !text.includes('%')) return ipaddr.IPv6.isValid(text) ? 'ipv6' : undefined;
  return undefined;
}

/** Checks an IPv4 or IPv6 network in CIDR notation with no host bits set; the problem, or undefined. Memoised. */
export const cidrProblem: (text: string) => string | undefined = memoise(checkCidr);

function checkCidr(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const family = familyOf(text);
    const single = family === 'ipv4' ? `${text}/32` : family === 'ipv6' ? `${text}/128` : undefined;
    return single ? `"${text}" has no prefix length; write ${single} for a single address` : `"${text}" is not a CIDR network (e.g. 203.0.113.0/24)`;
  }
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = familyOf(address);
  if (!family) return `"${text}" is not a CIDR network: "${address}" is not an IPv4 or IPv6 address`;
  const max = family === 'ipv4' ? 32 : 128;
  if (!PREFIX.test(prefixText) || Number(prefixText) > max) {
    return `"${text}" has a bad prefix length: "${prefixText}" is not an integer from 0 to ${max}`;
  }
  // Host bits: every bit after the prefix must be zero. One parse, then a byte walk.
  const bytes = ipaddr.parse(address).toByteArray();
  const prefix = Number(prefixText);
  let hostBitsSet = false;
  for (let bit = prefix; bit < max && !hostBitsSet; bit++) {
    hostBitsSet = ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) === 1;
  }
  if (hostBitsSet) {
    const network = (family === 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(text).toString();
    return `"${text}" has host bits set; the network is ${network}/${prefixText}`;
  }
  return undefined;
}
