// One life of an operator process, as the servers see it: the operator reaches the fake API
// server, the key service and the fake Secrets Manager only through this incarnation's HTTP
// proxies. The FaultPlan decides per request: pass it on, answer in the server's place, or
// crash — then every socket of this incarnation is cut at once (watches included) and every
// later connection is refused, exactly what the servers see when a pod is killed. The Operator
// object left behind can no longer change anything; the scenario starts a new incarnation.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FaultPlan, ProxiedRequest, Upstream } from './fault-plan.js';
import type { Timeline } from './timeline.js';

export interface CrashReport {
  readonly incarnation: number;
  /** The fault rule that crashed it, or 'killed' for crash() called by the test. */
  readonly cause: string;
  /** The request it was sending, when a rule crashed it. */
  readonly request?: { readonly upstream: Upstream; readonly method: string; readonly path: string };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function endToEnd(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

class Proxy {
  readonly sockets = new Set<Socket>();
  /** Requests passed on and not yet answered by the server: "METHOD path". */
  readonly waiting = new Map<number, string>();
  private ids = 0;
  readonly upstreamRequests = new Set<ReturnType<typeof httpRequest>>();
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly target: URL;

  constructor(
    readonly upstream: Upstream,
    target: string,
    private readonly life: Incarnation,
  ) {
    this.target = new URL(target);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      if (this.life.dead) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  cut(): void {
    for (const request of this.upstreamRequests) request.destroy();
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    this.agent.destroy();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    if (this.life.dead) {
      res.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://proxy');
    const body = Buffer.concat(chunks);
    const request: ProxiedRequest = {
      upstream: this.upstream,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: body.toString('utf8'),
    };
    const rule = this.life.plan.take(request);
    const summary = { upstream: this.upstream, method: request.method, path: request.path };
    if (rule?.action.kind === 'respond') {
      const text = JSON.stringify(rule.action.body);
      res.writeHead(rule.action.status, { 'content-type': 'application/json', ...rule.action.headers, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      this.life.timeline.recordRequest(this.life.number, request, rule.action.status, `fault:${rule.name}`);
      return;
    }
    if (rule?.action.kind === 'crash' && rule.action.when === 'before') {
      this.life.crash(rule.name, summary);
      return;
    }
    const headers = endToEnd(req.headers);
    headers.host = this.target.host;
    headers['content-length'] = String(body.length);
    const upstreamReq = httpRequest({
      host: this.target.hostname,
      port: this.target.port,
      method: request.method,
      path: req.url,
      headers,
      agent: this.agent,
    });
    this.upstreamRequests.add(upstreamReq);
    const id = ++this.ids;
    const label = `${this.upstream} ${request.method} ${request.path}`;
    if (request.query.get('watch') !== 'true' && request.query.get('watch') !== '1') this.waiting.set(id, label);
    upstreamReq.on('socket', (sock) => { if (this.waiting.has(id)) this.waiting.set(id, `${label} [socket ${sock.localPort}]`); });
    upstreamReq.on('finish', () => { if (this.waiting.has(id)) this.waiting.set(id, `${this.waiting.get(id)} [sent]`); });
    upstreamReq.on('close', () => {
      this.upstreamRequests.delete(upstreamReq);
      this.waiting.delete(id);
    });
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.on('response', (upstreamRes) => {
      this.waiting.delete(id);
      if (rule?.action.kind === 'crash') {
        // 'after': the server carried the request out; its reply never reaches the operator.
        upstreamRes.resume();
        upstreamRes.on('end', () => {
          this.life.timeline.recordRequest(this.life.number, request, upstreamRes.statusCode ?? 0, `crash:${rule.name}`);
          this.life.crash(rule.name, summary);
        });
        return;
      }
      const status = upstreamRes.statusCode ?? 502;
      res.writeHead(status, endToEnd(upstreamRes.headers));
      res.flushHeaders();
      // Recorded when the server has answered (its effect is done), before the operator sees it.
      this.life.timeline.recordRequest(this.life.number, request, status);
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => res.destroy());
      res.on('close', () => upstreamRes.destroy());
    });
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    upstreamReq.end(body);
  }
}

export interface IncarnationUpstreams {
  readonly kube: string;
  readonly keyservice: string;
  readonly secretsmanager: string;
}

export class Incarnation {
  /** Proxy URL per upstream: give these to the operator instead of the servers' URLs. */
  readonly urls: Record<Upstream, string> = { kube: '', keyservice: '', secretsmanager: '' };
  /** Resolves when this incarnation crashes (a fault rule or crash()). */
  readonly crashed: Promise<CrashReport>;
  private dying = false;
  private readonly proxies: Proxy[];
  private resolveCrash!: (report: CrashReport) => void;

  private constructor(
    readonly number: number,
    readonly plan: FaultPlan,
    readonly timeline: Timeline,
    upstreams: IncarnationUpstreams,
  ) {
    this.crashed = new Promise((resolve) => (this.resolveCrash = resolve));
    this.proxies = (Object.keys(upstreams) as Upstream[]).map((u) => new Proxy(u, upstreams[u], this));
  }

  static async start(number: number, upstreams: IncarnationUpstreams, plan: FaultPlan, timeline: Timeline): Promise<Incarnation> {
    const life = new Incarnation(number, plan, timeline, upstreams);
    for (const proxy of life.proxies) life.urls[proxy.upstream] = await proxy.start();
    return life;
  }

  /** Requests this incarnation sent that the servers have not answered yet (watches excluded). */
  get waitingForServers(): string[] {
    return this.proxies.flatMap((p) => [...p.waiting.values()]);
  }

  get dead(): boolean {
    return this.dying;
  }

  /** Cuts every connection of this incarnation now and refuses new ones (a SIGKILL as the servers see it). */
  crash(cause = 'killed', request?: CrashReport['request']): void {
    if (this.dying) return;
    this.dying = true;
    for (const proxy of this.proxies) proxy.cut();
    this.timeline.recordCrash(this.number, cause);
    this.resolveCrash({ incarnation: this.number, cause, ...(request !== undefined ? { request } : {}) });
  }

  /** Closes the proxies (after crash(), or at the end of a test). */
  async close(): Promise<void> {
    this.dying = true;
    await Promise.all(this.proxies.map((p) => p.stop()));
  }
}
