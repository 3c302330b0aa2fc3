// What a scenario arms in front of the servers: a rule matches one request an operator sends
// (to the fake API server, the key service or the fake Secrets Manager) and either answers it
// in the server's place (a 500, a throttling error, a 409) or crashes the operator that sent
// it, before the request reaches the server or after the server carried it out (its reply is
// lost). Rules are shared by every incarnation of the operator; each fires `times` times.
import type { IncomingHttpHeaders } from 'node:http';

export type Upstream = 'kube' | 'keyservice' | 'secretsmanager';

/** One request as an operator sent it (the body is what the proxy buffered). */
export interface ProxiedRequest {
  readonly upstream: Upstream;
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type FaultAction =
  /** Answer in the server's place; the server never sees the request. */
  | { readonly kind: 'respond'; readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Crash the sending operator: 'before' the server sees the request, or 'after' it carried it out (reply lost). */
  | { readonly kind: 'crash'; readonly when: 'before' | 'after' };

export interface FaultRule {
  /** Shown in reports, e.g. "crash after promote". */
  readonly name: string;
  readonly upstream?: Upstream;
  readonly match?: (request: ProxiedRequest) => boolean;
  readonly action: FaultAction;
  /** How many matching requests it applies to. [1] */
  readonly times?: number;
}

export interface FiredFault {
  readonly rule: string;
  readonly upstream: Upstream;
  readonly method: string;
  readonly path: string;
}

export class FaultPlan {
  private readonly rules: Array<FaultRule & { remaining: number }> = [];
  /** Every time a rule applied, in order. */
  readonly fired: FiredFault[] = [];

  arm(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** Names of rules armed and not used up. */
  get armed(): string[] {
    return this.rules.map((r) => r.name);
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The first armed rule matching the request (used up by this call), or undefined. */
  take(request: ProxiedRequest): FaultRule | undefined {
    const index = this.rules.findIndex((r) => (r.upstream === undefined || r.upstream === request.upstream) && (r.match?.(request) ?? true));
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    this.fired.push({ rule: rule.name, upstream: request.upstream, method: request.method, path: request.path });
    return rule;
  }
}

/** JSON body of a request, or undefined when it is not JSON. */
export function jsonBody(request: ProxiedRequest): unknown {
  try {
    return request.body === '' ? undefined : JSON.parse(request.body);
  } catch {
    return undefined;
  }
}

/** In a Secret write: the entry of `dataKey` in the keywarden.dev/versions annotation (version ids). */
export function secretWriteVersions(request: ProxiedRequest, dataKey: string): { current?: string; pending?: string } | undefined {
  const body = jsonBody(request) as { metadata?: { annotations?: Record<string, string> } } | undefined;
  const raw = body?.metadata?.annotations?.['keywarden.dev/versions'];
  return raw === undefined ? undefined : (JSON.parse(raw) as Record<string, { current?: string; pending?: string }>)[dataKey];
}

/** The Secrets Manager operation of a request (X-Amz-Target: secretsmanager.<Op>). */
export function awsOperation(request: ProxiedRequest): string | undefined {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : undefined;
}

/** A Secrets Manager error reply as the JSON 1.1 protocol sends it (for a 'respond' action). */
export function awsError(type: string, status = 400, message = 'Injected by the scenario'): FaultAction {
  return {
    kind: 'respond',
    status,
    body: { __type: type, message },
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
  };
}

/** A Kubernetes Status error reply (for a 'respond' action). */
export function kubeError(code: number, reason: string, message = 'injected by the scenario'): FaultAction {
  return { kind: 'respond', status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code } };
}

/** A key-service error reply in its error catalog's shape (for a 'respond' action). */
export function keyServiceError(status: number, code: string, message = 'injected by the scenario'): FaultAction {
  return { kind: 'respond', status, body: { error: { code, message } } };
}
