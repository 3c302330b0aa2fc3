// CIDR checks are pure and the same few networks recur across thousands of keys; parsing them
// once per process keeps KW005 and the CEL helpers cheap.
import ipaddr from 'ipaddr.js';
import { cidrProblem } from '../spec/index.js';

const MAX_ENTRIES = 10_000;
const problems = new Map<string, string | undefined>();
const networks = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number]>();

function remember<V>(cache: Map<string, V>, text: string, value: V): V {
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(text, value);
  return value;
}

/** `cidrProblem`, memoised: what is wrong with a CIDR network, or undefined. */
export function cidrProblemOf(text: string): string | undefined {
  return problems.has(text) ? problems.get(text) : remember(problems, text, cidrProblem(text));
}

/** The parsed network of a valid CIDR; throws (with the problem) when it is not valid. */
export function parsedNetwork(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const cached = networks.get(text);
  if (cached) return cached;
  const problem = cidrProblemOf(text);
  if (problem) throw new Error(problem);
  return remember(networks, text, ipaddr.parseCIDR(text));
}
