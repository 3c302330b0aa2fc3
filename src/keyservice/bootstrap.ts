// Creating the first account and its admin key (`keywarden serve --init`,
// `keywarden keys bootstrap`). The secret is returned once; only its digest is stored.
import { digestKey, displayPrefix, generateKey, validatePrefix } from './key-format.js';
import type { KeyMode } from './key-format.js';
import { DEFAULTS } from './options.js';
import { MANAGEMENT_SCOPES } from './scopes.js';
import { openStore } from './store/index.js';
import type { KeyStore } from './store/store.js';

export interface BootstrapOptions {
  /** Store URL (same forms as KeyServiceOptions.databaseUrl). Ignored when `store` is given. */
  readonly databaseUrl?: string;
  /** An open store to use instead of opening `databaseUrl` (it is not closed). */
  readonly store?: KeyStore;
  /** The deployment's pepper — must be the one the service runs with, or the key never verifies. */
  readonly pepper: string;
  /** @default 'kw' */
  readonly keyPrefix?: string;
  /** @default 'default' */
  readonly accountName?: string;
  /** @default 'admin' */
  readonly keyName?: string;
  /** @default 'live' */
  readonly mode?: KeyMode;
  /** Create another account even when the store already has one. @default false */
  readonly force?: boolean;
  /**
   * Add the admin key to this existing account instead of creating an account (`force` and
   * `accountName` are then irrelevant); an unknown account throws UnknownAccountError.
   * @default a new account
   */
  readonly accountId?: string;
  /** The admin key's expiry, epoch ms (e.g. a key for one run that must lapse even if the run is killed). @default never */
  readonly expiresAt?: number;
}

export interface BootstrapResult {
  readonly accountId: string;
  readonly keyId: string;
  /** The admin key's secret: show it once, never log it. */
  readonly secret: string;
  readonly displayPrefix: string;
}

/** Thrown (only) when the store already has an account and `force` is not set. */
export class AlreadyInitializedError extends Error {
  readonly code = 'already_initialized';
  constructor() {
    super('the key store already has an account: bootstrap runs once (pass force to create another account)');
    this.name = 'AlreadyInitializedError';
  }
}

/** Thrown when `accountId` names no account of the store. */
export class UnknownAccountError extends Error {
  readonly code = 'unknown_account';
  constructor(accountId: string) {
    super(`no account ${accountId} in the key store`);
    this.name = 'UnknownAccountError';
  }
}

/** Creates an account (or takes `accountId`) and an admin key holding every management scope. */
export async function bootstrapAdmin(options: BootstrapOptions): Promise<BootstrapResult> {
  const keyPrefix = options.keyPrefix ?? DEFAULTS.keyPrefix;
  const problems = validatePrefix(keyPrefix);
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  if (typeof options.pepper !== 'string' || options.pepper.length < 16) {
    throw new TypeError('pepper: set a server pepper of at least 16 characters');
  }
  const store = options.store ?? (await openStore({ url: options.databaseUrl ?? DEFAULTS.databaseUrl }));
  try {
    let account;
    if (options.accountId !== undefined) {
      account = await store.getAccount(options.accountId);
      if (!account) throw new UnknownAccountError(options.accountId);
    } else {
      if (!options.force) {
        const existing = await store.listAccounts({ limit: 1 });
        if (existing.items.length > 0) throw new AlreadyInitializedError();
      }
      account = await store.createAccount(options.accountName ?? 'default');
    }
    const mode = options.mode ?? 'live';
    const secret = generateKey(keyPrefix, mode);
    const prefix = displayPrefix(secret);
    const created = await store.createKey(
      {
        accountId: account.id,
        name: options.keyName ?? 'admin',
        environment: 'admin',
        mode,
        scopes: MANAGEMENT_SCOPES.map((s) => s.name),
        expiresAt: options.expiresAt ?? null,
      },
      { digest: digestKey(secret, options.pepper), displayPrefix: prefix },
    );
    if (typeof created === 'string') throw new Error(`could not create the admin key: ${created}`);
    await store.appendAudit({
      accountId: account.id,
      action: options.accountId !== undefined ? 'admin_key.issued' : 'account.bootstrap',
      actorKeyId: null,
      keyId: created.key.id,
      ip: null,
      requestId: null,
      outcome: 'success',
      details: { accountName: account.name, keyName: created.key.name, displayPrefix: prefix, expiresAt: options.expiresAt ?? null },
    });
    return { accountId: account.id, keyId: created.key.id, secret, displayPrefix: prefix };
  } finally {
    if (!options.store) await store.close();
  }
}
