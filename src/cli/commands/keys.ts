// `keywarden keys create|list|get|update|rotate|promote|revoke|verify|bootstrap`: thin glue over the
// key service client. Endpoint and admin key come from --endpoint/--api-key or
// KEYWARDEN_ENDPOINT/KEYWARDEN_API_KEY. Human tables on a terminal, JSON with --json.
// A new secret (create, rotate, bootstrap) goes to stdout alone on a line (or in the JSON),
// with a note on stderr that it will not be shown again. Exit codes: 0 ok; 1 the service
// refused the request (4xx) or verify found the key invalid; 2 usage errors, an unreachable
// or failing service (network, 5xx).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { KeywardenApiError, KeywardenClient } from '../../client/index.js';
import type { ApiKey, ApiKeyVersion, CreateKeyRequest, UpdateKeyRequest } from '../../client/index.js';
import { AlreadyInitializedError, bootstrapAdmin } from '../../keyservice/index.js';
import { CliError } from '../errors.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../main.js';
import { serveOptions } from './serve.js';

/** Environment variables of the keys commands. */
export const KEYS_ENV = {
  endpoint: 'KEYWARDEN_ENDPOINT',
  apiKey: 'KEYWARDEN_API_KEY',
  caFile: 'KEYWARDEN_CA_FILE',
} as const;

/** Where the commands read and write; process streams in production, buffers in tests. */
export interface KeysIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** Reads standard input to the end (for `keys verify -`). */
  readonly readStdin: () => string;
  /** Records the command's exit code. */
  readonly setExitCode: (code: number) => void;
}

interface ConnectionFlags {
  endpoint?: string;
  apiKey?: string;
  caFile?: string;
  insecure?: boolean;
  timeout?: string;
  json?: boolean;
}

const NEW_SECRET_NOTE = 'This secret is shown once and never again: store it now (e.g. in your secret manager).';

function processIo(): KeysIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readStdin: () => readFileSync(0, 'utf8'),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** The client for these flags; throws a CliError when endpoint or key is missing. */
function clientFor(flags: ConnectionFlags, io: KeysIo, needsKey = true): KeywardenClient {
  const endpoint = flags.endpoint ?? io.env[KEYS_ENV.endpoint];
  if (!endpoint) throw new CliError('missingEndpoint', `no endpoint given (--endpoint or ${KEYS_ENV.endpoint})`);
  const apiKey = flags.apiKey ?? io.env[KEYS_ENV.apiKey];
  if (needsKey && !apiKey) throw new CliError('missingApiKey', `no API key given (${KEYS_ENV.apiKey} or --api-key)`);
  const timeoutMs = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new CliError('badFlagValue', `--timeout ${flags.timeout}: give a positive number of milliseconds`);
  }
  const caFile = flags.caFile ?? io.env[KEYS_ENV.caFile];
  try {
    return new KeywardenClient({
      endpoint,
      ...(apiKey ? { apiKey } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(caFile || flags.insecure ? { tls: { ...(caFile ? { caFile } : {}), insecureSkipVerify: flags.insecure === true } } : {}),
    });
  } catch (err) {
    throw new CliError('badEndpoint', `--endpoint ${endpoint}: ${(err as Error).message}`);
  }
}

/** Runs one command body, mapping failures onto exit codes and stderr. */
async function guarded(io: KeysIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`keywarden keys: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof KeywardenApiError) {
      io.stderr.write(`keywarden keys: ${err.message}\n`);
      return err.status >= 400 && err.status < 500 ? EXIT_FINDINGS : EXIT_USAGE;
    }
    if (err instanceof Error && 'code' in err && (err as { code?: string }).code === 'ENOENT') {
      io.stderr.write(`keywarden keys: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

// ---- flag parsing -------------------------------------------------------------------------

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `k=v` pairs into an object; numbers and booleans stay strings unless `typed`. */
function pairs(list: readonly string[] | undefined, flag: string, typed: boolean): Record<string, string | number | boolean> | undefined {
  if (!list) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError('badFlagValue', `${flag} ${item}: write name=value`);
    const name = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    out[name] = typed && raw === 'true' ? true : typed && raw === 'false' ? false : typed && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `100/1m` → { requests: 100, windowSeconds: 60 }; `none` → null (the service default). */
export function parseKeyRateLimit(text: string): { requests: number; windowSeconds: number } | null {
  if (text === 'none' || text === 'default') return null;
  const m = /^(\d{1,10})\/(\d{0,7})([smhd])$/.exec(text.trim());
  if (!m) throw new CliError('badFlagValue', `--rate-limit ${text}: write requests/window, e.g. 10000/1h, or "default"`);
  return { requests: Number(m[1]), windowSeconds: (m[2] === '' ? 1 : Number(m[2])) * UNIT_SECONDS[m[3]!]! };
}

/** An ISO date-time, `never` (null), or a duration from now such as `90d`. */
export function parseExpiry(text: string, now: number = Date.now()): string | null {
  if (text === 'never') return null;
  const m = /^(\d{1,7})([smhd])$/.exec(text);
  if (m) return new Date(now + Number(m[1]) * UNIT_SECONDS[m[2]!]! * 1000).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new CliError('badFlagValue', `--expires ${text}: give an ISO date-time, a duration such as 90d, or "never"`);
  return new Date(t).toISOString();
}

interface KeyFieldFlags {
  name?: string;
  environment?: string;
  integration?: string;
  service?: string;
  scope?: string[];
  cidr?: string[];
  limit?: string[];
  metadata?: string[];
  rateLimit?: string;
  expires?: string;
  enabled?: boolean;
}

function keyFields(flags: KeyFieldFlags): UpdateKeyRequest {
  const limits = pairs(flags.limit, '--limit', true);
  const metadata = pairs(flags.metadata, '--metadata', false);
  return {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
    ...(flags.integration !== undefined ? { integration: flags.integration === 'none' ? null : flags.integration } : {}),
    ...(flags.service !== undefined ? { service: flags.service === 'none' ? null : flags.service } : {}),
    ...(flags.scope !== undefined ? { scopes: flags.scope } : {}),
    ...(flags.cidr !== undefined ? { allowedCidrs: flags.cidr } : {}),
    ...(limits !== undefined ? { limits } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(flags.rateLimit !== undefined ? { rateLimit: parseKeyRateLimit(flags.rateLimit) } : {}),
    ...(flags.expires !== undefined ? { expiresAt: parseExpiry(flags.expires) } : {}),
    ...(flags.enabled !== undefined ? { enabled: flags.enabled } : {}),
  };
}

// ---- output -------------------------------------------------------------------------------

function json(io: KeysIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain text table: header row, then one row per item, columns padded to their widest cell. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const when = (iso: string | null): string => (iso === null ? '-' : iso.replace(/\.\d{3}Z$/, 'Z'));

function keyRows(keys: readonly ApiKey[]): string {
  return renderTable(
    ['ID', 'NAME', 'ENVIRONMENT', 'MODE', 'STATUS', 'PREFIX', 'SCOPES', 'LAST USED'],
    keys.map((k) => [k.id, k.name, k.environment, k.mode, k.status, k.displayPrefix, k.scopes.join(',') || '-', when(k.lastUsedAt)]),
  );
}

function keyDetails(k: ApiKey & { etag?: string }): string {
  const rl = k.rateLimit ? `${k.rateLimit.requests} per ${k.rateLimit.windowSeconds}s` : 'service default';
  const rows: Array<[string, string]> = [
    ['id', k.id],
    ['name', k.name],
    ['account', k.account],
    ['environment', k.environment],
    ['integration', k.integration ?? '-'],
    ['service', k.service ?? '-'],
    ['mode', k.mode],
    ['status', k.status],
    ['enabled', String(k.enabled)],
    ['secret', `${k.displayPrefix}… (${k.secret})`],
    ['scopes', k.scopes.join(', ') || '-'],
    ['allowed CIDRs', k.allowedCidrs.join(', ') || 'any address'],
    ['limits', Object.entries(k.limits).map(([n, v]) => `${n}=${String(v)}`).join(', ') || '-'],
    ['rate limit', rl],
    ['expires', when(k.expiresAt)],
    ['metadata', Object.keys(k.metadata).length > 0 ? JSON.stringify(k.metadata) : '-'],
    ['created', when(k.createdAt)],
    ['updated', when(k.updatedAt)],
    ['revoked', when(k.revokedAt)],
    ['last used', when(k.lastUsedAt)],
    ['uses', String(k.usageCount)],
    ['revision', k.etag ?? String(k.revision)],
  ];
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, v]) => `${n.padEnd(width)}  ${v}`).join('\n') + '\n';
}

function versionRows(versions: readonly ApiKeyVersion[]): string {
  return renderTable(
    ['VERSION', 'ID', 'PREFIX', 'STATUS', 'CREATED', 'VALID UNTIL', 'REVOKED'],
    versions.map((v) => [String(v.number), v.id, v.displayPrefix, v.status, when(v.createdAt), when(v.overlapUntil), when(v.revokedAt)]),
  );
}

/** Prints a new secret: alone on stdout (or inside the JSON), the note on stderr. */
function printSecret(io: KeysIo, flags: ConnectionFlags, secret: string, summary: string, payload: unknown): void {
  if (flags.json) json(io, payload);
  else io.stdout.write(`${secret}\n`);
  io.stderr.write(`${summary}\n${NEW_SECRET_NOTE}\n`);
}

/** `key_…` ids are looked up by id, anything else by name. */
async function resolveKey(client: KeywardenClient, ref: string): Promise<ApiKey & { etag: string }> {
  if (ref.startsWith('key_')) return client.getKey(ref);
  const key = await client.getKeyByName(ref);
  if (!key) throw new KeywardenApiError({ status: 404, code: 'not_found', message: `no key named "${ref}" in this account`, method: 'GET', path: '/v1/keys', attempts: 1 });
  return key;
}

// ---- commands -----------------------------------------------------------------------------

function withConnection(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', `key service URL [${KEYS_ENV.endpoint}]`)
    .option('--api-key <key>', `admin key [${KEYS_ENV.apiKey}; prefer the variable: flags are visible to other users]`)
    .option('--ca-file <file>', `PEM CA that signed the service's certificate [${KEYS_ENV.caFile}]`)
    .option('--insecure', 'skip TLS certificate verification (development only)')
    .option('--timeout <ms>', 'per-request timeout in milliseconds (default 10000)')
    .option('--json', 'print JSON instead of tables');
}

function withKeyFields(cmd: Command, creating: boolean): Command {
  return cmd
    .option('--integration <name>', 'the calling integration (e.g. order-bot)' + (creating ? '' : '; "none" clears it'))
    .option('--service <name>', 'the API the key is for (e.g. billing)' + (creating ? '' : '; "none" clears it'))
    .option('--scope <scope>', 'granted scope; repeatable' + (creating ? '' : ' (replaces the list)'), collect)
    .option('--cidr <cidr>', 'allowed source network; repeatable' + (creating ? '' : ' (replaces the list)'), collect)
    .option('--limit <name=value>', 'typed limit such as max_payout=55.00; repeatable' + (creating ? '' : ' (replaces the set)'), collect)
    .option('--metadata <name=value>', 'metadata entry; repeatable' + (creating ? '' : ' (replaces the set)'), collect)
    .option('--rate-limit <n/window>', 'per-key rate limit such as 100/1m, or "default"')
    .option('--expires <when>', 'ISO date-time, duration from now (90d), or "never"');
}

export function register(program: Command, io: KeysIo = processIo()): void {
  const keys = program.command('keys').description('Manage keys in a running key service (create, list, get, update, rotate, promote, revoke, verify, bootstrap).');
  const done = io.setExitCode;

  withKeyFields(withConnection(keys.command('create <name>').description('Create a key; prints its secret once')), true)
    .requiredOption('--environment <env>', 'environment the key is for (e.g. production)')
    .addOption(new Option('--mode <mode>', 'live or test').choices(['live', 'test']).default('live'))
    .option('--disabled', 'create it disabled')
    .action(async (name: string, flags: ConnectionFlags & KeyFieldFlags & { mode: 'live' | 'test'; disabled?: boolean }) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io);
          const body = { ...keyFields({ ...flags, name }), mode: flags.mode, ...(flags.disabled ? { enabled: false } : {}) } as CreateKeyRequest;
          const created = await client.createKey(body);
          printSecret(io, flags, created.secret, `Created ${created.key.id} (${created.key.name}, ${created.key.displayPrefix}…).`, created);
          return EXIT_OK;
        }),
      );
    });

  withConnection(keys.command('list').description('List keys (never their secrets)'))
    .option('--environment <env>', 'only this environment')
    .option('--integration <name>', 'only this integration')
    .option('--service <name>', 'only this service')
    .addOption(new Option('--status <status>', 'only keys in this status').choices(['active', 'disabled', 'expired', 'revoked']))
    .option('--page-size <n>', 'keys per request (default: the service default)')
    .action(async (flags: ConnectionFlags & { environment?: string; integration?: string; service?: string; status?: 'active' | 'disabled' | 'expired' | 'revoked'; pageSize?: string }) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io);
          const limit = flags.pageSize === undefined ? undefined : Number(flags.pageSize);
          if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new CliError('badFlagValue', `--page-size ${flags.pageSize}: give a positive integer`);
          const all: ApiKey[] = [];
          for await (const key of client.iterateKeys({
            ...(flags.environment ? { environment: flags.environment } : {}),
            ...(flags.integration ? { integration: flags.integration } : {}),
            ...(flags.service ? { service: flags.service } : {}),
            ...(flags.status ? { status: flags.status } : {}),
            ...(limit ? { limit } : {}),
          })) {
            all.push(key);
          }
          if (flags.json) json(io, all);
          else if (all.length === 0) io.stderr.write('No keys match.\n');
          else io.stdout.write(keyRows(all));
          return EXIT_OK;
        }),
      );
    });

  withConnection(keys.command('get <key>').description('Show one key (by id key_… or by name) and its versions'))
    .action(async (ref: string, flags: ConnectionFlags) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io);
          const key = await resolveKey(client, ref);
          const versions = await client.listVersions(key.id);
          if (flags.json) json(io, { ...key, versions });
          else io.stdout.write(`${keyDetails(key)}\n${versionRows(versions)}`);
          return EXIT_OK;
        }),
      );
    });

  withKeyFields(withConnection(keys.command('update <key>').description('Change fields of a key (by id or name)')), false)
    .option('--name <name>', 'new name')
    .option('--environment <env>', 'new environment')
    .option('--enable', 'enable the key')
    .option('--disable', 'disable the key (reversible, unlike revoke)')
    .option('--if-match <etag>', 'only if the key is still at this ETag/revision (from get); default: the revision just read')
    .action(async (ref: string, flags: ConnectionFlags & KeyFieldFlags & { enable?: boolean; disable?: boolean; ifMatch?: string }) => {
      done(
        await guarded(io, async () => {
          if (flags.enable && flags.disable) throw new CliError('conflictingFlags', '--enable and --disable were both given');
          const patch = keyFields({ ...flags, ...(flags.enable ? { enabled: true } : flags.disable ? { enabled: false } : {}) });
          if (Object.keys(patch).length === 0) throw new CliError('nothingToChange', 'no field flag was given');
          const client = clientFor(flags, io);
          const current = await resolveKey(client, ref);
          const updated = await client.updateKey(current.id, patch, { ifMatch: flags.ifMatch ?? current.etag });
          if (flags.json) json(io, updated);
          else io.stdout.write(keyDetails(updated));
          return EXIT_OK;
        }),
      );
    });

  withConnection(keys.command('rotate <key>').description('Add a new secret version; prints the new secret once'))
    .option('--overlap <duration>', 'how long the previous secret stays valid, e.g. 24h; 0s revokes it at once (default: the service default)')
    .option('--idempotency-key <value>', 'repeat a rotation safely: the same value returns the same version')
    .option('--deferred', 'both secrets stay valid, with no expiry, until `keys promote` (a rollback revokes the new version instead)')
    .action(async (ref: string, flags: ConnectionFlags & { overlap?: string; idempotencyKey?: string; deferred?: boolean }) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io);
          const id = (await resolveKey(client, ref)).id;
          const rotated = await client.rotateKey(id, {
            ...(flags.overlap ? { overlap: flags.overlap } : {}),
            ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
            ...(flags.deferred ? { promotion: 'deferred' as const } : {}),
          });
          if (rotated.secret === undefined) {
            // A replay of an earlier rotation: its secret was shown then and cannot be shown again.
            if (flags.json) json(io, rotated);
            io.stderr.write(`This Idempotency-Key already rotated ${id} to version ${rotated.version.number} (${rotated.version.displayPrefix}…); its secret was shown then and cannot be shown again.\n`);
            return EXIT_OK;
          }
          printSecret(io, flags, rotated.secret, `Rotated ${id} to version ${rotated.version.number} (${rotated.version.displayPrefix}…).`, rotated);
          return EXIT_OK;
        }),
      );
    });

  withConnection(keys.command('promote <key> <versionId>').description('Make a version from `rotate --deferred` current; older secrets stay valid for --overlap'))
    .option('--overlap <duration>', 'how long the older secrets stay valid from now, e.g. 24h; 0s revokes them at once (default 24h)')
    .action(async (ref: string, versionId: string, flags: ConnectionFlags & { overlap?: string }) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io);
          const id = (await resolveKey(client, ref)).id;
          const promoted = await client.promoteVersion(id, versionId, flags.overlap ? { overlap: flags.overlap } : {});
          if (flags.json) json(io, promoted);
          else io.stdout.write(versionRows([promoted.version, ...promoted.previous]));
          return EXIT_OK;
        }),
      );
    });

  withConnection(keys.command('revoke <key>').description('Revoke a key and all its secrets (the record stays), or one version with --version'))
    .option('--version <versionId>', 'revoke only this secret version (kver_…)')
    .action(async (ref: string, flags: ConnectionFlags & { version?: string }) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io);
          const id = (await resolveKey(client, ref)).id;
          if (flags.version) {
            const version = await client.revokeVersion(id, flags.version);
            if (flags.json) json(io, version);
            else io.stdout.write(versionRows([version]));
            return EXIT_OK;
          }
          const key = await client.revokeKey(id);
          if (flags.json) json(io, key);
          else io.stdout.write(keyDetails(key));
          return EXIT_OK;
        }),
      );
    });

  withConnection(keys.command('verify [key]').description('Check a key with the service; reads it from stdin when the argument is absent or "-" (safer than an argument). Exit 1 when invalid.'))
    .option('--scope <scope>', 'scope the key must hold; repeatable', collect)
    .option('--ip <address>', 'the address the key is used from')
    .action(async (keyArg: string | undefined, flags: ConnectionFlags & { scope?: string[]; ip?: string }) => {
      done(
        await guarded(io, async () => {
          const client = clientFor(flags, io, false);
          const key = (keyArg === undefined || keyArg === '-' ? io.readStdin() : keyArg).trim();
          if (key.length === 0) throw new CliError('noKeyGiven', 'no key to verify');
          const result = await client.verify({ key, ...(flags.scope ? { requiredScopes: flags.scope } : {}), ...(flags.ip ? { ip: flags.ip } : {}) });
          if (flags.json) json(io, result);
          else if (result.valid) {
            const rl = result.ratelimit ? `, ${result.ratelimit.remaining}/${result.ratelimit.limit} requests left` : '';
            io.stdout.write(`valid: ${result.keyId} (${result.environment}, ${result.mode}), scopes ${result.scopes?.join(', ') || '-'}${rl}\n`);
          } else {
            const missing = result.missingScopes?.length ? ` (missing ${result.missingScopes.join(', ')})` : '';
            io.stdout.write(`invalid: ${result.code}${missing}\n`);
          }
          return result.valid ? EXIT_OK : EXIT_FINDINGS;
        }),
      );
    });

  keys
    .command('bootstrap')
    .description('Create the first account and its admin key directly in the database; prints the key once')
    .option('--database <url>', 'sqlite:FILE, FILE or postgres://… [KEYWARDEN_DATABASE_URL] (default sqlite:keywarden.db)')
    .option('--pepper-file <file>', 'file holding the pepper the service runs with [KEYWARDEN_PEPPER_FILE; or KEYWARDEN_PEPPER]')
    .option('--key-prefix <prefix>', 'prefix of issued keys, as the service is configured [KEYWARDEN_KEY_PREFIX]')
    .option('--account <name>', 'account name (default "default")')
    .option('--key-name <name>', 'admin key name (default "admin")')
    .addOption(new Option('--mode <mode>', 'live or test').choices(['live', 'test']).default('live'))
    .option('--force', 'create another account even if the database has one')
    .option('--json', 'print JSON')
    .action(async (flags: { database?: string; pepperFile?: string; keyPrefix?: string; account?: string; keyName?: string; mode: 'live' | 'test'; force?: boolean; json?: boolean }) => {
      done(
        await guarded(io, async () => {
          // The same flag/environment resolution as `keywarden serve`, so the digest matches.
          const { options, problems } = serveOptions(
            { ...(flags.database ? { database: flags.database } : {}), ...(flags.pepperFile ? { pepperFile: flags.pepperFile } : {}), ...(flags.keyPrefix ? { keyPrefix: flags.keyPrefix } : {}) },
            io.env,
          );
          if (!options) throw new CliError('badServiceConfig', problems.join('; '));
          let admin;
          try {
            admin = await bootstrapAdmin({
              ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
              pepper: options.pepper,
              ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
              ...(flags.account ? { accountName: flags.account } : {}),
              ...(flags.keyName ? { keyName: flags.keyName } : {}),
              mode: flags.mode,
              force: flags.force === true,
            });
          } catch (err) {
            if (err instanceof AlreadyInitializedError) throw new CliError('bootstrapRefused', err.message);
            throw new CliError('bootstrapRefused', (err as Error).message);
          }
          printSecret(io, flags, admin.secret, `Created account ${admin.accountId} and admin key ${admin.keyId} (${admin.displayPrefix}…).`, admin);
          return EXIT_OK;
        }),
      );
    });
}
