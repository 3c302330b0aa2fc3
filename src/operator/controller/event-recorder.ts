// core/v1 Events about ApiKeys (the client library has no recorder). An Event's name is derived
// from the object's uid, the reason and the message, so the same occurrence — also after an
// operator restart — lands on the same Event: the first one creates it, later ones raise its
// count and lastTimestamp, as kubectl's recorder does. Messages never hold a secret (callers
// pass reasons, rule ids, version ids and error codes only).
import { createHash } from 'node:crypto';
import { ApiException, PatchStrategy, setHeaderOptions, type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';

export type EventType = 'Normal' | 'Warning';

/** The object an Event is about. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion?: string;
}

export interface EventRecorderOptions {
  readonly api: CoreV1Api;
  /** `source.component` and `reportingComponent`. @default 'keywarden-operator' */
  readonly component?: string;
  /** `reportingInstance` (the replica). */
  readonly instance: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** Counts kept in memory; beyond this the map starts over (a repeat then continues from the API server's count). */
const MAX_TRACKED = 10_000;
/** Kubernetes caps an Event's message at 1 KiB in practice (kubectl's recorder truncates there). */
const MAX_MESSAGE = 1024;

const isStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  /** Event name → count last written by this process. */
  private readonly counts = new Map<string, number>();

  constructor(options: EventRecorderOptions) {
    this.options = options;
  }

  /** The name of the Event for this occurrence: `<object>.<16 hex>`. */
  static eventName(object: InvolvedObject, reason: string, message: string): string {
    const hash = createHash('sha256').update(`${object.uid}\n${reason}\n${message}`).digest('hex').slice(0, 16);
    return `${object.name.slice(0, 253 - 17)}.${hash}`;
  }

  /** Records one occurrence; creates the Event or raises its count. Errors are returned, never thrown (Events are best effort). */
  async record(object: InvolvedObject, type: EventType, reason: string, message: string): Promise<Error | undefined> {
    const text = message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
    const name = EventRecorder.eventName(object, reason, text);
    const now = (this.options.clock?.() ?? new Date());
    const component = this.options.component ?? 'keywarden-operator';
    const { api } = this.options;
    try {
      const known = this.counts.get(name);
      if (known === undefined) {
        if (this.counts.size >= MAX_TRACKED) this.counts.clear();
        try {
          const body: CoreV1Event = {
            metadata: { name, namespace: object.namespace },
            involvedObject: {
              apiVersion: object.apiVersion,
              kind: object.kind,
              namespace: object.namespace,
              name: object.name,
              uid: object.uid,
              ...(object.resourceVersion !== undefined ? { resourceVersion: object.resourceVersion } : {}),
            },
            reason,
            message: text,
            type,
            count: 1,
            firstTimestamp: now,
            lastTimestamp: now,
            source: { component },
            reportingComponent: component,
            reportingInstance: this.options.instance,
          };
          await api.createNamespacedEvent({ namespace: object.namespace, body });
          this.counts.set(name, 1);
          return undefined;
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
          // Written before (another replica, or before a restart): continue its count.
          const existing = await api.readNamespacedEvent({ namespace: object.namespace, name });
          this.counts.set(name, existing.count ?? 1);
        }
      }
      const count = (this.counts.get(name) ?? 1) + 1;
      await api.patchNamespacedEvent(
        { namespace: object.namespace, name, body: { count, lastTimestamp: now.toISOString() } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      this.counts.set(name, count);
      return undefined;
    } catch (err) {
      // A deleted Event (TTL) is created again next time.
      this.counts.delete(name);
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
