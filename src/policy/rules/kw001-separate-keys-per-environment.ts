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
    const byDestination = new Map<string, { key: ResolvedKey; index: number }>();
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
      key.delivery.forEach((delivery, i) => {
        const id = destinationId(key, delivery, regionOf);
        if (seen.has(id)) return;
        seen.add(id);
        const owner = byDestination.get(id);
        if (!owner) {
          byDestination.set(id, { key, index: i });
          return;
        }
        findings.push(
          ctx.finding(
            key.locate('delivery', i),
            `key ${key.name} delivers to ${describeDestination(id)}, which key ${owner.key.name} (${where(owner.key.locate('delivery', owner.index))}) also delivers to: give each key its own destination`,
            key,
          ),
        );
      });
    }
    return findings;
  },
} satisfies BuiltinRule<Record<never, never>>;
