// Helpers registered for custom CEL rules. Each one throws on bad input, which CEL turns into
// an evaluation error of the expression (reported as a finding of the rule).
import { celFunc, CelScalar, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import ipaddr from 'ipaddr.js';
import { cidrProblem, parseDuration } from '../spec/index.js';
import { parsedNetwork } from './cidr-memo.js';
import { scopeMatches } from './scope-pattern.js';

const { STRING, BOOL, INT } = CelScalar;

type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

function network(text: string): Network {
  return parsedNetwork(text);
}

function address(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (!ipaddr.isValid(text)) throw new Error(`"${text}" is not an IP address`);
  return ipaddr.parse(text);
}

function contains(outer: Network, inner: Network): boolean {
  const [outerAddress, outerPrefix] = outer;
  const [innerAddress, innerPrefix] = inner;
  return outerAddress.kind() === innerAddress.kind() && innerPrefix >= outerPrefix && innerAddress.match(outer);
}

function seconds(text: string): bigint {
  const d = parseDuration(text);
  if (!d) throw new Error(`"${text}" is not a duration such as 30d, 24h or 90m`);
  return BigInt(d.seconds);
}

/** Every helper custom rules can call, with the CEL `strings` extension. */
export const CEL_FUNCTIONS: readonly CelFunc[] = [
  ...strings,
  /** isCidr("203.0.113.0/24") → true: a valid network with no host bits set. */
  celFunc('isCidr', [STRING], BOOL, (text) => cidrProblem(text) === undefined),
  /** cidrPrefix("203.0.113.0/24") → 24. */
  celFunc('cidrPrefix', [STRING], INT, (text) => BigInt(network(text)[1])),
  /** inCidr("203.0.113.7", "203.0.113.0/24") → true: the address lies in the network. */
  celFunc('inCidr', [STRING, STRING], BOOL, (ip, cidr) => {
    const a = address(ip);
    const n = network(cidr);
    return a.kind() === n[0].kind() && a.match(n);
  }),
  /** cidrContains("10.0.0.0/8", "10.1.0.0/16") → true: the second network lies inside the first. */
  celFunc('cidrContains', [STRING, STRING], BOOL, (outer, inner) => contains(network(outer), network(inner))),
  /** cidrRange("10.0.0.0/8") → "private"; ipaddr.js range names: unicast, private, loopback, ... */
  celFunc('cidrRange', [STRING], STRING, (text) => network(text)[0].range()),
  /** isDuration("30d") → true. */
  celFunc('isDuration', [STRING], BOOL, (text) => parseDuration(text) !== undefined),
  /** seconds("30d") → 2592000. */
  celFunc('seconds', [STRING], INT, seconds),
  /** scopeMatches("keys:write", "*:write") → true; `*` matches any run of characters on either side. */
  celFunc('scopeMatches', [STRING, STRING], BOOL, (scope, pattern) => scopeMatches(scope, pattern)),
];
