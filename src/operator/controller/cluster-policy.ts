// The cluster's policy: the specs of every KeywardenPolicy, combined into one `policy` section
// for the loader and policy engine (by object name, so the result does not depend on watch
// order): packs, custom rules and exceptions are concatenated; rule settings of a later
// object override those of an earlier one rule by rule.
import type { KubernetesObject } from '@kubernetes/client-node';

export type PolicyObject = KubernetesObject & { spec?: Record<string, unknown> };

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const map = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The combined `policy` section, or undefined when there is no KeywardenPolicy. */
export function clusterPolicy(objects: readonly PolicyObject[]): Record<string, unknown> | undefined {
  if (objects.length === 0) return undefined;
  const sorted = [...objects].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const packs: unknown[] = [];
  const customRules: unknown[] = [];
  const exceptions: unknown[] = [];
  const rules: Record<string, unknown> = {};
  for (const object of sorted) {
    const spec = map(object.spec);
    packs.push(...list(spec.packs));
    customRules.push(...list(spec.customRules));
    exceptions.push(...list(spec.exceptions));
    Object.assign(rules, map(spec.rules));
  }
  return {
    ...(packs.length > 0 ? { packs } : {}),
    ...(Object.keys(rules).length > 0 ? { rules } : {}),
    ...(customRules.length > 0 ? { customRules } : {}),
    ...(exceptions.length > 0 ? { exceptions } : {}),
  };
}
