// The typed client of the key service's HTTP API. Talks HTTP only; the wire types come from
// the service's schemas by `import type` (no runtime dependency on the server).
import type {
  ApiKey,
  ApiKeyVersion,
  AuditEventView,
  CreateKeyRequest,
  CreateKeyResponse,
  ListAuditResponse,
  ListKeysResponse,
  ListVersionsResponse,
  PromoteVersionRequest,
  PromoteVersionResponse,
  RotateKeyRequest,
  RotateKeyResponse,
  ScopeCatalogResponse,
  UpdateKeyRequest,
  VerifyRequest,
  VerifyResponse,
  WhoamiResponse,
} from '../keyservice/api-types.js';
import type { RetryOptions } from './retry-policy.js';
import type { TlsOptions } from './tls-options.js';
import { newIdempotencyKey, Transport } from './transport.js';

export interface KeywardenClientOptions {
  /** Base URL of the key service, e.g. `https://keys.example.com`. */
  readonly endpoint: string;
  /** The admin (or any) key the client authenticates with; not needed for health and verify. */
  readonly apiKey?: string;
  /** Per-attempt timeout, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  /** Retries on 429 (all requests), 503 and network errors (idempotent requests). @default { retries: 2, baseDelayMs: 100, maxDelayMs: 5000, maxRetryAfterMs: 30000 } */
  readonly retry?: RetryOptions;
  /** TLS: private CA, or skip verification in development. @default system CAs, verified */
  readonly tls?: TlsOptions;
  /** @default `keywarden-client/0.1` */
  readonly userAgent?: string;
}

/** A key as read, with the ETag to send as If-Match on the next change. */
export type KeyWithEtag = ApiKey & { readonly etag: string };

/** Filters and paging of `listKeys` (every given filter must match). */
export interface ListKeysOptions {
  /** Exact name: the account's key of that name that is not revoked (0 or 1 item). */
  readonly name?: string;
  readonly environment?: string;
  readonly integration?: string;
  readonly service?: string;
  readonly status?: ApiKey['status'];
  /** Page size. @default the service's default page size */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** Filters and paging of `listAudit` (every given filter must match). */
export interface ListAuditOptions {
  readonly action?: string;
  readonly keyId?: string;
  readonly actorKeyId?: string;
  readonly outcome?: AuditEventView['outcome'];
  /** Events at or after this time. */
  readonly since?: Date | string;
  /** Events strictly before this time. */
  readonly until?: Date | string;
  /** Every account's events (needs accounts:admin). @default false */
  readonly allAccounts?: boolean;
  /** Page size. @default the service's default page size */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A page with the cursor of the next one (null on the last). */
export interface PageOf<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface UpdateKeyOptions {
  /**
   * Only apply when the key is still at this ETag (from getKey/updateKey) or revision;
   * a stale one fails with 412 precondition_failed. @default unconditional
   */
  readonly ifMatch?: string | number;
}

export interface RevokeKeyOptions {
  /** As in UpdateKeyOptions. @default unconditional */
  readonly ifMatch?: string | number;
}

export interface RotateKeyOptions extends RotateKeyRequest {
  /**
   * De-duplicates retries: the service answers a repeated rotation with the version the first
   * one created (`replayed: true`, no secret). @default a fresh UUID per call, reused by its retries
   */
  readonly idempotencyKey?: string;
}

/** Options of `promoteVersion`: how long the older versions stay valid from now (`24h` by default, `0s` revokes them at once). */
export type PromoteVersionOptions = PromoteVersionRequest;

export type HealthStatus = { readonly status: string };

export class KeywardenClient {
  private readonly transport: Transport;

  constructor(options: KeywardenClientOptions) {
    this.transport = new Transport(options);
  }

  /** The endpoint the client talks to. */
  get endpoint(): string {
    return this.transport.endpoint.href;
  }

  /** Releases connections held for custom TLS settings. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Creates a key; the answer carries its secret, this once. Not retried on 503 (it is not idempotent). */
  async createKey(input: CreateKeyRequest): Promise<CreateKeyResponse & { readonly etag: string }> {
    const res = await this.transport.request<CreateKeyResponse>({ method: 'POST', path: '/v1/keys', body: input, idempotent: false });
    return { ...res.body, etag: res.headers.get('etag') ?? etagOfRevision(res.body.key.revision) };
  }

  /** One page of the account's keys (secrets are never listed). */
  async listKeys(options: ListKeysOptions = {}): Promise<PageOf<ApiKey>> {
    const res = await this.transport.request<ListKeysResponse>({
      method: 'GET',
      path: '/v1/keys',
      query: { ...options },
      idempotent: true,
    });
    return res.body;
  }

  /** Every key matching the filters, page after page. */
  async *iterateKeys(options: Omit<ListKeysOptions, 'cursor'> = {}): AsyncGenerator<ApiKey, void, undefined> {
    let cursor: string | null | undefined;
    do {
      const page = await this.listKeys({ ...options, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** The key by id; 404 not_found when it does not exist in the caller's account. */
  async getKey(id: string): Promise<KeyWithEtag> {
    const res = await this.transport.request<ApiKey>({ method: 'GET', path: `/v1/keys/${seg(id)}`, idempotent: true });
    return withEtag(res.body, res.headers);
  }

  /** The account's key with this name that is not revoked, or undefined (one indexed lookup, then a read for the ETag). */
  async getKeyByName(name: string): Promise<KeyWithEtag | undefined> {
    const page = await this.listKeys({ name, limit: 1 });
    const found = page.items.find((k) => k.name === name);
    return found ? this.getKey(found.id) : undefined;
  }

  /** Changes fields of a key (PATCH). With `ifMatch`, fails with 412 when someone changed it since. */
  async updateKey(id: string, patch: UpdateKeyRequest, options: UpdateKeyOptions = {}): Promise<KeyWithEtag> {
    const res = await this.transport.request<ApiKey>({
      method: 'PATCH',
      path: `/v1/keys/${seg(id)}`,
      body: patch,
      headers: ifMatchHeader(options.ifMatch),
      // A conditional update cannot apply twice (the retry would see a new revision).
      idempotent: options.ifMatch !== undefined,
    });
    return withEtag(res.body, res.headers);
  }

  /** Revokes a key and all its secrets; the record stays. Repeating it is harmless. */
  async revokeKey(id: string, options: RevokeKeyOptions = {}): Promise<KeyWithEtag> {
    const res = await this.transport.request<ApiKey>({
      method: 'DELETE',
      path: `/v1/keys/${seg(id)}`,
      headers: ifMatchHeader(options.ifMatch),
      idempotent: true,
    });
    return withEtag(res.body, res.headers);
  }

  /**
   * Adds a new secret version; the previous one stays valid for `overlap` (e.g. `24h`). With
   * `promotion: 'deferred'` the new version is valid at once but nothing else changes until
   * `promoteVersion` (a rollback revokes the new version instead).
   * Retried safely with an Idempotency-Key. `secret` is absent when the service replays an
   * earlier rotation made with the same Idempotency-Key (`replayed: true`).
   */
  async rotateKey(id: string, options: RotateKeyOptions = {}): Promise<RotateKeyResponse & { readonly etag: string }> {
    const { idempotencyKey = newIdempotencyKey(), ...body } = options;
    const res = await this.transport.request<RotateKeyResponse>({
      method: 'POST',
      path: `/v1/keys/${seg(id)}/rotate`,
      body,
      headers: { 'idempotency-key': idempotencyKey },
      idempotent: true,
    });
    return { ...res.body, etag: res.headers.get('etag') ?? etagOfRevision(res.body.key.revision) };
  }

  /**
   * Promotes a version made by `rotateKey(id, { promotion: 'deferred' })`: it becomes current and
   * every older, unrevoked version stays valid for `overlap` from now (never longer than an end
   * it already has). Idempotent, so retried: promoting again changes nothing and answers the same.
   * 409 conflict when the version is revoked or older than the current one.
   */
  async promoteVersion(id: string, versionId: string, options: PromoteVersionOptions = {}): Promise<PromoteVersionResponse & { readonly etag: string }> {
    const res = await this.transport.request<PromoteVersionResponse>({
      method: 'POST',
      path: `/v1/keys/${seg(id)}/versions/${seg(versionId)}/promote`,
      body: options,
      idempotent: true,
    });
    return { ...res.body, etag: res.headers.get('etag') ?? etagOfRevision(res.body.key.revision) };
  }

  /** The key's secret versions, newest first (never the secrets). */
  async listVersions(id: string): Promise<readonly ApiKeyVersion[]> {
    const res = await this.transport.request<ListVersionsResponse>({
      method: 'GET',
      path: `/v1/keys/${seg(id)}/versions`,
      idempotent: true,
    });
    return res.body.items;
  }

  /** Revokes one secret version of a key. */
  async revokeVersion(id: string, versionId: string): Promise<ApiKeyVersion> {
    const res = await this.transport.request<ApiKeyVersion>({
      method: 'DELETE',
      path: `/v1/keys/${seg(id)}/versions/${seg(versionId)}`,
      idempotent: true,
    });
    return res.body;
  }

  /** The calling key: id, account, scopes, mode and rate limit left. The low-risk connectivity check. */
  async whoami(): Promise<WhoamiResponse> {
    return (await this.transport.request<WhoamiResponse>({ method: 'GET', path: '/v1/whoami', idempotent: true })).body;
  }

  /**
   * Is `request.key` valid (for these scopes, from this IP)? Answers `{valid, code, …}`; an
   * invalid key is an answer, not an error. The client's own key is not sent.
   */
  async verify(request: VerifyRequest): Promise<VerifyResponse> {
    const res = await this.transport.request<VerifyResponse>({
      method: 'POST',
      path: '/v1/verify',
      body: request,
      anonymous: true,
      secrets: [request.key],
      // Verify changes nothing but usage counters: safe to repeat.
      idempotent: true,
    });
    return res.body;
  }

  /** One page of the audit log, newest first. */
  async listAudit(options: ListAuditOptions = {}): Promise<PageOf<AuditEventView>> {
    const res = await this.transport.request<ListAuditResponse>({
      method: 'GET',
      path: '/v1/audit',
      query: {
        ...options,
        since: options.since instanceof Date ? options.since.toISOString() : options.since,
        until: options.until instanceof Date ? options.until.toISOString() : options.until,
      },
      idempotent: true,
    });
    return res.body;
  }

  /** Every audit event matching the filters, page after page. */
  async *iterateAudit(options: Omit<ListAuditOptions, 'cursor'> = {}): AsyncGenerator<AuditEventView, void, undefined> {
    let cursor: string | null | undefined;
    do {
      const page = await this.listAudit({ ...options, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** The service's scope catalog. */
  async scopes(): Promise<ScopeCatalogResponse['items']> {
    return (await this.transport.request<ScopeCatalogResponse>({ method: 'GET', path: '/v1/scopes', idempotent: true })).body.items;
  }

  /**
   * `live`: the process answers (/healthz); `ready`: it also reaches its database (/readyz,
   * 503 service_unavailable when not). Sends no key.
   */
  async health(check: 'live' | 'ready' = 'ready'): Promise<HealthStatus> {
    const path = check === 'live' ? '/healthz' : '/readyz';
    return (await this.transport.request<HealthStatus>({ method: 'GET', path, anonymous: true, idempotent: true })).body;
  }
}

function seg(value: string): string {
  if (value.length === 0) throw new TypeError('an id must not be empty');
  return encodeURIComponent(value);
}

function etagOfRevision(revision: number): string {
  return `"${revision}"`;
}

function ifMatchHeader(ifMatch: string | number | undefined): Record<string, string> {
  if (ifMatch === undefined) return {};
  return { 'if-match': typeof ifMatch === 'number' ? etagOfRevision(ifMatch) : ifMatch };
}

function withEtag(key: ApiKey, headers: Headers): KeyWithEtag {
  return { ...key, etag: headers.get('etag') ?? etagOfRevision(key.revision) };
}
