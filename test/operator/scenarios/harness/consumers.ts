// Workloads that use the keys: each call reads the secret as it is at that moment — the data
// key of a Kubernetes Secret, or AWSCURRENT of a Secrets Manager secret, no cache — and calls
// the key service's verify with it. A rejected call is one where the key service said the
// secret a consumer was handed is not valid: zero-downtime rotation means there are none.
// Consumers talk to the servers directly, not through an operator's proxies.
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { KeywardenClient } from '../../../../src/client/index.js';

export type ConsumerTarget =
  | { readonly kind: 'kubernetesSecret'; readonly namespace: string; readonly name: string; readonly key: string }
  | { readonly kind: 'awsSecretsManager'; readonly name: string };

export function describeTarget(target: ConsumerTarget): string {
  return target.kind === 'kubernetesSecret'
    ? `kubernetes-secret:${target.namespace}/${target.name}#${target.key}`
    : `aws-secrets-manager:${target.name}`;
}

export interface RejectedCall {
  readonly target: string;
  readonly code: string;
  /** The first characters of the secret (its display prefix part), never the whole secret. */
  readonly prefix: string;
}

export interface ConsumerReport {
  /** verify calls made with a delivered secret. */
  readonly calls: number;
  readonly rejected: readonly RejectedCall[];
  /** Reads that found nothing delivered yet (not counted as calls). */
  readonly notDelivered: number;
  /** Reads or verify calls that failed in transport (a server down); listed, never silently dropped. */
  readonly errors: readonly string[];
}

export interface ConsumersOptions {
  readonly core: CoreV1Api;
  readonly secretsManager: SecretsManagerClient;
  readonly verifier: Pick<KeywardenClient, 'verify'>;
  readonly targets: readonly ConsumerTarget[];
  /** The address consumers call from (sent as verify's `ip`; keys with an allowlist need one). */
  readonly ip?: string;
  /** Parallel consumer loops. [8] */
  readonly concurrency?: number;
}

export class Consumers {
  private calls = 0;
  private notDelivered = 0;
  private readonly rejected: RejectedCall[] = [];
  private readonly errors: string[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private next = 0;
  /** Per loop: calls started and calls finished (a read and its verify). */
  private progress: Array<{ started: number; finished: number }> = [];
  /** Calls under way: what they wait for (for a diagnosis when a server stops answering). */
  private readonly waiting = new Map<number, string>();
  private callIds = 0;

  constructor(private readonly options: ConsumersOptions) {}

  /** verify calls made so far. */
  get callCount(): number {
    return this.calls;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const n = this.options.concurrency ?? 8;
    this.progress = Array.from({ length: n }, () => ({ started: 0, finished: 0 }));
    this.loops = this.progress.map((p) => this.loop(p));
  }

  /** Resolves once `extra` more verify calls have been made (keeps consumers busy across a phase). */
  async waitForCalls(extra: number): Promise<void> {
    const target = this.calls + extra;
    while (this.running && this.calls < target) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  /**
   * Resolves once every loop has finished a call it started after this moment: from then on no
   * consumer holds a secret it read before (a "propagated" point, as after a Secret reload).
   */
  async freshReads(): Promise<void> {
    const marks = this.progress.map((p) => p.started);
    while (this.running && this.progress.some((p, i) => p.finished <= marks[i]!)) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  /** Makes one call for every target now (in order) and returns how many were made. */
  async sweep(): Promise<number> {
    let made = 0;
    for (const target of this.options.targets) if (await this.callOnce(target)) made += 1;
    return made;
  }

  async stop(): Promise<ConsumerReport> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
    return this.report();
  }

  report(): ConsumerReport {
    return { calls: this.calls, rejected: [...this.rejected], notDelivered: this.notDelivered, errors: [...this.errors] };
  }

  private async loop(progress: { started: number; finished: number }): Promise<void> {
    const targets = this.options.targets;
    while (this.running && targets.length > 0) {
      const target = targets[this.next++ % targets.length]!;
      progress.started += 1;
      await this.callOnce(target);
      progress.finished += 1;
      // One turn of the event loop between calls so the operator and the servers get theirs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Reads the target now and verifies what it holds; true when a call was made. */
  /** What each call under way waits for now, e.g. "verify for kubernetes-secret:shop/a#K". */
  get inFlight(): string[] {
    return [...this.waiting.values()];
  }

  private async callOnce(target: ConsumerTarget): Promise<boolean> {
    const id = ++this.callIds;
    try {
      return await this.call(target, id);
    } finally {
      this.waiting.delete(id);
    }
  }

  private async call(target: ConsumerTarget, id: number): Promise<boolean> {
    let secret: string | undefined;
    try {
      this.waiting.set(id, `read ${describeTarget(target)}`);
      secret = await this.read(target);
    } catch (err) {
      this.errors.push(`read ${describeTarget(target)}: ${(err as Error).name}`);
      return false;
    }
    if (secret === undefined) {
      this.notDelivered += 1;
      return false;
    }
    try {
      this.waiting.set(id, `verify for ${describeTarget(target)}`);
      const answer = await this.options.verifier.verify({ key: secret, ...(this.options.ip !== undefined ? { ip: this.options.ip } : {}) });
      this.calls += 1;
      if (!answer.valid) this.rejected.push({ target: describeTarget(target), code: answer.code, prefix: secret.slice(0, 12) });
      return true;
    } catch (err) {
      this.errors.push(`verify for ${describeTarget(target)}: ${(err as Error).message.slice(0, 200)}`);
      return false;
    }
  }

  private async read(target: ConsumerTarget): Promise<string | undefined> {
    if (target.kind === 'kubernetesSecret') {
      let secret;
      try {
        secret = await this.options.core.readNamespacedSecret({ namespace: target.namespace, name: target.name });
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
      const value = secret.data?.[target.key];
      return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
    }
    try {
      const out = await this.options.secretsManager.send(new GetSecretValueCommand({ SecretId: target.name }));
      return out.SecretString;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }
}
