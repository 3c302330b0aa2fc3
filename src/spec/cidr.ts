import ipaddr from 'ipaddr.js';

/** Checks an IPv4 or IPv6 network in CIDR notation with no host bits set; the problem, or undefined. */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const single = ipaddr.IPv4.isValidFourPartDecimal(text) ? `${text}/32` : ipaddr.IPv6.isValid(text) ? `${text}/128` : undefined;
    return single ? `"${text}" has no prefix length; write ${single} for a single address` : `"${text}" is not a CIDR network (e.g. 203.0.113.0/24)`;
  }
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const v6 = !v4 && ipaddr.IPv6.isValid(address) && !address.includes('%');
  if (!v4 && !v6) return `"${text}" is not a CIDR network: "${address}" is not an IPv4 or IPv6 address`;
  const max = v4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return `"${text}" has a bad prefix length: "${prefixText}" is not an integer from 0 to ${max}`;
  }
  const network = (v4 ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(text).toString();
  if (network !== ipaddr.parse(address).toString()) {
    return `"${text}" has host bits set; the network is ${network}/${prefixText}`;
  }
  return undefined;
}
