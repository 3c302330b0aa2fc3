// The `key` variable of custom CEL rules: a resolved key as plain CEL data. Whole numbers are
// CEL ints (bigint), durations are given both as written (`expiresAfter: "365d"`) and in
// seconds (`expiresAfterSeconds`). Optional fields are absent when unset, so `has()` works.
import type { Delivery, Duration, ResolvedKey } from '../spec/model.js';

type CelData = string | boolean | number | bigint | null | readonly CelData[] | { readonly [field: string]: CelData };

function number(value: number): number | bigint {
  return Number.isSafeInteger(value) ? BigInt(value) : value;
}

function putDuration(target: Record<string, CelData>, field: string, value: Duration | undefined): void {
  if (!value) return;
  target[field] = value.text;
  target[`${field}Seconds`] = BigInt(value.seconds);
}

function delivery(d: Delivery): Record<string, CelData> {
  switch (d.kind) {
    case 'awsSecretsManager':
      return d.region === undefined ? { kind: d.kind, name: d.name } : { kind: d.kind, name: d.name, region: d.region };
    case 'kubernetesSecret':
      return { kind: d.kind, namespace: d.namespace, name: d.name, key: d.key };
    case 'file':
      return { kind: d.kind, path: d.path };
  }
}

/** The CEL value of `key` for one resolved key. */
export function celKey(key: ResolvedKey): Record<string, CelData> {
  const limits: Record<string, CelData> = {};
  for (const [name, value] of Object.entries(key.limits)) limits[name] = typeof value === 'number' ? number(value) : value;
  const out: Record<string, CelData> = {
    name: key.name,
    environment: key.environment,
    mode: key.mode,
    integration: key.integration,
    service: key.service,
    spec: key.document.name,
    file: key.document.file,
    scopes: key.scopes,
    limits,
    delivery: key.delivery.map(delivery),
    labels: key.labels,
    annotations: key.annotations,
  };
  if (key.document.namespace !== undefined) out['namespace'] = key.document.namespace;
  if (key.owner !== undefined) out['owner'] = key.owner;
  if (key.allowedCidrs !== undefined) out['allowedCidrs'] = key.allowedCidrs;
  if (key.rateLimit) {
    const rateLimit: Record<string, CelData> = { requests: BigInt(key.rateLimit.requests) };
    putDuration(rateLimit, 'per', key.rateLimit.per);
    out['rateLimit'] = rateLimit;
  }
  putDuration(out, 'expiresAfter', key.expiresAfter);
  if (key.rotation) {
    const rotation: Record<string, CelData> = {};
    putDuration(rotation, 'every', key.rotation.every);
    if (key.rotation.schedule !== undefined) rotation['schedule'] = key.rotation.schedule;
    putDuration(rotation, 'window', key.rotation.window);
    putDuration(rotation, 'overlap', key.rotation.overlap);
    out['rotation'] = rotation;
  }
  return out;
}
