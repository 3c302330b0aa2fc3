// Kubernetes `Status` objects for failures, shaped as kube-apiserver returns them
// (metav1.Status: kind, apiVersion, metadata, status, message, reason, details, code).

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'Gone'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'TooManyRequests'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Timeout';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource (plural), as the real server fills it. */
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
}

export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** A failure the fake answers with a Status body and the matching HTTP code. */
export class KubeStatusError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message);
  }

  get code(): number {
    return this.body.code;
  }
}

export function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): KubeStatusError {
  return new KubeStatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details !== undefined ? { details } : {}),
    code,
  });
}

/** `<resource>[.<group>]`, as the real server names a resource in messages. */
export function qualified(plural: string, group: string): string {
  return group === '' ? plural : `${plural}.${group}`;
}

export function notFound(plural: string, group: string, name: string): KubeStatusError {
  return failure(404, 'NotFound', `${qualified(plural, group)} "${name}" not found`, { name, group, kind: plural });
}

export function alreadyExists(plural: string, group: string, name: string): KubeStatusError {
  return failure(409, 'AlreadyExists', `${qualified(plural, group)} "${name}" already exists`, { name, group, kind: plural });
}

export function conflict(plural: string, group: string, name: string): KubeStatusError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: plural },
  );
}

export function invalid(kind: string, group: string, name: string, causes: readonly StatusCause[]): KubeStatusError {
  const list = causes.map((c) => `${c.field ?? ''}: ${c.message}`).join(', ');
  return failure(422, 'Invalid', `${kind} "${name}" is invalid: ${list}`, { name, group, kind, causes });
}

export function success(plural: string, group: string, name: string, uid: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group, kind: plural, uid }, code: 200 };
}
