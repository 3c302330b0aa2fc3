// Restarts the workloads that opted in when a new version is promoted: Deployments and
// StatefulSets in the ApiKey's namespace whose annotation `keywarden.dev/restart-on-rotation`
// names the ApiKey get a hash of the promoted version in their pod template's annotations, which
// rolls their pods (as `kubectl rollout restart` does). The hash is of version ids, never of a
// secret; writing it again with the same versions changes nothing, so it is safe to repeat.
import { createHash } from 'node:crypto';
import { ApiException, PatchStrategy, setHeaderOptions, type AppsV1Api } from '@kubernetes/client-node';

/** On a Deployment or StatefulSet: comma-separated names of ApiKeys (same namespace) whose promotions restart it. */
export const RESTART_ANNOTATION = 'keywarden.dev/restart-on-rotation';
/** On the pod template: JSON `{ "<apikey>.<environment>": "<16 hex>" }`, one entry per ApiKey environment. */
export const TEMPLATE_ANNOTATION = 'keywarden.dev/secret-versions';

interface Workload {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

export interface RestartResult {
  /** `deployment/web`, … restarted now (already on this version: not listed). */
  readonly restarted: readonly string[];
  /** What failed, per workload (never a secret). */
  readonly failed: readonly string[];
}

const isStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

function versionHash(versionId: string): string {
  return createHash('sha256').update(versionId).digest('hex').slice(0, 16);
}

function optedIn(workload: Workload, apiKey: string): boolean {
  const names = workload.metadata?.annotations?.[RESTART_ANNOTATION];
  return names !== undefined && names.split(',').some((n) => n.trim() === apiKey);
}

export class WorkloadRestarter {
  constructor(
    private readonly apps: AppsV1Api,
    /** Throws when the operator may no longer act. */
    private readonly guard: () => void,
  ) {}

  /** Makes every opted-in workload's pod template carry the hash of `versionId` for this ApiKey environment. */
  async restart(namespace: string, apiKey: string, environment: string, versionId: string): Promise<RestartResult> {
    const restarted: string[] = [];
    const failed: string[] = [];
    const entry = `${apiKey}.${environment}`;
    const hash = versionHash(versionId);
    const kinds = [
      {
        kind: 'deployment',
        list: () => this.apps.listNamespacedDeployment({ namespace }),
        patch: (name: string, body: object) => this.apps.patchNamespacedDeployment({ namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      },
      {
        kind: 'statefulset',
        list: () => this.apps.listNamespacedStatefulSet({ namespace }),
        patch: (name: string, body: object) => this.apps.patchNamespacedStatefulSet({ namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      },
    ];
    for (const { kind, list, patch } of kinds) {
      let items: Workload[];
      try {
        items = (await list()).items as Workload[];
      } catch (err) {
        // A cluster (or test server) that does not serve the kind has none to restart.
        if (isStatus(err, 404)) continue;
        failed.push(`${kind}s in ${namespace}: ${err instanceof ApiException ? `HTTP ${err.code}` : 'list failed'}`);
        continue;
      }
      for (const workload of items.filter((w) => optedIn(w, apiKey))) {
        const name = workload.metadata?.name ?? '';
        const template = workload.spec?.template?.metadata?.annotations ?? {};
        let versions: Record<string, string> = {};
        try {
          const parsed: unknown = JSON.parse(template[TEMPLATE_ANNOTATION] ?? '{}');
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) versions = parsed as Record<string, string>;
        } catch {
          // An unreadable value is replaced.
        }
        if (versions[entry] === hash) continue;
        try {
          this.guard();
          await patch(name, {
            metadata: { resourceVersion: workload.metadata?.resourceVersion },
            spec: { template: { metadata: { annotations: { [TEMPLATE_ANNOTATION]: JSON.stringify({ ...versions, [entry]: hash }) } } } },
          });
          restarted.push(`${kind}/${name}`);
        } catch (err) {
          if (err instanceof Error && err.name === 'OperatorHalted') throw err;
          failed.push(`${kind}/${name}: ${err instanceof ApiException ? `HTTP ${err.code}` : 'patch failed'}`);
        }
      }
    }
    return { restarted, failed };
  }
}
