// `keywarden serve`: runs the key service. Flags and KEYWARDEN_* environment variables map onto
// KeyServiceOptions (flags win). `--init` creates the first account and admin key when the
// store has none and prints the key once, alone on a line, to standard output. Logs (JSON
// lines, including `{"msg":"listening","url":…}`) go to standard error. SIGTERM/SIGINT close
// gracefully: stop accepting, finish requests in flight, flush usage counts, close the store.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { AlreadyInitializedError, bootstrapAdmin, createKeyService } from '../../keyservice/index.js';
import type { KeyService, KeyServiceOptions, ScopeDefinition } from '../../keyservice/index.js';
import { EXIT_OK, EXIT_USAGE } from '../main.js';

/** Raw flag values as commander hands them over. */
export interface ServeFlags {
  host?: string;
  port?: string;
  database?: string;
  keyPrefix?: string;
  pepperFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustedProxy?: string[];
  rateLimit?: string;
  bodyLimit?: string;
  requestTimeout?: string;
  logLevel?: string;
  scopesFile?: string;
  init?: boolean;
  initAccount?: string;
}

/** Environment variables, each the twin of a flag. */
export const SERVE_ENV = {
  host: 'KEYWARDEN_HOST',
  port: 'KEYWARDEN_PORT',
  database: 'KEYWARDEN_DATABASE_URL',
  keyPrefix: 'KEYWARDEN_KEY_PREFIX',
  pepper: 'KEYWARDEN_PEPPER',
  pepperFile: 'KEYWARDEN_PEPPER_FILE',
  tlsCert: 'KEYWARDEN_TLS_CERT',
  tlsKey: 'KEYWARDEN_TLS_KEY',
  trustedProxies: 'KEYWARDEN_TRUSTED_PROXIES',
  rateLimit: 'KEYWARDEN_DEFAULT_RATE_LIMIT',
  bodyLimit: 'KEYWARDEN_BODY_LIMIT',
  requestTimeout: 'KEYWARDEN_REQUEST_TIMEOUT',
  logLevel: 'KEYWARDEN_LOG_LEVEL',
  scopesFile: 'KEYWARDEN_SCOPES_FILE',
} as const;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `10000/1h` → { requests: 10000, perSeconds: 3600 }; undefined when malformed. */
export function parseRateLimit(text: string): { requests: number; perSeconds: number } | undefined {
  const m = /^(\d{1,10})\/(\d{0,7})([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const count = m[2] === '' ? 1 : Number(m[2]);
  return { requests: Number(m[1]), perSeconds: count * UNIT_SECONDS[m[3]!]! };
}

/** Maps flags and environment onto service options; collects every problem instead of stopping at the first. */
export function serveOptions(flags: ServeFlags, env: NodeJS.ProcessEnv): { options?: KeyServiceOptions; problems: string[] } {
  const problems: string[] = [];
  const pick = (flag: string | undefined, name: keyof typeof SERVE_ENV): string | undefined => flag ?? env[SERVE_ENV[name]];
  let pepper = env[SERVE_ENV.pepper];
  const pepperFile = pick(flags.pepperFile, 'pepperFile');
  if (pepperFile !== undefined) {
    try {
      pepper = readFileSync(pepperFile, 'utf8').trim();
    } catch (err) {
      problems.push(`--pepper-file ${pepperFile}: ${(err as Error).message}`);
    }
  }
  if (pepper === undefined) problems.push(`no pepper: set ${SERVE_ENV.pepper} or --pepper-file (a random secret of at least 16 characters, the same on every replica)`);
  const portText = pick(flags.port, 'port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) problems.push(`--port ${portText}: not a TCP port (0-65535)`);
  const rateText = pick(flags.rateLimit, 'rateLimit');
  const defaultRateLimit = rateText === undefined ? undefined : parseRateLimit(rateText);
  if (rateText !== undefined && !defaultRateLimit) problems.push(`--rate-limit ${rateText}: write requests/window, e.g. 10000/1h`);
  const bodyText = pick(flags.bodyLimit, 'bodyLimit');
  const bodyLimitBytes = bodyText === undefined ? undefined : Number(bodyText);
  if (bodyText !== undefined && !Number.isInteger(bodyLimitBytes)) problems.push(`--body-limit ${bodyText}: not a number of bytes`);
  const timeoutText = pick(flags.requestTimeout, 'requestTimeout');
  const requestTimeoutMs = timeoutText === undefined ? undefined : Number(timeoutText) * 1000;
  if (timeoutText !== undefined && !(Number.isInteger(requestTimeoutMs) && requestTimeoutMs! >= 1000)) problems.push(`--request-timeout ${timeoutText}: a whole number of seconds, at least 1`);
  const proxies = flags.trustedProxy && flags.trustedProxy.length > 0
    ? flags.trustedProxy
    : (env[SERVE_ENV.trustedProxies] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  let scopes: ScopeDefinition[] | undefined;
  const scopesFile = pick(flags.scopesFile, 'scopesFile');
  if (scopesFile !== undefined) {
    const loaded = loadScopes(scopesFile);
    if (typeof loaded === 'string') problems.push(loaded);
    else scopes = loaded;
  }
  if (problems.length > 0) return { problems };
  const options: KeyServiceOptions = {
    pepper: pepper!,
    ...defined('host', pick(flags.host, 'host')),
    ...defined('port', port),
    ...defined('databaseUrl', pick(flags.database, 'database')),
    ...defined('keyPrefix', pick(flags.keyPrefix, 'keyPrefix')),
    ...defined('tlsCertFile', pick(flags.tlsCert, 'tlsCert')),
    ...defined('tlsKeyFile', pick(flags.tlsKey, 'tlsKey')),
    ...defined('defaultRateLimit', defaultRateLimit),
    ...defined('bodyLimitBytes', bodyLimitBytes),
    ...defined('requestTimeoutMs', requestTimeoutMs),
    ...defined('logLevel', pick(flags.logLevel, 'logLevel')),
    ...defined('scopes', scopes),
    trustedProxies: proxies,
  };
  return { options, problems };
}

function defined<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

/** A scope catalog file: YAML or JSON, `scopes: [{name, description}]` or a list of those. */
function loadScopes(file: string): ScopeDefinition[] | string {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    return `--scopes-file ${file}: ${(err as Error).message}`;
  }
  const list = Array.isArray(doc) ? doc : (doc as { scopes?: unknown } | null)?.scopes;
  if (!Array.isArray(list)) return `--scopes-file ${file}: expected a list of {name, description} (or scopes: [...])`;
  const scopes: ScopeDefinition[] = [];
  for (const [i, item] of list.entries()) {
    const name = (item as { name?: unknown })?.name;
    const description = (item as { description?: unknown })?.description ?? '';
    if (typeof name !== 'string' || typeof description !== 'string') return `--scopes-file ${file}: entry ${i} needs a string name (and description)`;
    scopes.push({ name, description });
  }
  return scopes;
}

/** Runs the service until SIGTERM/SIGINT; resolves to the exit code. */
export async function runServe(flags: ServeFlags, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv }): Promise<number> {
  const { options, problems } = serveOptions(flags, io.env);
  if (!options) {
    io.stderr.write(`keywarden serve: ${problems.join('\n  ')}\n`);
    return EXIT_USAGE;
  }
  let service: KeyService;
  try {
    service = await createKeyService({ ...options, logStream: io.stderr, processMetrics: true });
  } catch (err) {
    io.stderr.write(`keywarden serve: cannot start: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (flags.init) {
    try {
      const admin = await bootstrapAdmin({
        store: service.store,
        pepper: options.pepper,
        keyPrefix: service.options.keyPrefix,
        ...(flags.initAccount ? { accountName: flags.initAccount } : {}),
      });
      io.stdout.write(`${admin.secret}\n`);
      service.app.log.info({ accountId: admin.accountId, keyId: admin.keyId, displayPrefix: admin.displayPrefix }, 'created the first account and its admin key (printed once to stdout)');
    } catch (err) {
      if (!(err instanceof AlreadyInitializedError)) {
        await service.close();
        io.stderr.write(`keywarden serve --init: ${(err as Error).message}\n`);
        return EXIT_USAGE;
      }
      service.app.log.warn('--init: the store already has an account; no key created');
    }
  }
  try {
    await service.listen();
  } catch (err) {
    await service.close();
    io.stderr.write(`keywarden serve: cannot listen: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      service.app.log.info({ signal }, 'shutting down');
      service.close().then(resolve, (err: unknown) => {
        service.app.log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  return EXIT_OK;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the key service (HTTP API). Logs JSON lines to stderr.')
    .option('--host <host>', `interface to listen on [${SERVE_ENV.host}] (default 127.0.0.1)`)
    .option('--port <port>', `TCP port, 0 = any free port [${SERVE_ENV.port}] (default 8420)`)
    .option('--database <url>', `sqlite:FILE, FILE, :memory: or postgres://… [${SERVE_ENV.database}] (default sqlite:keywarden.db)`)
    .option('--key-prefix <prefix>', `prefix of issued keys [${SERVE_ENV.keyPrefix}] (default kw)`)
    .option('--pepper-file <file>', `file holding the digest pepper [${SERVE_ENV.pepperFile}; or the pepper itself in ${SERVE_ENV.pepper}]`)
    .option('--tls-cert <file>', `PEM certificate: serve HTTPS [${SERVE_ENV.tlsCert}]`)
    .option('--tls-key <file>', `PEM private key [${SERVE_ENV.tlsKey}]`)
    .option('--trusted-proxy <cidr>', `believe X-Forwarded-For from this peer; repeatable [${SERVE_ENV.trustedProxies}, comma-separated]`, (v: string, prev: string[] = []) => [...prev, v])
    .option('--rate-limit <n/window>', `default per-key rate limit, e.g. 10000/1h [${SERVE_ENV.rateLimit}]`)
    .option('--body-limit <bytes>', `largest request body [${SERVE_ENV.bodyLimit}] (default 16384)`)
    .option('--request-timeout <seconds>', `longest a client may take to send a whole request; slower ones get 408 [${SERVE_ENV.requestTimeout}] (default 30)`)
    .option('--log-level <level>', `fatal|error|warn|info|debug|trace|silent [${SERVE_ENV.logLevel}] (default info)`)
    .option('--scopes-file <file>', `YAML/JSON scope catalog served on /v1/scopes [${SERVE_ENV.scopesFile}]`)
    .option('--init', 'create the first account and admin key if the store has none; print the key once to stdout')
    .option('--init-account <name>', 'account name for --init (default "default")')
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServe(flags, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}
