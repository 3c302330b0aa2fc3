// The validating admission webhook: an HTTPS server answering admission.k8s.io/v1
// AdmissionReviews for ApiKeys at POST /validate-apikey with the checks of `keywarden check`.
// Hostile input gets a coded JSON error, never a crash: bodies over the size limit (413), slow
// bodies (408), bodies that are not JSON or not an AdmissionReview (400). The serving
// certificate is re-read when its files change.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { closeServer, listenOn } from '../listen.js';
import { decideAdmission, parseAdmissionReview, type ApiKeyReviewerOptions, type ReviewOutcome } from './admission-review.js';
import { WebhookError, webhookErrorBody } from './errors.js';
import { readTlsFiles, watchTlsFiles } from './tls-files.js';

/** The path the chart's ValidatingWebhookConfiguration calls. */
export const WEBHOOK_PATH = '/validate-apikey';

export interface WebhookServerOptions extends ApiKeyReviewerOptions {
  /** PEM serving certificate (a kubernetes.io/tls Secret's tls.crt). */
  readonly certFile: string;
  /** PEM private key (tls.key). */
  readonly keyFile: string;
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @default 9443 */
  readonly port?: number;
  /** Largest AdmissionReview accepted, in bytes (an UPDATE carries the object twice). @default 3145728 (3 MiB) */
  readonly maxBodyBytes?: number;
  /** Time allowed for a whole request to arrive, in ms. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** How often the certificate files are checked for changes, in ms; 0 = never. @default 10000 */
  readonly tlsReloadIntervalMs?: number;
  /** @default silent */
  readonly logger?: Logger;
  /** Registers `keywarden_operator_admission_reviews_total{outcome}` here. @default none */
  readonly registry?: Registry;
}

export interface WebhookServer {
  /** Starts listening; resolves to the base URL (https://host:port). */
  listen(): Promise<string>;
  /** Stops accepting, ends open connections, stops watching the certificate. */
  close(): Promise<void>;
  /** Re-reads the certificate and key now; false (old pair kept, error logged) when they do not load. */
  reloadTls(): boolean;
  /** True while listening. */
  readonly listening: boolean;
}

const DEFAULT_MAX_BODY = 3 * 1024 * 1024;

/** Creates the server; throws when the certificate or key cannot be read (a start-up error). */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const tlsFiles = { certFile: options.certFile, keyFile: options.keyFile };
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = options.logger;
  const reviews = options.registry
    ? new Counter({
        name: 'keywarden_operator_admission_reviews_total',
        help: 'AdmissionReviews answered, by outcome (allowed, warned, refused, skipped, invalid).',
        labelNames: ['outcome'],
        registers: [options.registry],
      })
    : undefined;
  const count = (outcome: ReviewOutcome | 'invalid'): void => reviews?.inc({ outcome });

  // Deadlines at construction: set on the server afterwards, Node leaves a request body without one.
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const deadlines = { requestTimeout, headersTimeout: Math.min(requestTimeout, 60_000), connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(requestTimeout / 4))) };
  const server: Server = createServer({ ...readTlsFiles(tlsFiles), minVersion: 'TLSv1.2', ...deadlines }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.error({ err }, 'admission webhook failed');
      if (!res.headersSent) send(res, 500, webhookErrorBody(new WebhookError('internal_error')));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== WEBHOOK_PATH) throw new WebhookError('route_not_found');
      if (req.method !== 'POST') throw new WebhookError('method_not_allowed');
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw new WebhookError('unsupported_media_type');
      body = parseJson(await readBody(req, maxBody));
    } catch (err) {
      if (!(err instanceof WebhookError)) throw err;
      count('invalid');
      log?.warn({ code: err.code, method: req.method, path: req.url?.slice(0, 200) }, 'refused a malformed admission request');
      send(res, err.status, webhookErrorBody(err), err.code === 'payload_too_large' || err.code === 'request_timeout');
      return;
    }
    const parsed = parseAdmissionReview(body);
    if (!parsed.ok) {
      count('invalid');
      const error = new WebhookError('invalid_review', `The body is not an admission.k8s.io/v1 AdmissionReview request: ${parsed.problems.join('; ')}.`);
      log?.warn({ code: error.code, problems: parsed.problems }, 'refused a malformed admission request');
      send(res, error.status, webhookErrorBody(error));
      return;
    }
    const { request } = parsed;
    const result = decideAdmission(request, options);
    count(result.outcome);
    log?.info(
      { uid: request.uid, operation: request.operation, namespace: request.namespace, name: request.name, outcome: result.outcome, rules: result.rules, dryRun: request.dryRun ?? false },
      'admission review',
    );
    send(res, 200, result.response);
  }

  let stopWatching: (() => void) | undefined;
  const reloadTls = (): boolean => {
    try {
      server.setSecureContext({ ...readTlsFiles(tlsFiles), minVersion: 'TLSv1.2' });
      log?.info({ certFile: options.certFile }, 'reloaded the webhook certificate');
      return true;
    } catch (err) {
      log?.error({ err: (err as Error).message }, 'kept the previous webhook certificate');
      return false;
    }
  };

  return {
    async listen() {
      const { url, port } = await listenOn(server, options.port ?? 9443, options.host ?? '0.0.0.0', 'https');
      const interval = options.tlsReloadIntervalMs ?? 10_000;
      if (interval > 0) stopWatching = watchTlsFiles(tlsFiles, interval, reloadTls);
      log?.info({ port, path: WEBHOOK_PATH, mode: options.mode }, 'admission webhook listening');
      return url;
    },
    async close() {
      stopWatching?.();
      stopWatching = undefined;
      // Reviews in flight get a moment to finish; then whatever is left is cut.
      await closeServer(server, 2000);
    },
    reloadTls,
    get listening() {
      return server.listening;
    },
  };
}

/**
 * Reads the body up to `limit` bytes; 413 as soon as it is over (by Content-Length or by
 * counting). The rest of an oversized body is not read: the answer goes out with
 * `Connection: close` and the socket ends after it, so the client sees the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.reject(new WebhookError('payload_too_large', `The AdmissionReview is ${declared} bytes; this webhook accepts at most ${limit}.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.pause();
      reject(new WebhookError('payload_too_large', `The AdmissionReview is over ${limit} bytes, the most this webhook accepts.`));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (): void => {
      cleanup();
      reject(new WebhookError('request_timeout'));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new WebhookError('invalid_json', `The request body is not valid JSON: ${(err as Error).message.slice(0, 200)}.`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, closeConnection = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(text);
  // The unread rest of a refused body must not be parsed as the next request.
  if (closeConnection) res.once('finish', () => res.socket?.destroySoon());
}
