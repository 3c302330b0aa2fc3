// The status of a KeywardenPolicy: whether its spec loads on its own (packs found, rule settings
// valid, CEL rules compile, exceptions name rules that exist), checked with the same engine the
// ApiKeys go through. `message` says what is wrong, and is removed once the policy loads.
import { ApiException, PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { checkApiKey } from '../api-key-check.js';
import { API_VERSION } from '../../spec/index.js';
import { GROUP, VERSION } from '../crds.js';

/** A document that loads and passes the default policy: what fails with a policy spec is the spec's fault. */
const PROBE = {
  apiVersion: API_VERSION,
  kind: 'ApiKey',
  metadata: { name: 'policy-probe' },
  spec: { integration: 'probe', service: 'probe', owner: 'probe@example.com', scopes: ['probe:read'], rotation: { every: '30d', overlap: '1h' }, environments: { development: {} } },
};

interface PolicyResource {
  metadata: { name: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: { observedGeneration?: number; message?: string };
}

const isStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

/** What is wrong with a policy spec on its own (policy load errors), one line each; empty when it loads. */
export function policyProblems(spec: Record<string, unknown> | undefined, project: string | undefined, now: Date): string[] {
  const check = checkApiKey(PROBE, { ...(project !== undefined ? { project } : {}), policy: spec ?? {}, now });
  return check.findings.filter((f) => f.ruleId.startsWith('KWP') || f.ruleId.startsWith('KWS')).map((f) => `${f.ruleId} ${f.path}: ${f.message}`);
}

/** Writes status.observedGeneration and status.message of one KeywardenPolicy. */
export async function reconcilePolicyStatus(options: {
  readonly api: CustomObjectsApi;
  readonly name: string;
  readonly project?: string;
  readonly now: Date;
  readonly guard: () => void;
}): Promise<void> {
  let policy: PolicyResource;
  try {
    policy = (await options.api.getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'keywardenpolicies', name: options.name })) as PolicyResource;
  } catch (err) {
    if (isStatus(err, 404)) return;
    throw err;
  }
  const problems = policyProblems(policy.spec, options.project, options.now);
  const message = problems.length > 0 ? problems.join('; ').slice(0, 32_768) : undefined;
  const generation = policy.metadata.generation ?? 0;
  if (policy.status?.observedGeneration === generation && policy.status.message === message) return;
  options.guard();
  await options.api.patchClusterCustomObjectStatus(
    { group: GROUP, version: VERSION, plural: 'keywardenpolicies', name: options.name, body: { status: { observedGeneration: generation, message: message ?? null } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
