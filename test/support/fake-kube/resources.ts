// The resource types the fake API server serves: built-in ones and any registered later
// (custom resources, directly or by creating a CustomResourceDefinition).
import { invalid, type StatusCause } from './status.js';
import { isObject } from './patch.js';

export type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> };

export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  /** Versions served; objects are stored once and shown in the version asked for. */
  readonly versions: readonly string[];
  readonly kind: string;
  readonly plural: string;
  readonly singular?: string;
  readonly shortNames?: readonly string[];
  readonly namespaced: boolean;
  /** Has a `/status` subresource: the main resource ignores status, `/status` changes only status. */
  readonly statusSubresource: boolean;
  /** metadata.generation starts at 1 and grows when anything but metadata and status changes. */
  readonly tracksGeneration: boolean;
  /** A PUT must carry metadata.resourceVersion (custom resources). [false] */
  readonly requireResourceVersionOnUpdate?: boolean;
  /** Normalizes an object before it is stored and returns what is invalid in it. */
  readonly prepare?: (object: KubeObject) => StatusCause[];
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Secrets: stringData folds into data (base64), type defaults to Opaque, keys are validated. */
function prepareSecret(object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const data: Record<string, unknown> = isObject(object.data) ? { ...object.data } : {};
  if (isObject(object.stringData)) {
    for (const [key, value] of Object.entries(object.stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  delete object.stringData;
  for (const [key, value] of Object.entries(data)) {
    if (!SECRET_KEY.test(key) || key === '.' || key === '..') {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `data[${key}]`,
        message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    }
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      causes.push({ reason: 'FieldValueInvalid', field: `data[${key}]`, message: 'Invalid value: the value must be base64-encoded' });
    }
  }
  if (Object.keys(data).length > 0) object.data = data;
  else delete object.data;
  if (object.type === undefined) object.type = 'Opaque';
  return causes;
}

export const BUILT_IN_TYPES: readonly ResourceType[] = [
  { group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', namespaced: false, statusSubresource: true, tracksGeneration: false },
  {
    group: '',
    versions: ['v1'],
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    statusSubresource: false,
    tracksGeneration: false,
    prepare: prepareSecret,
  },
  { group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', namespaced: true, statusSubresource: false, tracksGeneration: false },
  { group: '', versions: ['v1'], kind: 'Event', plural: 'events', namespaced: true, statusSubresource: false, tracksGeneration: false },
  { group: '', versions: ['v1'], kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, statusSubresource: false, tracksGeneration: false },
  { group: 'events.k8s.io', versions: ['v1'], kind: 'Event', plural: 'events', namespaced: true, statusSubresource: false, tracksGeneration: false },
  { group: 'coordination.k8s.io', versions: ['v1'], kind: 'Lease', plural: 'leases', namespaced: true, statusSubresource: false, tracksGeneration: false },
  { group: 'apps', versions: ['v1'], kind: 'Deployment', plural: 'deployments', namespaced: true, statusSubresource: true, tracksGeneration: true },
  {
    group: 'admissionregistration.k8s.io',
    versions: ['v1'],
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
    statusSubresource: false,
    tracksGeneration: true,
  },
  {
    group: 'apiextensions.k8s.io',
    versions: ['v1'],
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    statusSubresource: true,
    tracksGeneration: true,
  },
];

/** The resource types a CustomResourceDefinition object declares (apiextensions.k8s.io/v1 shape). */
export function typeFromCrd(crd: KubeObject): ResourceType | undefined {
  const spec = crd.spec;
  if (!isObject(spec) || !isObject(spec.names) || typeof spec.group !== 'string' || !Array.isArray(spec.versions)) return undefined;
  const names = spec.names;
  if (typeof names.plural !== 'string' || typeof names.kind !== 'string') return undefined;
  const versions = spec.versions.filter((v): v is Record<string, unknown> => isObject(v) && v.served !== false);
  return {
    group: spec.group,
    versions: versions.map((v) => String(v.name)),
    kind: names.kind,
    plural: names.plural,
    ...(typeof names.singular === 'string' ? { singular: names.singular } : {}),
    ...(Array.isArray(names.shortNames) ? { shortNames: names.shortNames.map(String) } : {}),
    namespaced: spec.scope !== 'Cluster',
    statusSubresource: versions.some((v) => isObject(v.subresources) && isObject(v.subresources.status)),
    tracksGeneration: true,
    requireResourceVersionOnUpdate: true,
  };
}

/** Validates metadata.name as a DNS subdomain (what most resources require). */
export function nameCauses(name: string): StatusCause[] {
  if (name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) return [];
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    },
  ];
}

export function invalidObject(type: ResourceType, name: string, causes: StatusCause[]): never {
  throw invalid(type.kind, type.group, name, causes);
}
