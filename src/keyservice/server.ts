// createKeyService: the fastify app of the key service, wired to its store, rate limiter,
// usage buffer, metrics and audit log. `close()` stops listening, lets requests finish,
// flushes usage counts and closes the store.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod, onResponseHookHandler } from 'fastify';
import { authenticationHook } from './authenticate.js';
import { ClientIpResolver } from './client-ip.js';
import type { RequestAuditEvent, ServiceContext } from './context.js';
import { ApiError, ERROR_CATALOG, classifyError, clientErrorCode, errorBody } from './errors.js';
import { FailureAuditThrottle } from './failure-audit-throttle.js';
import type { FieldError } from './errors.js';
import { KeyChangeFeed } from './key-change-feed.js';
import { KeyChecker } from './key-check.js';
import { loggerOptions } from './logger.js';
import { ServiceMetrics } from './metrics.js';
import { VERIFY_STALENESS_FACTOR, resolveOptions } from './options.js';
import type { KeyServiceOptions, ResolvedOptions } from './options.js';
import { KeyRateLimiter, withTimeout } from './rate-limit.js';
import { LazyChildLogger } from './request-logger.js';
import { registerRoutes } from './routes/index.js';
import { InvalidCursorError, StoreUnavailableError, openStore } from './store/index.js';
import type { KeyStore, NewAuditEvent } from './store/store.js';
import { UsageBuffer } from './usage-buffer.js';

export const SERVICE_VERSION = '0.1.0';

/** A running (or ready to listen) key service. */
export interface KeyService {
  /** The fastify instance (use `app.inject` in tests). */
  readonly app: FastifyInstance;
  /** The store the service uses (e.g. to bootstrap an admin key in tests). */
  readonly store: KeyStore;
  /** The resolved options. */
  readonly options: ResolvedOptions;
  /** Listens on options.host:port and resolves to the base URL, e.g. `http://127.0.0.1:8420`. */
  listen(): Promise<string>;
  /** Writes the usage counted in memory now (it is otherwise written every usageFlushIntervalMs and at close). */
  flushUsage(): Promise<void>;
  /** Stops listening, waits for requests in flight, flushes usage, closes the store. Idempotent. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const MAINTENANCE_INTERVAL_MS = 60_000;

/** Builds the service: opens (and migrates) the store, registers every route. Does not listen. */
export async function createKeyService(input: KeyServiceOptions & { processMetrics?: boolean }): Promise<KeyService> {
  const options = resolveOptions(input);
  const ipResolver = new ClientIpResolver(options.trustedProxies);
  const store = await openStore({
    url: options.databaseUrl,
    clock: options.clock,
    connectTimeoutMs: Math.min(2000, options.databaseTimeoutMs),
    statementTimeoutMs: options.databaseTimeoutMs,
  });
  let app: FastifyInstance;
  let usage: UsageBuffer;
  try {
    ({ app, usage } = await buildApp(options, store, ipResolver, input.processMetrics ?? false));
  } catch (err) {
    await store.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    options,
    async listen(): Promise<string> {
      const url = await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      const base = `${options.tlsCertFile ? 'https' : 'http'}://${host}:${port}`;
      app.log.info({ url: base, fastifyUrl: url }, 'listening');
      return base;
    },
    flushUsage(): Promise<void> {
      return usage.flush();
    },
    close(): Promise<void> {
      closing ??= app.close();
      return closing;
    },
  };
}

async function buildApp(
  options: ResolvedOptions,
  store: KeyStore,
  ipResolver: ClientIpResolver,
  processMetrics: boolean,
): Promise<{ app: FastifyInstance; usage: UsageBuffer }> {
  const https = options.tlsCertFile && options.tlsKeyFile
    ? { cert: readFileSync(options.tlsCertFile), key: readFileSync(options.tlsKeyFile) }
    : null;
  // The request deadline must reach Node's server at construction (fastify sets it only
  // afterwards, which leaves a request body without one), checked on a timer often enough to
  // hold it within a quarter of the timeout (Node checks every 30 s by default).
  const deadline = { requestTimeout: options.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(options.requestTimeoutMs / 4))) };
  const app = Fastify({
    logger: loggerOptions(options),
    ...(https ? { https: { ...https, ...deadline } } : { http: deadline }),
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    childLoggerFactory: LazyChildLogger.factory,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomUUID()}`;
    },
    return503OnClosing: true,
    // Errors on a connection before any request exists (a missed deadline, oversized headers,
    // bytes that are not HTTP): the catalog body, then the connection is closed.
    clientErrorHandler: (err, socket) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      // Never into a response already under way on this connection (keep-alive).
      const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
      if (socket.writable && !answering) {
        const code = clientErrorCode(err as NodeJS.ErrnoException);
        const requestId = `req_${randomUUID()}`;
        const body = JSON.stringify(errorBody(code, ERROR_CATALOG[code].message, requestId));
        socket.write(
          `HTTP/1.1 ${ERROR_CATALOG[code].status} ${STATUS_CODES[ERROR_CATALOG[code].status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
    // Errors the router raises before any route runs (undecodable URL, over-long parameter).
    frameworkErrors: (err, request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      const problem = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is too long' : 'the path is not valid percent-encoded UTF-8';
      reply.header('x-request-id', request.id);
      reply.code(400).send(errorBody('validation_failed', `The URL cannot be routed: ${problem}.`, request.id, [{ field: 'url', message: problem }]));
    },
    ajv: { customOptions: { allErrors: true, allowUnionTypes: true, removeAdditional: false, coerceTypes: false, useDefaults: true } },
  }) as unknown as FastifyInstance;

  const metrics = new ServiceMetrics({ defaultMetrics: processMetrics });
  const limiter = await KeyRateLimiter.create(store.backend, options.databaseTimeoutMs);
  const usage = new UsageBuffer(store, (err) => {
    metrics.usageFlushFailures.inc();
    app.log.warn({ err }, 'usage flush failed; counts kept for the next flush');
  });
  // better-sqlite3 answers synchronously (and cannot be interrupted): a timer per call would only cost.
  const db =
    store.backend.kind === 'postgres'
      ? <T>(promise: Promise<T>): Promise<T> => withTimeout(promise, options.databaseTimeoutMs)
      : <T>(promise: Promise<T>): Promise<T> => promise;
  // The verify cache keeps found keys for long; the change feed drops those changed through
  // other replicas (this process drops its own changes at once, in the routes).
  let checker: KeyChecker | undefined;
  const changes = new KeyChangeFeed({
    store,
    clock: options.clock,
    onChanged: (keyIds) => checker?.invalidateKeys(keyIds),
    onReset: () => checker?.invalidate(),
    onError: (err) => {
      metrics.keyChangePollFailures.inc();
      app.log.warn({ err }, 'reading key changes failed; verify answers bypass the cache until it works again');
    },
  });
  checker = new KeyChecker({
    store,
    limiter,
    usage,
    keyPrefix: options.keyPrefix,
    pepper: options.pepper,
    defaultRateLimit: options.defaultRateLimit,
    cacheTtlMs: options.verifyCacheTtlMs,
    negativeCacheTtlMs: options.keyChangePollMs,
    changes,
    maxStalenessMs: VERIFY_STALENESS_FACTOR * options.keyChangePollMs,
    lookup: db,
  });
  const failureAudits = new FailureAuditThrottle<NewAuditEvent>();
  const auditEventOf = (request: FastifyRequest, event: RequestAuditEvent): NewAuditEvent => ({
    ...event,
    accountId: event.accountId !== undefined ? event.accountId : (request.actor?.key.accountId ?? null),
    actorKeyId: request.actor?.key.id ?? null,
    ip: request.clientIp,
    requestId: request.id,
  });
  const ctx: ServiceContext = {
    store,
    options,
    checker,
    limiter,
    usage,
    metrics,
    ipResolver,
    now: options.clock,
    db,
    async audit(request, event) {
      await db(store.appendAudit(auditEventOf(request, event)));
    },
    auditFailure(request, group, event) {
      const full = auditEventOf(request, event);
      const code = typeof event.details?.code === 'string' ? event.details.code : 'unknown';
      const decision = failureAudits.decide(`${event.action}/${group}`, code, full, options.clock());
      if (!decision.write) return;
      const written = decision.suppressed > 0 ? { ...full, details: { ...full.details, suppressed: decision.suppressed } } : full;
      db(store.appendAudit(written)).catch((err: unknown) => request.log.warn({ err }, `audit write of ${event.action} failed`));
    },
  };
  /** Writes one summary per failure group whose window ended with failures left out (`final`: all of them, at close). */
  const writeFailureSummaries = async (final: boolean): Promise<void> => {
    for (const { event, suppressed } of failureAudits.drain(final ? Number.POSITIVE_INFINITY : options.clock())) {
      await db(store.appendAudit({ ...event, details: { ...event.details, suppressed, summary: true } })).catch((err: unknown) =>
        app.log.warn({ err }, `audit write of a ${event.action} summary failed`),
      );
    }
  };

  app.decorateRequest('actor', null);
  app.decorateRequest('rateLimit', null);
  app.decorateRequest('clientIp', {
    getter(this: FastifyRequest): string {
      return ipResolver.resolve(this.socket.remoteAddress, this.headers['x-forwarded-for']);
    },
  });
  // Only text/plain besides JSON is registered by default; a key service takes JSON alone (415 otherwise).
  app.removeContentTypeParser('text/plain');

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Keywarden key service', version: SERVICE_VERSION, description: 'See docs/keyservice.md.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          basic: { type: 'http', scheme: 'basic', description: 'The key as username, empty password.' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });

  const authenticate = authenticationHook(ctx);
  const countResponse = responseCounter(metrics);
  // Per route rather than by global hooks (each global hook is a hook runner per request, and
  // a global one would read the route pattern through options fastify builds per request):
  // the route's handler sets X-Request-Id (the error and not-found handlers set it for the
  // answers no handler gives), and a route-level onResponse hook counts and logs the answer.
  // HEAD routes are built from their GET route's options, which already carry both.
  app.addHook('onRoute', (route) => {
    const config = route.config as { keywarden?: { auth: string } } | undefined;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    if (config?.keywarden?.auth === 'key' && !existing.includes(authenticate)) route.onRequest = [...existing, authenticate];
    if (!(WITH_REQUEST_ID in route.handler)) route.handler = withRequestId(route.handler);
    const onResponse = route.onResponse === undefined ? [] : Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse];
    if (!onResponse.some((hook) => COUNTS in hook)) route.onResponse = [...onResponse, countResponse(route.url)];
  });

  app.setErrorHandler((err: FastifyError | ApiError | Error, request: FastifyRequest, reply: FastifyReply) => {
    let code = classifyError(err as FastifyError);
    let message: string | undefined = err instanceof ApiError ? err.message : undefined;
    let details: FieldError[] | undefined = err instanceof ApiError && err.details ? [...err.details] : undefined;
    if (err instanceof StoreUnavailableError || (err instanceof ApiError && err.cause instanceof StoreUnavailableError)) {
      code = 'service_unavailable';
    } else if (err instanceof InvalidCursorError) {
      code = 'validation_failed';
      message = err.message;
      details = [{ field: 'querystring.cursor', message: 'not a cursor this service issued' }];
    } else if ((err as FastifyError).validation) {
      details = validationDetails(err as FastifyError);
      message = `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}.`;
    }
    const status = ERROR_CATALOG[code].status;
    if (status >= 500) request.log.error({ err, code }, 'request failed');
    else request.log.debug({ code, message: err.message }, 'request rejected');
    if (err instanceof ApiError && err.headers) reply.headers(err.headers);
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="keywarden"');
    if (code === 'service_unavailable') reply.header('retry-after', '1');
    reply.header('x-request-id', request.id);
    reply.code(status).send(errorBody(code, message ?? ERROR_CATALOG[code].message, request.id, details));
  });
  const countUnmatched = countResponse('unmatched');
  app.setNotFoundHandler({ onResponse: countUnmatched } as object, (request, reply) => {
    reply
      .header('x-request-id', request.id)
      .code(404)
      .send(errorBody('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}. See /openapi.json.`, request.id));
  });

  registerRoutes(app, ctx);
  app.get('/openapi.json', { schema: { hide: true }, config: { keywarden: { auth: 'public' } } }, async () => app.swagger());

  usage.start(options.usageFlushIntervalMs);
  await changes.poll();
  changes.start(options.keyChangePollMs);
  const maintenance = setInterval(() => {
    store.revokeRotatedOut().catch((err: unknown) => app.log.warn({ err }, 'revoking rotated-out versions failed'));
    void writeFailureSummaries(false);
  }, MAINTENANCE_INTERVAL_MS);
  maintenance.unref();
  app.addHook('onClose', async () => {
    clearInterval(maintenance);
    await changes.stop();
    await writeFailureSummaries(true);
    await usage.close();
    await store.close();
  });
  await app.ready();
  return { app, usage };
}

const WITH_REQUEST_ID = Symbol('keywarden.withRequestId');
const COUNTS = Symbol('keywarden.countsResponses');

/** The route handler, setting X-Request-Id first. */
function withRequestId(handler: RouteHandlerMethod): RouteHandlerMethod {
  const wrapped = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    reply.header('x-request-id', request.id);
    return handler.call(this, request, reply);
  };
  return Object.assign(wrapped, { [WITH_REQUEST_ID]: true }) as RouteHandlerMethod;
}

/**
 * onResponse hooks that count answers (keywarden_http_requests_total by method, route pattern
 * and status) and log them: at info, POST/GET /v1/verify at debug (the gateways' hot path).
 */
function responseCounter(metrics: ServiceMetrics): (route: string) => onResponseHookHandler {
  return (route) => {
    // Counter children are looked up once per (method, status), not hashed per request.
    const counters = new Map<string, { inc(): void }>();
    const level = route === '/v1/verify' ? 'debug' : 'info';
    const hook = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const status = reply.statusCode;
      const id = `${request.method} ${status}`;
      let counter = counters.get(id);
      if (!counter) counters.set(id, (counter = metrics.requests.child({ method: request.method, route, status: String(status) })));
      counter.inc();
      if ((request.log as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled(level)) {
        request.log[level]({ method: request.method, route, status, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
      }
      done();
    };
    return Object.assign(hook, { [COUNTS]: true }) as onResponseHookHandler;
  };
}

function validationDetails(err: FastifyError): FieldError[] {
  const context = (err as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const path = v.instancePath.split('/').filter((p) => p.length > 0).join('.');
    const params = v.params as { missingProperty?: string; additionalProperty?: string };
    const extra = params.missingProperty ?? params.additionalProperty;
    const field = [context, path, extra].filter((p) => p !== undefined && p.length > 0).join('.');
    const message = params.additionalProperty
      ? 'is not a known field'
      : params.missingProperty
        ? 'is required'
        : (v.message ?? 'is invalid');
    return { field, message };
  });
}
