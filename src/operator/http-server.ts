// The operator's plain-HTTP endpoints: /metrics (Prometheus text from one or more prom-client
// registries) and the probes /healthz (liveness) and /readyz (readiness), each answering 200
// when every named check passes and 503 otherwise, with one `[+]name ok` / `[-]name failed`
// line per check, as the Kubernetes API server's own probes do. The chart puts metrics and
// probes on separate ports; one server can also serve both.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { closeServer, listenOn } from './listen.js';

/** A named probe check: true when healthy. */
export type ProbeChecks = Readonly<Record<string, () => boolean>>;

export interface OperatorHttpServerOptions {
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Serve /metrics from these registries (concatenated; metric names must not repeat across them). @default no /metrics */
  readonly registries?: readonly Registry[];
  /** Serve /healthz with these checks. @default no /healthz */
  readonly liveness?: ProbeChecks;
  /** Serve /readyz with these checks. @default no /readyz */
  readonly readiness?: ProbeChecks;
  /** @default silent */
  readonly logger?: Logger;
}

export interface OperatorHttpServer {
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export function createOperatorHttpServer(options: OperatorHttpServerOptions): OperatorHttpServer {
  const routes = new Map<string, (res: ServerResponse, verbose: boolean) => Promise<void> | void>();
  if (options.registries !== undefined) {
    const registries = options.registries;
    routes.set('/metrics', async (res) => {
      const texts = await Promise.all(registries.map((r) => r.metrics()));
      send(res, 200, registries[0]?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8', texts.filter((t) => t.trim() !== '').join('\n'));
    });
  }
  if (options.liveness !== undefined) routes.set('/healthz', probe('healthz', options.liveness));
  if (options.readiness !== undefined) routes.set('/readyz', probe('readyz', options.readiness));

  // Deadlines at construction (set afterwards, Node leaves a request body without one).
  const server: Server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, connectionsCheckingInterval: 2_500 }, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://operator');
    const route = routes.get(url.pathname);
    if (route === undefined) return send(res, 404, 'text/plain; charset=utf-8', `404 not found: this port serves ${[...routes.keys()].join(', ')}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', '405 method not allowed: use GET\n');
    Promise.resolve(route(res, url.searchParams.has('verbose'))).catch((err: unknown) => {
      options.logger?.error({ err, path: url.pathname }, 'operator endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', '500 internal error\n');
    });
  });

  return {
    async listen() {
      const { url, port } = await listenOn(server, options.port, options.host ?? '0.0.0.0', 'http');
      options.logger?.info({ port, paths: [...routes.keys()] }, 'operator endpoints listening');
      return url;
    },
    close: () => closeServer(server, 0),
  };
}

/** A probe route: every check runs; 200 when all pass, else 503; the failing ones are always listed. */
function probe(name: string, checks: ProbeChecks): (res: ServerResponse, verbose: boolean) => void {
  return (res, verbose) => {
    const results = Object.entries(checks).map(([check, run]) => {
      let ok = false;
      try {
        ok = run();
      } catch {
        ok = false;
      }
      return { check, ok };
    });
    const passed = results.every((r) => r.ok);
    const lines = results.filter((r) => verbose || !passed).map((r) => `[${r.ok ? '+' : '-'}]${r.check} ${r.ok ? 'ok' : 'failed'}`);
    send(res, passed ? 200 : 503, 'text/plain; charset=utf-8', [...lines, passed ? (verbose ? `${name} check passed` : 'ok') : `${name} check failed`].join('\n') + '\n');
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
