// The same few networks recur across thousands of keys; parsing each once per process keeps
// the CEL network helpers cheap. (cidrProblem from spec/ is memoised itself.)
import ipaddr from 'ipaddr.js';
import { cidrProblem } from '../spec/index.js';

const MAX_ENTRIES = 10_000;
const networks = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number]>();

function remember<V>(cache: Map<string, V>, text: string, value: V): V {
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(text, value);
  return value;
}

/** The parsed network of a valid CIDR; throws (with the problem) when it is not valid. */
export function parsedNetwork(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const cached = networks.get(text);
  if (cached) return cached;
  const problem = cidrProblem(text);
  if (problem) throw new Error(problem);
  return remember(networks, text, ipaddr.parseCIDR(text));
}
