// The scenario's history in one total order (everything runs in this process, so a sequence
// number taken when an effect is done orders it against every other): what each operator
// incarnation asked of the servers (recorded when the server had answered), crashes, and every
// committed change of a Kubernetes Secret (from the fake API server's store). From it the
// scenario replays which version every destination served at each moment and checks that no
// version was revoked while a destination still served it. Bodies are kept only as the facts
// needed (ids, labels, phases) — never a secret.
import { versionIdFromToken } from '../../../../src/delivery/version-token.js';
import type { FakeKubeApiServer } from '../../../support/fake-kube-apiserver.js';
import type { FakeSecretsManager } from '../../../support/fake-secrets-manager.js';
import { awsOperation, jsonBody, type ProxiedRequest, type Upstream } from './fault-plan.js';

const VERSIONS_ANNOTATION = 'keywarden.dev/versions';

export type TimelineEntry =
  | {
      readonly seq: number;
      readonly kind: 'request';
      readonly incarnation: number;
      readonly upstream: Upstream;
      readonly method: string;
      readonly path: string;
      readonly status: number;
      /** Set when a fault rule answered or crashed this request. */
      readonly fault?: string;
      /** Secrets Manager: operation and the id/label fields of the input (never SecretString). */
      readonly aws?: Readonly<Record<string, unknown>>;
    }
  | { readonly seq: number; readonly kind: 'crash'; readonly incarnation: number; readonly cause: string }
  | {
      readonly seq: number;
      readonly kind: 'secret';
      /** namespace/name#dataKey */
      readonly destination: string;
      readonly current?: string;
      readonly pending?: string;
    };

/** A destination serving a version when it was revoked. */
export interface RevokedWhileServed {
  readonly versionId: string;
  readonly destination: string;
  readonly revokedAt: number;
}

const SM_WRITES = new Set(['CreateSecret', 'PutSecretValue', 'UpdateSecretVersionStage', 'DeleteSecret', 'RestoreSecret']);

const AWS_FACTS = ['SecretId', 'Name', 'VersionId', 'VersionStage', 'MoveToVersionId', 'RemoveFromVersionId', 'ClientRequestToken', 'VersionStages'];

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  private seq = 0;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeSm: (() => void) | undefined;

  /** Records every committed change of a Secret's Keywarden-managed data keys. */
  watchSecrets(kube: FakeKubeApiServer): void {
    this.unsubscribe = kube.store.subscribe((event) => {
      if (event.typeKey !== '/secrets') return;
      const annotations = event.object.metadata.annotations as Record<string, string> | undefined;
      const raw = annotations?.[VERSIONS_ANNOTATION];
      if (raw === undefined) return;
      let versions: Record<string, { current?: string; pending?: string }>;
      try {
        versions = JSON.parse(raw) as typeof versions;
      } catch {
        return;
      }
      const where = `${String(event.object.metadata.namespace)}/${String(event.object.metadata.name)}`;
      for (const [dataKey, v] of Object.entries(versions)) {
        const current = event.type === 'DELETED' ? undefined : v.current;
        this.entries.push({
          seq: ++this.seq,
          kind: 'secret',
          destination: `kubernetes-secret:${where}#${dataKey}`,
          ...(current !== undefined ? { current } : {}),
          ...(v.pending !== undefined && event.type !== 'DELETED' ? { pending: v.pending } : {}),
        });
      }
    });
  }

  /** Records, after every call that changed a Secrets Manager secret, which versions hold AWSCURRENT and AWSPENDING. */
  watchSecretsManager(sm: FakeSecretsManager): void {
    this.unsubscribeSm = sm.subscribe((call) => {
      if (call.error !== undefined || !SM_WRITES.has(call.operation)) return;
      const secretId = String(call.input.SecretId ?? call.input.Name ?? '');
      if (!sm.hasSecret(secretId)) return;
      const stages = sm.versionStages(secretId);
      const holder = (label: string): string | undefined => {
        const token = Object.keys(stages).find((id) => stages[id]!.includes(label));
        return token === undefined ? undefined : versionIdFromToken(token);
      };
      const current = holder('AWSCURRENT');
      const pending = holder('AWSPENDING');
      this.entries.push({
        seq: ++this.seq,
        kind: 'secret',
        destination: `aws-secrets-manager:${secretId}`,
        ...(current !== undefined ? { current } : {}),
        ...(pending !== undefined ? { pending } : {}),
      });
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribeSm?.();
  }

  recordRequest(incarnation: number, request: ProxiedRequest, status: number, fault?: string): void {
    let aws: Record<string, unknown> | undefined;
    if (request.upstream === 'secretsmanager') {
      const input = jsonBody(request);
      aws = { operation: awsOperation(request) };
      if (input !== null && typeof input === 'object') {
        for (const field of AWS_FACTS) if (field in input) aws[field] = (input as Record<string, unknown>)[field];
      }
    }
    this.entries.push({
      seq: ++this.seq,
      kind: 'request',
      incarnation,
      upstream: request.upstream,
      method: request.method,
      path: request.path,
      status,
      ...(fault !== undefined ? { fault } : {}),
      ...(aws !== undefined ? { aws } : {}),
    });
  }

  recordCrash(incarnation: number, cause: string): void {
    this.entries.push({ seq: ++this.seq, kind: 'crash', incarnation, cause });
  }

  /** Successful version revocations in the key service: DELETE /v1/keys/:id/versions/:versionId → 200. */
  revocations(): Array<{ seq: number; keyId: string; versionId: string }> {
    const out: Array<{ seq: number; keyId: string; versionId: string }> = [];
    for (const e of this.entries) {
      if (e.kind !== 'request' || e.upstream !== 'keyservice' || e.method !== 'DELETE' || e.status !== 200 || e.fault?.startsWith('fault:')) continue;
      const m = /^\/v1\/keys\/([^/]+)\/versions\/([^/]+)$/.exec(e.path);
      if (m !== null) out.push({ seq: e.seq, keyId: decodeURIComponent(m[1]!), versionId: decodeURIComponent(m[2]!) });
    }
    return out;
  }

  /**
   * Which version every destination served (its "current"), replayed in order from the
   * Kubernetes Secrets' commits and the Secrets Manager secrets' AWSCURRENT after each write.
   * Calls `visit` after each entry with the state at that moment.
   */
  replay(visit: (entry: TimelineEntry, serving: ReadonlyMap<string, string>) => void): void {
    const serving = new Map<string, string>();
    for (const e of this.entries) {
      if (e.kind === 'secret') {
        if (e.current === undefined) serving.delete(e.destination);
        else serving.set(e.destination, e.current);
      }
      visit(e, serving);
    }
  }

  /** Versions revoked while some destination still served them: zero downtime means none. */
  revokedWhileServed(): RevokedWhileServed[] {
    const found: RevokedWhileServed[] = [];
    const revoked = new Map(this.revocations().map((r) => [r.seq, r.versionId]));
    this.replay((entry, serving) => {
      const versionId = revoked.get(entry.seq);
      if (versionId === undefined) return;
      for (const [destination, current] of serving) if (current === versionId) found.push({ versionId, destination, revokedAt: entry.seq });
    });
    return found;
  }

  /** Sequence number of the first moment every listed destination served `versionId`, or undefined. */
  servedEverywhereAt(versionId: string, destinations: readonly string[]): number | undefined {
    let at: number | undefined;
    this.replay((entry, serving) => {
      if (at === undefined && destinations.every((d) => serving.get(d) === versionId)) at = entry.seq;
    });
    return at;
  }

  crashes(): Array<Extract<TimelineEntry, { kind: 'crash' }>> {
    return this.entries.filter((e): e is Extract<TimelineEntry, { kind: 'crash' }> => e.kind === 'crash');
  }
}
