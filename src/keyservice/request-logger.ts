// The per-request logger, made only when a request logs. fastify gives every request a pino
// child logger bound to its request id; building one (bindings serialized to a string) cost
// ≈ 2–3 % of a POST /v1/verify, which at the default level logs nothing. This stands in for
// the child and builds it on the first line actually written — the same output, same bindings.
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly childBindings: Bindings,
    private readonly childOptions: object,
  ) {}

  /** fastify's childLoggerFactory: `(logger, bindings, options) => child`. */
  static factory(logger: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
    // A route-level log level makes the child differ from its parent beyond the bindings: build it now.
    if ((options as { level?: unknown }).level !== undefined) return logger.child(bindings, options);
    return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
  }

  /** The real child logger (built on first use). */
  get logger(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.childBindings, this.childOptions);
    return this.#child;
  }

  get level(): string {
    return (this.#child ?? this.parent).level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  isLevelEnabled(level: string): boolean {
    return ((this.#child ?? this.parent) as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled(level);
  }

  bindings(): Bindings {
    return (this.logger as unknown as { bindings(): Bindings }).bindings();
  }

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  // Prototype methods (not per-instance arrow functions): nothing allocated per request.
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  #write(level: Level, args: unknown[]): void {
    // Nothing to write at a disabled level: no child needed.
    if (!this.isLevelEnabled(level)) return;
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }
}
