// An in-test Kubernetes API server on loopback (plain HTTP), driven through the real
// @kubernetes/client-node. It is a GENERIC resource store (test/support/fake-kube/store.ts)
// behind the REST paths of the real API: /api/v1/... and /apis/<group>/<version>/...,
// namespaced and cluster-scoped, with get, list, watch, create, replace, patch (merge,
// strategic-as-merge, JSON patch), delete and deletecollection, the status subresource,
// finalizers, discovery and Status error bodies. What it does not do is listed in
// docs/delivery.md ("What the test doubles cover").
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { FakeAdmission } from './fake-kube/admission.js';
import { PATCH_CONTENT_TYPES, applyPatch, isObject } from './fake-kube/patch.js';
import type { KubeObject, ResourceType } from './fake-kube/resources.js';
import { parseFieldSelector, parseLabelSelector, type Matcher } from './fake-kube/selectors.js';
import { failure, KubeStatusError, type StatusReason } from './fake-kube/status.js';
import { ObjectStore, typeKey, type StoreEvent } from './fake-kube/store.js';

export { ObjectStore } from './fake-kube/store.js';
export { FakeAdmission } from './fake-kube/admission.js';
export type { KubeObject, ResourceType } from './fake-kube/resources.js';

/** One request as the server saw it (method, path without query, query). Bodies are not kept. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

/** A failure to inject: the next `times` requests matching method and path get this Status. */
export interface KubeFault {
  readonly method?: string;
  /** Matches the path without query (a RegExp, or an exact string). */
  readonly path?: RegExp | string;
  /** [1] */
  readonly times?: number;
  readonly code: number;
  readonly reason: StatusReason;
  /** ['injected fault'] */
  readonly message?: string;
}

/** Parsed request path. */
interface Route {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

interface ActiveWatch {
  readonly res: ServerResponse;
  readonly close: () => void;
}

export class FakeKubeApiServer {
  readonly store: ObjectStore;
  /** Validating admission webhooks (see fake-kube/admission.ts): route a webhook Service with `admission.routeService`. */
  readonly admission: FakeAdmission;
  readonly requests: RecordedRequest[] = [];
  /** Runs before each request is handled (after faults); tests use it to race a write in. */
  beforeRequest: ((request: { method: string; path: string }) => void | Promise<void>) | undefined;
  private server: Server | undefined;
  private readonly faults: Array<KubeFault & { remaining: number }> = [];
  private readonly watches = new Set<ActiveWatch>();

  constructor(options: { now?: () => Date } = {}) {
    this.store = new ObjectStore(options);
    this.admission = new FakeAdmission(this.store);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Ends every watch and closes the server. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.closeWatches();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    if (this.server === undefined) throw new Error('FakeKubeApiServer is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A KubeConfig for the real client: the server URL, a fake bearer token, skipTLSVerify. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kc;
  }

  injectFault(fault: KubeFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Ends all open watch streams, as an API server does at its watch timeout. */
  closeWatches(): void {
    for (const watch of [...this.watches]) watch.close();
  }

  /** Number of watch streams open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const record = (status: number): void => {
      this.requests.push({ method, path: url.pathname, query, status });
    };
    try {
      const body = await readBody(req);
      const fault = this.takeFault(method, url.pathname);
      if (fault !== undefined) throw failure(fault.code, fault.reason, fault.message ?? 'injected fault');
      await this.beforeRequest?.({ method, path: url.pathname });
      const discovery = this.discovery(url.pathname);
      if (discovery !== undefined) {
        if (method !== 'GET') throw failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        record(200);
        return sendJson(res, 200, discovery);
      }
      const route = parseRoute(url.pathname);
      if (route === undefined) throw failure(404, 'NotFound', 'the server could not find the requested resource');
      const type = this.store.type(route.group, route.plural);
      if (type === undefined || !type.versions.includes(route.version)) {
        throw failure(404, 'NotFound', 'the server could not find the requested resource');
      }
      if (route.namespace !== undefined && !type.namespaced) throw failure(404, 'NotFound', 'the server could not find the requested resource');
      if (route.subresource !== undefined && (route.subresource !== 'status' || !type.statusSubresource)) {
        throw failure(404, 'NotFound', 'the server could not find the requested resource');
      }
      if (route.name === undefined && method === 'GET' && (query.watch === 'true' || query.watch === '1')) {
        this.watch(req, res, type, route, query);
        record(200);
        return;
      }
      const warnings = await this.admit(method, req.headers['content-type'], type, route, query, body);
      if (warnings.length > 0) res.setHeader('warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
      const [status, result] = this.dispatch(method, req.headers['content-type'], type, route, query, body);
      record(status);
      sendJson(res, status, result);
    } catch (err) {
      const error =
        err instanceof KubeStatusError ? err : failure(500, 'InternalError', `internal error in the fake API server: ${(err as Error).message}`);
      record(error.code);
      sendJson(res, error.code, error.body);
    }
  }

  /** Runs the validating webhooks for a create or update; resolves to their warnings or throws the refusal. */
  private async admit(method: string, contentType: string | undefined, type: ResourceType, route: Route, query: Record<string, string>, rawBody: string): Promise<string[]> {
    const common = { type, version: route.version, ...(route.subresource !== undefined ? { subresource: route.subresource } : {}), dryRun: query.dryRun === 'All' };
    if (route.name === undefined) {
      if (method !== 'POST') return [];
      const body = parseJson(rawBody);
      if (!isObject(body)) return [];
      const object = structuredClone(body) as KubeObject;
      object.metadata = isObject(object.metadata) ? object.metadata : {};
      if (type.namespaced && route.namespace !== undefined) object.metadata.namespace = route.namespace;
      const namespace = type.namespaced ? route.namespace : undefined;
      return this.admission.admit({ ...common, operation: 'CREATE', name: String(object.metadata.name ?? ''), ...(namespace !== undefined ? { namespace } : {}), object });
    }
    if (method !== 'PUT' && method !== 'PATCH') return [];
    let existing: KubeObject;
    try {
      existing = this.store.get({ group: route.group, plural: route.plural, namespace: route.namespace, name: route.name });
    } catch {
      return []; // the write itself answers 404
    }
    let object: unknown;
    if (method === 'PUT') object = parseJson(rawBody);
    else {
      const patchType = PATCH_CONTENT_TYPES[(contentType ?? '').split(';')[0]!.trim()];
      if (patchType === undefined) return [];
      object = applyPatch(existing, parseJson(rawBody), patchType);
    }
    if (!isObject(object)) return [];
    const namespace = type.namespaced ? route.namespace : undefined;
    return this.admission.admit({ ...common, operation: 'UPDATE', name: route.name, ...(namespace !== undefined ? { namespace } : {}), object: object as KubeObject, oldObject: existing });
  }

  private dispatch(
    method: string,
    contentType: string | undefined,
    type: ResourceType,
    route: Route,
    query: Record<string, string>,
    rawBody: string,
  ): [number, unknown] {
    const ref = { group: route.group, plural: route.plural, namespace: route.namespace, name: route.name ?? '' };
    const version = (o: KubeObject): KubeObject => inVersion(o, type, route.version);
    const subresource = route.subresource === 'status' ? 'status' : undefined;
    if (route.name === undefined) {
      switch (method) {
        case 'GET':
          return [200, this.list(type, route, query)];
        case 'POST':
          return [201, version(this.store.create(route.group, route.plural, route.namespace, parseJson(rawBody)))];
        case 'DELETE': {
          const match = matcher(query);
          for (const o of this.store.list(route.group, route.plural, route.namespace).filter(match)) {
            this.store.delete({ ...ref, name: String(o.metadata.name) });
          }
          return [200, this.list(type, route, query)];
        }
        default:
          throw failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      }
    }
    switch (method) {
      case 'GET':
        return [200, version(this.store.get(ref))];
      case 'PUT':
        return [200, version(this.store.replace(ref, parseJson(rawBody), subresource))];
      case 'PATCH': {
        const mediaType = (contentType ?? '').split(';')[0]!.trim();
        const patchType = PATCH_CONTENT_TYPES[mediaType];
        if (patchType === undefined) {
          throw failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_CONTENT_TYPES).join(', ')}`);
        }
        return [200, version(this.store.patch(ref, parseJson(rawBody), patchType, subresource))];
      }
      case 'DELETE': {
        const options = rawBody === '' ? {} : parseJson(rawBody);
        const pre = isObject(options) && isObject(options.preconditions) ? options.preconditions : {};
        const result = this.store.delete(ref, {
          ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
          ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
        });
        return [200, result.kind === 'Status' ? result : version(result as KubeObject)];
      }
      default:
        throw failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  private list(type: ResourceType, route: Route, query: Record<string, string>): unknown {
    const match = matcher(query);
    const items = this.store.list(route.group, route.plural, route.namespace).filter(match).map((o) => inVersion(o, type, route.version));
    return {
      kind: `${type.kind}List`,
      apiVersion: type.group === '' ? route.version : `${type.group}/${route.version}`,
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items,
    };
  }

  /** Streams watch events as JSON lines; headers go out at once; ends on client close or timeoutSeconds. */
  private watch(req: IncomingMessage, res: ServerResponse, type: ResourceType, route: Route, query: Record<string, string>): void {
    const match = matcher(query);
    const key = typeKey(type.group, type.plural);
    const from = query.resourceVersion;
    if (from !== undefined && from !== '' && !/^\d+$/.test(from)) {
      throw failure(400, 'BadRequest', `invalid resource version: ${from}`);
    }
    const inScope = (o: KubeObject): boolean => !type.namespaced || route.namespace === undefined || o.metadata.namespace === route.namespace;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const send = (eventType: string, object: unknown): void => {
      res.write(`${JSON.stringify({ type: eventType, object })}\n`);
    };
    const deliver = (event: StoreEvent): void => {
      if (event.typeKey !== key || !inScope(event.object)) return;
      const now = match(event.object);
      const before = event.previous !== undefined ? match(event.previous) : now;
      let eventType: string | undefined = event.type;
      if (event.type === 'MODIFIED' && now !== before) eventType = now ? 'ADDED' : 'DELETED';
      else if (!now) eventType = undefined;
      if (eventType !== undefined) send(eventType, inVersion(event.object, type, route.version));
    };
    const backlog: StoreEvent[] = [];
    if (from === undefined || from === '' || from === '0') {
      for (const o of this.store.list(type.group, type.plural, route.namespace).filter(match)) {
        send('ADDED', inVersion(o, type, route.version));
      }
    } else {
      const since = this.store.eventsSince(Number(from));
      if (since === 'expired') {
        send('ERROR', failure(410, 'Expired', `too old resource version: ${from} (${this.store.resourceVersion})`).body);
        res.end();
        return;
      }
      backlog.push(...since);
    }
    for (const event of backlog) deliver(event);
    const unsubscribe = this.store.subscribe(deliver);
    let timer: NodeJS.Timeout | undefined;
    const watch: ActiveWatch = {
      res,
      close: () => {
        if (!this.watches.delete(watch)) return;
        unsubscribe();
        if (timer !== undefined) clearTimeout(timer);
        res.end();
      },
    };
    this.watches.add(watch);
    const timeout = Number(query.timeoutSeconds);
    if (Number.isFinite(timeout) && timeout > 0) timer = setTimeout(() => watch.close(), timeout * 1000);
    req.on('close', () => watch.close());
    res.on('close', () => watch.close());
  }

  /** /api, /apis, /api/v1, /apis/<group>/<version>: the discovery documents. */
  private discovery(path: string): unknown {
    const types = this.store.allTypes();
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    if (path === '/apis') {
      const groups = new Map<string, Set<string>>();
      for (const t of types) if (t.group !== '') for (const v of t.versions) (groups.get(t.group) ?? groups.set(t.group, new Set()).get(t.group)!).add(v);
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups].map(([name, versions]) => ({
          name,
          versions: [...versions].map((version) => ({ groupVersion: `${name}/${version}`, version })),
          preferredVersion: { groupVersion: `${name}/${[...versions][0]!}`, version: [...versions][0]! },
        })),
      };
    }
    const m = path.match(/^\/api\/(v1)$/) ?? path.match(/^\/apis\/([^/]+\/[^/]+)$/);
    if (m === null) return undefined;
    const groupVersion = m[1]!;
    const [group, version] = groupVersion.includes('/') ? (groupVersion.split('/') as [string, string]) : ['', groupVersion];
    const served = types.filter((t) => t.group === group && t.versions.includes(version));
    if (served.length === 0) return undefined;
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: served.flatMap((t) => [
        { name: t.plural, singularName: t.singular ?? t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs, ...(t.shortNames ? { shortNames: t.shortNames } : {}) },
        ...(t.statusSubresource ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
      ]),
    };
  }

  private takeFault(method: string, path: string): KubeFault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

/** Starts a fake API server on 127.0.0.1; stop it with `await server.stop()`. */
export async function startFakeKubeApiServer(options: { now?: () => Date } = {}): Promise<FakeKubeApiServer> {
  return new FakeKubeApiServer(options).start();
}

function parseRoute(path: string): Route | undefined {
  const segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  // namespaces/<ns>/<plural>/... is namespaced; namespaces[/<name>[/status]] is the Namespace resource.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3) return undefined;
  return {
    group,
    version,
    plural: rest[0]!,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(rest[1] !== undefined ? { name: rest[1] } : {}),
    ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
  };
}

function matcher(query: Record<string, string>): Matcher {
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector);
  return (o) => labels(o) && fields(o);
}

function inVersion(object: KubeObject, type: ResourceType, version: string): KubeObject {
  return { ...object, apiVersion: type.group === '' ? version : `${type.group}/${version}` };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw failure(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
