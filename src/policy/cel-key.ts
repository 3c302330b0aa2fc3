// The `key` variable of custom CEL rules: a resolved key as CEL data. Whole numbers are CEL
// ints (bigint); durations are given both as written (`expiresAfter: "365d"`) and in seconds
// (`expiresAfterSeconds`). Optional fields are absent when unset, so `has()` works.
// The value is built as CEL maps and lists up front: handing CEL plain objects makes it convert
// them again on every access, which dominated the cost of evaluating rules.
import { celList, celMap, type CelList, type CelMap } from '@bufbuild/cel';
import type { Delivery, Duration, ResolvedKey } from '../spec/model.js';

type CelData = string | boolean | number | bigint | null | CelList | CelMap;
type Fields = Map<string, CelData>;

const EMPTY: CelMap = celMap(new Map());

function stringMap(record: Readonly<Record<string, string>>): CelMap {
  const fields: Fields = new Map();
  for (const name in record) fields.set(name, record[name] as string);
  return fields.size === 0 ? EMPTY : celMap(fields);
}

function putDuration(fields: Fields, field: string, value: Duration | undefined): void {
  if (!value) return;
  fields.set(field, value.text);
  fields.set(`${field}Seconds`, BigInt(value.seconds));
}

function delivery(d: Delivery): CelMap {
  const fields: Fields = new Map([['kind', d.kind]]);
  switch (d.kind) {
    case 'awsSecretsManager':
      fields.set('name', d.name);
      if (d.region !== undefined) fields.set('region', d.region);
      break;
    case 'kubernetesSecret':
      fields.set('namespace', d.namespace).set('name', d.name).set('key', d.key);
      break;
    case 'file':
      fields.set('path', d.path);
      break;
  }
  return celMap(fields);
}

/** The CEL value of `key` for one resolved key. */
export function celKey(key: ResolvedKey): CelMap {
  const limits: Fields = new Map();
  for (const name in key.limits) {
    const value = key.limits[name] as string | number | boolean;
    limits.set(name, typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value);
  }
  const out: Fields = new Map<string, CelData>([
    ['name', key.name],
    ['environment', key.environment],
    ['mode', key.mode],
    ['integration', key.integration],
    ['service', key.service],
    ['spec', key.document.name],
    ['file', key.document.file],
    ['scopes', celList(key.scopes)],
    ['limits', limits.size === 0 ? EMPTY : celMap(limits)],
    ['delivery', celList(key.delivery.map(delivery))],
    ['labels', stringMap(key.labels)],
    ['annotations', stringMap(key.annotations)],
  ]);
  if (key.document.namespace !== undefined) out.set('namespace', key.document.namespace);
  if (key.owner !== undefined) out.set('owner', key.owner);
  if (key.allowedCidrs !== undefined) out.set('allowedCidrs', celList(key.allowedCidrs));
  if (key.rateLimit) {
    const rateLimit: Fields = new Map([['requests', BigInt(key.rateLimit.requests)]]);
    putDuration(rateLimit, 'per', key.rateLimit.per);
    out.set('rateLimit', celMap(rateLimit));
  }
  putDuration(out, 'expiresAfter', key.expiresAfter);
  if (key.rotation) {
    const rotation: Fields = new Map();
    putDuration(rotation, 'every', key.rotation.every);
    if (key.rotation.schedule !== undefined) rotation.set('schedule', key.rotation.schedule);
    putDuration(rotation, 'window', key.rotation.window);
    putDuration(rotation, 'overlap', key.rotation.overlap);
    out.set('rotation', celMap(rotation));
  }
  return celMap(out);
}
