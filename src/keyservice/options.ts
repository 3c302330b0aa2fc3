// The one options type of the key service, with every default in one place (DEFAULTS).
// `keywarden serve` flags and KEYWARDEN_* environment variables map onto it.
import type { DestinationStream } from 'pino';
import { DEFAULT_KEY_PREFIX, validatePrefix } from './key-format.js';

/** A scope the service advertises on GET /v1/scopes. */
export interface ScopeDefinition {
  readonly name: string;
  readonly description: string;
}

/** A rate limit: `requests` per `perSeconds`. */
export interface RateLimitSetting {
  readonly requests: number;
  readonly perSeconds: number;
}

export interface KeyServiceOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 8420 */
  readonly port?: number;
  /** `sqlite:<file>`, a file path, `:memory:` or `postgres://…`. @default 'sqlite:keywarden.db' */
  readonly databaseUrl?: string;
  /** Prefix of every key this deployment issues (`<prefix>_<mode>_<random>`). @default 'kw' */
  readonly keyPrefix?: string;
  /** Server-side secret mixed into every key digest (HMAC-SHA-256). Required; at least 16 characters. */
  readonly pepper: string;
  /** PEM certificate file; with tlsKeyFile, serves HTTPS. @default undefined (plain HTTP) */
  readonly tlsCertFile?: string;
  /** PEM private key file for tlsCertFile. @default undefined */
  readonly tlsKeyFile?: string;
  /** Peers (IPs or CIDRs) whose X-Forwarded-For is believed. @default [] (never believed) */
  readonly trustedProxies?: readonly string[];
  /** Rate limit of a key that sets none. @default { requests: 10000, perSeconds: 3600 } */
  readonly defaultRateLimit?: RateLimitSetting;
  /** Largest request body in bytes. @default 16384 */
  readonly bodyLimitBytes?: number;
  /**
   * The longest a client may take to send a whole request (headers and body), in ms (at least
   * 1000): a slower one gets 408 and the connection is closed, so clients that trickle bytes
   * cannot hold connections open. @default 30000
   */
  readonly requestTimeoutMs?: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. @default 'info' */
  readonly logLevel?: string;
  /** Where JSON log lines go. @default process.stderr */
  readonly logStream?: DestinationStream;
  /** Application scopes advertised on /v1/scopes; when set, keys may only carry these (and management scopes). @default undefined (any well-formed scope) */
  readonly scopes?: readonly ScopeDefinition[];
  /**
   * The longest a found key is answered from memory, in ms (at most 600000). Changes made through
   * this process drop it at once, changes made through other replicas within
   * VERIFY_STALENESS_FACTOR × keyChangePollMs (see keyChangePollMs). @default 60000
   */
  readonly verifyCacheTtlMs?: number;
  /**
   * How often each process reads the keys changed in the database (by any replica) to drop them
   * from its verify cache, in ms (10…250). Cached answers are used only while the last successful
   * read started less than VERIFY_STALENESS_FACTOR × this ago, so a revocation through another
   * replica is refused everywhere within 1 s, also while the database is unreachable. @default 250
   */
  readonly keyChangePollMs?: number;
  /** Usage counters (count, lastUsedAt) are written in batches this often, in ms (lastUsedAt is as coarse). @default 10000 */
  readonly usageFlushIntervalMs?: number;
  /** A database call slower than this answers 503, in ms. @default 3000 */
  readonly databaseTimeoutMs?: number;
  /** Items per page when `limit` is absent. @default 50 */
  readonly defaultPageSize?: number;
  /** Largest `limit` accepted. @default 200 */
  readonly maxPageSize?: number;
  /** The service's clock in epoch ms (tests move it to pass expiries and overlaps). @default Date.now */
  readonly clock?: () => number;
}

export type ResolvedOptions = Required<Omit<KeyServiceOptions, 'tlsCertFile' | 'tlsKeyFile' | 'logStream' | 'scopes'>> &
  Pick<KeyServiceOptions, 'tlsCertFile' | 'tlsKeyFile' | 'logStream' | 'scopes'>;

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8420,
  databaseUrl: 'sqlite:keywarden.db',
  keyPrefix: DEFAULT_KEY_PREFIX,
  trustedProxies: [] as readonly string[],
  defaultRateLimit: { requests: 10_000, perSeconds: 3600 } as RateLimitSetting,
  bodyLimitBytes: 16_384,
  requestTimeoutMs: 30_000,
  logLevel: 'info',
  verifyCacheTtlMs: 60_000,
  keyChangePollMs: 250,
  usageFlushIntervalMs: 10_000,
  databaseTimeoutMs: 3000,
  defaultPageSize: 50,
  maxPageSize: 200,
} as const;

/** Fixed limits of the API (documented in docs/keyservice.md#limits). */
export const LIMITS = {
  nameLength: 64,
  scopes: 50,
  scopeLength: 64,
  cidrs: 50,
  metadataEntries: 32,
  metadataValueLength: 256,
  limitsEntries: 32,
  overlapSecondsMax: 30 * 24 * 3600,
  verifyCacheTtlMsMax: 600_000,
  keyChangePollMsMin: 10,
  keyChangePollMsMax: 250,
} as const;

/** Cached verify answers are used only while the key change feed's last successful poll started less than this many poll intervals ago. */
export const VERIFY_STALENESS_FACTOR = 4;

/** Fills in defaults and checks the options; throws with every problem listed (start-up only). */
export function resolveOptions(options: KeyServiceOptions): ResolvedOptions {
  const problems: string[] = [];
  const resolved: ResolvedOptions = {
    host: options.host ?? DEFAULTS.host,
    port: options.port ?? DEFAULTS.port,
    databaseUrl: options.databaseUrl ?? DEFAULTS.databaseUrl,
    keyPrefix: options.keyPrefix ?? DEFAULTS.keyPrefix,
    pepper: options.pepper,
    trustedProxies: options.trustedProxies ?? DEFAULTS.trustedProxies,
    defaultRateLimit: options.defaultRateLimit ?? DEFAULTS.defaultRateLimit,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    logLevel: options.logLevel ?? DEFAULTS.logLevel,
    verifyCacheTtlMs: Math.min(options.verifyCacheTtlMs ?? DEFAULTS.verifyCacheTtlMs, LIMITS.verifyCacheTtlMsMax),
    keyChangePollMs: Math.min(
      Math.max(options.keyChangePollMs ?? DEFAULTS.keyChangePollMs, LIMITS.keyChangePollMsMin),
      LIMITS.keyChangePollMsMax,
    ),
    usageFlushIntervalMs: options.usageFlushIntervalMs ?? DEFAULTS.usageFlushIntervalMs,
    databaseTimeoutMs: options.databaseTimeoutMs ?? DEFAULTS.databaseTimeoutMs,
    defaultPageSize: options.defaultPageSize ?? DEFAULTS.defaultPageSize,
    maxPageSize: options.maxPageSize ?? DEFAULTS.maxPageSize,
    tlsCertFile: options.tlsCertFile,
    tlsKeyFile: options.tlsKeyFile,
    logStream: options.logStream,
    scopes: options.scopes,
    clock: options.clock ?? Date.now,
  };
  if (typeof resolved.pepper !== 'string' || resolved.pepper.length < 16) {
    problems.push('pepper: set a server pepper of at least 16 characters (KEYWARDEN_PEPPER or --pepper-file)');
  }
  for (const problem of validatePrefix(resolved.keyPrefix)) problems.push(`keyPrefix: ${problem}`);
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    problems.push(`port: ${resolved.port} is not a TCP port (0-65535)`);
  }
  if ((resolved.tlsCertFile === undefined) !== (resolved.tlsKeyFile === undefined)) {
    problems.push('tls: give both tlsCertFile and tlsKeyFile, or neither');
  }
  const rl = resolved.defaultRateLimit;
  if (!Number.isInteger(rl.requests) || rl.requests < 1 || !Number.isInteger(rl.perSeconds) || rl.perSeconds < 1) {
    problems.push('defaultRateLimit: requests and perSeconds must be positive integers');
  }
  if (!Number.isInteger(resolved.bodyLimitBytes) || resolved.bodyLimitBytes < 1024) {
    problems.push('bodyLimitBytes: must be an integer of at least 1024');
  }
  if (!Number.isInteger(resolved.requestTimeoutMs) || resolved.requestTimeoutMs < 1000) {
    problems.push('requestTimeoutMs: must be an integer of at least 1000');
  }
  if (resolved.defaultPageSize < 1 || resolved.maxPageSize < resolved.defaultPageSize) {
    problems.push('page sizes: need 1 <= defaultPageSize <= maxPageSize');
  }
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(resolved.logLevel)) problems.push(`logLevel: "${resolved.logLevel}" is not one of ${levels.join(', ')}`);
  if (problems.length > 0) throw new Error(`invalid key service options:\n  ${problems.join('\n  ')}`);
  return resolved;
}
