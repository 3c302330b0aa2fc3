// Keeps failed authentications and verifications from turning the audit log into a write per
// request: an attacker spraying bad keys gets at most one audit event per (what failed, from
// where) per window. Failures left out are not lost: the next event of the group carries their
// number (`details.suppressed`), and `drain` hands out the groups whose window ended with
// failures left out, for one summary event each. Every failure is still counted in /metrics.
// The table of groups is bounded: past MAX_TRACKED, new failures share one overflow group per
// code, so memory stays flat whatever is sprayed.

/** One audit event per failure group and window. */
export const FAILURE_AUDIT_WINDOW_MS = 60_000;
/** Most failure groups tracked at once. */
export const MAX_TRACKED_FAILURE_GROUPS = 10_000;

interface Group<T> {
  /** When the last event of this group was written, epoch ms. */
  writtenAt: number;
  /** Failures of this group left out since then. */
  suppressed: number;
  /** The latest failure's event, for the summary. */
  latest: T;
}

export interface FailureAuditDecision {
  /** Write an audit event now. */
  readonly write: boolean;
  /** Failures of the same group left out before this one (to put in the event's details). */
  readonly suppressed: number;
}

export class FailureAuditThrottle<T> {
  readonly #groups = new Map<string, Group<T>>();

  constructor(private readonly windowMs: number = FAILURE_AUDIT_WINDOW_MS) {}

  /** `group` names what failed and from where (e.g. `auth/NOT_FOUND/-/203.0.113.9`); `code` names its overflow group. */
  decide(group: string, code: string, event: T, now: number): FailureAuditDecision {
    let id = group;
    if (!this.#groups.has(id) && this.#groups.size >= MAX_TRACKED_FAILURE_GROUPS) {
      this.#prune(now);
      if (this.#groups.size >= MAX_TRACKED_FAILURE_GROUPS) id = `overflow/${code}`;
    }
    const existing = this.#groups.get(id);
    if (existing === undefined) {
      this.#groups.set(id, { writtenAt: now, suppressed: 0, latest: event });
      return { write: true, suppressed: 0 };
    }
    existing.latest = event;
    if (now - existing.writtenAt < this.windowMs) {
      existing.suppressed++;
      return { write: false, suppressed: 0 };
    }
    const suppressed = existing.suppressed;
    existing.writtenAt = now;
    existing.suppressed = 0;
    return { write: true, suppressed };
  }

  /** Groups whose window is over with failures left out: one summary each (their counts start again at 0). */
  drain(now: number): { event: T; suppressed: number }[] {
    const summaries: { event: T; suppressed: number }[] = [];
    for (const [id, g] of this.#groups) {
      if (now - g.writtenAt < this.windowMs) continue;
      if (g.suppressed > 0) summaries.push({ event: g.latest, suppressed: g.suppressed });
      this.#groups.delete(id);
    }
    return summaries;
  }

  /** Number of groups tracked. */
  get size(): number {
    return this.#groups.size;
  }

  #prune(now: number): void {
    for (const [id, g] of this.#groups) if (now - g.writtenAt >= this.windowMs && g.suppressed === 0) this.#groups.delete(id);
  }
}
