// Writes an ApiKey's status through the status subresource with a JSON merge patch, sending only
// what changed since the status it last saw (removed fields as null). One writer per reconcile:
// it starts from the status the reconcile read and follows its own writes.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../crds.js';
import type { ApiKeyStatus } from '../status-schema.js';
import { mergePatch } from './merge-patch.js';

export class StatusWriter {
  private status: ApiKeyStatus;

  constructor(
    private readonly api: CustomObjectsApi,
    private readonly target: { readonly namespace: string; readonly name: string },
    initial: ApiKeyStatus | undefined,
    /** Called before every write; throws to stop it (leadership lost, operator abandoned). */
    private readonly guard: () => void,
  ) {
    this.status = structuredClone(initial ?? {});
  }

  /** The status as last written (or read). */
  get current(): ApiKeyStatus {
    return this.status;
  }

  /** Writes `next` (the whole status); a no-op when nothing changed. */
  async write(next: ApiKeyStatus): Promise<void> {
    const patch = mergePatch(this.status, next);
    if (patch === undefined) return;
    this.guard();
    await this.api.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: this.target.namespace, plural: 'apikeys', name: this.target.name, body: { status: patch } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.status = structuredClone(next);
  }
}
