import path from 'node:path';
import type { Delivery, Location, ResolvedKey } from '../../spec/model.js';
import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';

/** A stable identity for a destination; two deliveries with the same identity overwrite each other. */
function destinationId(key: ResolvedKey, delivery: Delivery, regionOf: (environment: string) => string | undefined): string {
  switch (delivery.kind) {
    case 'awsSecretsManager':
      return `awsSecretsManager ${delivery.region ?? regionOf(key.environment) ?? '(default region)'} ${delivery.name}`;
    case 'kubernetesSecret':
      return `kubernetesSecret ${delivery.namespace}/${delivery.name} key ${delivery.key}`;
    case 'file':
      return `file ${path.posix.normalize(delivery.path.replaceAll('\\', '/'))}`;
  }
}

function describeDestination(id: string): string {
  if (id.startsWith('awsSecretsManager ')) {
    const [, region, ...name] = id.split(' ');
    return `Secrets Manager secret "${name.join(' ')}" in ${region}`;
  }
  if (id.startsWith('kubernetesSecret ')) return `Kubernetes Secret ${id.slice('kubernetesSecret '.length)}`;
  return `file "${id.slice('file '.length)}"`;
}

interface Use {
  readonly key: ResolvedKey;
  /** Index of the delivery in the key's list. */
  readonly index: number;
}

function names(keys: readonly ResolvedKey[]): string {
  return keys.map((k) => k.name).join(', ');
}

function where(location: Location): string {
  return `${location.file}:${location.line}`;
}

export const kw001 = {
  id: 'KW001',
  title: 'Separate keys per environment',
  severity: 'error',
  help:
    'Give every environment its own key and its own destination: no two resolved keys may share a name, and no two keys may deliver to the same Secrets Manager secret (name and region), Kubernetes Secret key or file. Rename the key (per-environment `name`) or change the destination.',
  rationale:
    'A key shared between environments lets a leak in a test system reach production, and two keys writing to one destination overwrite each other so one of them silently stops working.',
  params: {},
  paramsSchema: {},
  check(ctx) {
    const findings: Finding[] = [];
    const byName = new Map<string, ResolvedKey>();
    const users = new Map<string, Use[]>();
    const regionOf = (environment: string) => ctx.project.environments[environment]?.awsRegion;
    for (const key of ctx.keys) {
      const first = byName.get(key.name);
      if (first) {
        findings.push(
          ctx.finding(
            key.locate('name'),
            `key name "${key.name}" (environment ${key.environment}, spec ${key.document.name}) is also used by environment ${first.environment} of spec ${first.document.name} (${where(first.locate('name'))}): give each environment its own key name`,
            key,
          ),
        );
      } else {
        byName.set(key.name, key);
      }
      const seen = new Set<string>();
      key.delivery.forEach((delivery, index) => {
        const id = destinationId(key, delivery, regionOf);
        if (seen.has(id)) return;
        seen.add(id);
        const list = users.get(id);
        if (list) list.push({ key, index });
        else users.set(id, [{ key, index }]);
      });
    }
    // Only shared destinations are located (positions cost); each delivery node is reported
    // once, naming every key that reaches the destination through it.
    for (const [id, list] of users) {
      if (list.length < 2) continue;
      const first = list[0] as Use;
      const firstAt = first.key.locate('delivery', first.index);
      const groups = new Map<string, { location: Location; keys: ResolvedKey[] }>();
      for (const use of list.slice(1)) {
        const location = use.key.locate('delivery', use.index);
        const at = `${location.file}:${location.line}:${location.column}`;
        const group = groups.get(at);
        if (group) group.keys.push(use.key);
        else groups.set(at, { location, keys: [use.key] });
      }
      for (const { location, keys } of groups.values()) {
        const inherited = location.file === firstAt.file && location.line === firstAt.line && location.column === firstAt.column;
        const message = inherited
          ? `keys ${names([first.key, ...keys])} all inherit this delivery to ${describeDestination(id)} and would overwrite each other's secret: give each environment its own delivery`
          : `${keys.length === 1 ? 'key' : 'keys'} ${names(keys)} ${keys.length === 1 ? 'delivers' : 'deliver'} to ${describeDestination(id)}, which key ${first.key.name} (${where(firstAt)}) also delivers to: give each key its own destination`;
        findings.push(ctx.finding(location, message, keys[0]));
      }
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
