// An in-test AWS Secrets Manager endpoint on loopback, speaking the JSON 1.1 protocol that the
// real @aws-sdk/client-secrets-manager sends (POST /, X-Amz-Target: secretsmanager.<Op>).
// It follows AWS's documented semantics for versions, staging labels and client request
// tokens; it does not check SigV4 signatures, KMS, resource policies, replication or quotas.
// Limits are listed in docs/delivery.md ("What the test doubles cover").
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const ACCOUNT = '123456789012';
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
/** AWS allows 20 staging labels per version and about 100 versions per secret. */
const MAX_LABELS_PER_VERSION = 20;
const MAX_VERSIONS = 100;

export type SecretsManagerErrorType =
  | 'ResourceNotFoundException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'ResourceExistsException'
  | 'ThrottlingException'
  | 'InternalServiceError'
  | 'LimitExceededException'
  | 'UnknownOperationException';

interface StoredVersion {
  readonly versionId: string;
  readonly secretString?: string;
  /** Base64 as sent on the wire. */
  readonly secretBinary?: string;
  readonly stages: Set<string>;
  readonly createdDate: number;
}

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  description?: string;
  kmsKeyId?: string;
  readonly createdDate: number;
  lastChangedDate: number;
  deletedDate?: number;
  tags: Map<string, string>;
  /** Insertion order = creation order. */
  readonly versions: Map<string, StoredVersion>;
}

/** One request as the fake saw it (for assertions on what the client sent; never logged). */
export interface RecordedCall {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly error?: SecretsManagerErrorType;
}

/** A fault to inject: the next `times` calls of `operation` fail with `errorType`. */
export interface InjectedFault {
  readonly operation: string;
  /** How many calls fail. [1] */
  readonly times?: number;
  /** [ThrottlingException] */
  readonly errorType?: SecretsManagerErrorType;
  /** HTTP status of the error. [400, 500 for InternalServiceError] */
  readonly status?: number;
  /** When true the fault applies after the operation took effect (the reply is lost). [false] */
  readonly afterEffect?: boolean;
  /** The error message. ['Injected fault'] */
  readonly message?: string;
}

class AwsError extends Error {
  constructor(
    readonly type: SecretsManagerErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A view of one secret's versions for assertions: version id → staging labels (sorted). */
export type VersionStagesView = Record<string, string[]>;

export class FakeSecretsManager {
  readonly region: string;
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly faults: Array<Required<InjectedFault>> = [];
  private readonly listeners = new Set<(call: RecordedCall) => void>();
  private clock: () => number;

  constructor(options: { region?: string; now?: () => number } = {}) {
    this.region = options.region ?? 'eu-west-1';
    this.clock = options.now ?? Date.now;
  }

  /** Starts listening on 127.0.0.1 and an ephemeral port. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  get endpoint(): string {
    if (this.server === undefined) throw new Error('FakeSecretsManager is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Options for `new SecretsManagerClient(...)` that reach this fake with static fake credentials. */
  clientConfig(): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  } {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-access-key' },
      maxAttempts: 1,
    };
  }

  /**
   * Calls `listener` with every call once the fake has answered it (in order; an effect is done
   * when a call without `error` is reported). Returns the function that unsubscribes.
   */
  subscribe(listener: (call: RecordedCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes the next calls of an operation fail (see InjectedFault). */
  injectFault(fault: InjectedFault): void {
    const errorType = fault.errorType ?? 'ThrottlingException';
    this.faults.push({
      operation: fault.operation,
      times: fault.times ?? 1,
      errorType,
      status: fault.status ?? (errorType === 'InternalServiceError' ? 500 : 400),
      afterEffect: fault.afterEffect ?? false,
      message: fault.message ?? 'Injected fault',
    });
  }

  /** Version id → staging labels of every version (labelled or not), for assertions. */
  versionStages(secretId: string): VersionStagesView {
    const secret = this.find(secretId);
    const view: VersionStagesView = {};
    for (const v of secret.versions.values()) view[v.versionId] = [...v.stages].sort();
    return view;
  }

  /** The SecretString stored under a version (for assertions). */
  secretString(secretId: string, versionId: string): string | undefined {
    return this.find(secretId).versions.get(versionId)?.secretString;
  }

  hasSecret(secretId: string): boolean {
    return this.lookup(secretId) !== undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    let input: Record<string, unknown> = {};
    try {
      if (req.method !== 'POST' || req.url !== '/') {
        throw new AwsError('UnknownOperationException', 'Only POST / is served', 404);
      }
      const contentType = String(req.headers['content-type'] ?? '');
      if (!contentType.startsWith('application/x-amz-json-1.1')) {
        throw new AwsError('InvalidRequestException', `Unsupported content type ${contentType}`);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new AwsError('InvalidRequestException', 'The request body must be a JSON object');
      }
      input = parsed as Record<string, unknown>;
      const fault = this.takeFault(operation);
      if (fault !== undefined && !fault.afterEffect) throw new AwsError(fault.errorType, fault.message, fault.status);
      const output = this.dispatch(operation, input);
      if (fault !== undefined) throw new AwsError(fault.errorType, fault.message, fault.status);
      this.record({ operation, input });
      this.reply(res, 200, output);
    } catch (err) {
      const error =
        err instanceof AwsError
          ? err
          : err instanceof SyntaxError
            ? new AwsError('InvalidRequestException', 'The request body is not valid JSON')
            : new AwsError('InternalServiceError', 'Unexpected failure in the fake', 500);
      this.record({ operation, input, error: error.type });
      res.setHeader('x-amzn-errortype', error.type);
      this.reply(res, error.status, { __type: error.type, message: error.message });
    }
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const listener of this.listeners) listener(call);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  }

  private takeFault(operation: string): (typeof this.faults)[number] | undefined {
    const index = this.faults.findIndex((f) => f.operation === operation);
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    if (fault.times <= 1) this.faults.splice(index, 1);
    else this.faults[index] = { ...fault, times: fault.times - 1 };
    return fault;
  }

  private dispatch(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(input);
      case 'DescribeSecret':
        return this.describeSecret(input);
      case 'GetSecretValue':
        return this.getSecretValue(input);
      case 'PutSecretValue':
        return this.putSecretValue(input);
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(input);
      case 'ListSecretVersionIds':
        return this.listSecretVersionIds(input);
      case 'DeleteSecret':
        return this.deleteSecret(input);
      case 'RestoreSecret':
        return this.restoreSecret(input);
      case 'TagResource':
        return this.tagResource(input);
      case 'UntagResource':
        return this.untagResource(input);
      default:
        throw new AwsError('UnknownOperationException', `The fake does not serve operation ${operation || '(none)'}`);
    }
  }

  // ---- operations -------------------------------------------------------------------------

  private createSecret(input: Record<string, unknown>): unknown {
    const name = requiredString(input, 'Name');
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
      throw new AwsError('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    const existing = this.secrets.get(name);
    if (existing !== undefined) {
      if (existing.deletedDate !== undefined) {
        throw new AwsError('InvalidRequestException', `You can't create this secret because a secret with this name is already scheduled for deletion.`);
      }
      throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const value = secretValue(input);
    const token = optionalToken(input) ?? (value !== undefined ? randomUUID() : undefined);
    const now = this.now();
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${ACCOUNT}:secret:${name}-${randomSuffix()}`,
      createdDate: now,
      lastChangedDate: now,
      tags: new Map(tagList(input).map((t) => [t.Key, t.Value])),
      versions: new Map(),
    };
    if (typeof input.Description === 'string') secret.description = input.Description;
    if (typeof input.KmsKeyId === 'string') secret.kmsKeyId = input.KmsKeyId;
    this.secrets.set(name, secret);
    if (value !== undefined && token !== undefined) {
      secret.versions.set(token, { versionId: token, ...value, stages: new Set([CURRENT]), createdDate: now });
      return { ARN: secret.arn, Name: name, VersionId: token };
    }
    return { ARN: secret.arn, Name: name };
  }

  private describeSecret(input: Record<string, unknown>): unknown {
    const secret = this.find(requiredString(input, 'SecretId'));
    const versionIdsToStages: Record<string, string[]> = {};
    for (const v of secret.versions.values()) if (v.stages.size > 0) versionIdsToStages[v.versionId] = [...v.stages];
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
      RotationEnabled: false,
      CreatedDate: seconds(secret.createdDate),
      LastChangedDate: seconds(secret.lastChangedDate),
      ...(secret.deletedDate !== undefined ? { DeletedDate: seconds(secret.deletedDate) } : {}),
      ...(secret.tags.size > 0 ? { Tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
      VersionIdsToStages: versionIdsToStages,
    };
  }

  private getSecretValue(input: Record<string, unknown>): unknown {
    const secret = this.live(requiredString(input, 'SecretId'));
    const versionId = optionalString(input, 'VersionId');
    const stage = optionalString(input, 'VersionStage') ?? (versionId === undefined ? CURRENT : undefined);
    let version: StoredVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (version !== undefined && stage !== undefined && !version.stages.has(stage)) version = undefined;
    } else {
      version = [...secret.versions.values()].find((v) => v.stages.has(stage!));
    }
    if (version === undefined) {
      const what = [versionId !== undefined ? `VersionId: ${versionId}` : '', stage !== undefined ? `staging label: ${stage}` : '']
        .filter((s) => s !== '')
        .join(' and ');
      throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: [...version.stages],
      CreatedDate: seconds(version.createdDate),
    };
  }

  private putSecretValue(input: Record<string, unknown>): unknown {
    const secret = this.live(requiredString(input, 'SecretId'));
    const value = secretValue(input);
    if (value === undefined) {
      throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    }
    const token = optionalToken(input) ?? randomUUID();
    const stagesInput = input.VersionStages;
    let stages: string[] = [CURRENT];
    if (stagesInput !== undefined) {
      if (!Array.isArray(stagesInput) || stagesInput.some((s) => typeof s !== 'string' || s.length < 1 || s.length > 256)) {
        throw new AwsError('InvalidParameterException', 'VersionStages must be a list of 1 to 256 character labels.');
      }
      stages = [...new Set(stagesInput as string[])];
      if (stages.length > MAX_LABELS_PER_VERSION) {
        throw new AwsError('LimitExceededException', `A version can have at most ${MAX_LABELS_PER_VERSION} staging labels.`);
      }
    }
    const existing = secret.versions.get(token);
    if (existing !== undefined) {
      // Documented idempotency: same token + same value = the request is ignored.
      if (existing.secretString === value.secretString && existing.secretBinary === value.secretBinary) {
        return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...existing.stages] };
      }
      throw new AwsError('ResourceExistsException', `You can't modify an existing version, you can only create a new version.`);
    }
    const now = this.now();
    const version: StoredVersion = { versionId: token, ...value, stages: new Set(), createdDate: now };
    secret.versions.set(token, version);
    for (const stage of stages) this.attach(secret, stage, version);
    secret.lastChangedDate = now;
    this.pruneDeprecated(secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
  }

  private updateSecretVersionStage(input: Record<string, unknown>): unknown {
    const secret = this.live(requiredString(input, 'SecretId'));
    const stage = requiredString(input, 'VersionStage');
    const moveTo = optionalString(input, 'MoveToVersionId');
    const removeFrom = optionalString(input, 'RemoveFromVersionId');
    if (moveTo === undefined && removeFrom === undefined) {
      throw new AwsError('InvalidParameterException', 'You must specify MoveToVersionId, RemoveFromVersionId, or both.');
    }
    for (const id of [moveTo, removeFrom]) {
      if (id !== undefined && !secret.versions.has(id)) {
        throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${id}`);
      }
    }
    const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
    if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
      throw new AwsError(
        'InvalidParameterException',
        `The staging label ${stage} is not attached to version ${removeFrom}; it is attached to ${holder?.versionId ?? 'no version'}.`,
      );
    }
    if (moveTo === undefined) {
      if (stage === CURRENT) {
        throw new AwsError('InvalidParameterException', `You can't remove the staging label AWSCURRENT. Move it to another version instead.`);
      }
      holder!.stages.delete(stage);
    } else if (holder?.versionId !== moveTo) {
      if (holder !== undefined && removeFrom === undefined) {
        throw new AwsError(
          'InvalidParameterException',
          `The staging label ${stage} is currently attached to version ${holder.versionId}, but you have not specified RemoveFromVersionId.`,
        );
      }
      const target = secret.versions.get(moveTo)!;
      if (!target.stages.has(stage) && target.stages.size >= MAX_LABELS_PER_VERSION) {
        throw new AwsError('LimitExceededException', `A version can have at most ${MAX_LABELS_PER_VERSION} staging labels.`);
      }
      this.attach(secret, stage, target);
    }
    secret.lastChangedDate = this.now();
    this.pruneDeprecated(secret);
    return { ARN: secret.arn, Name: secret.name };
  }

  private listSecretVersionIds(input: Record<string, unknown>): unknown {
    const secret = this.live(requiredString(input, 'SecretId'));
    const includeDeprecated = input.IncludeDeprecated === true;
    const versions = [...secret.versions.values()]
      .filter((v) => includeDeprecated || v.stages.size > 0)
      .map((v) => ({ VersionId: v.versionId, VersionStages: [...v.stages], CreatedDate: seconds(v.createdDate) }));
    return { ARN: secret.arn, Name: secret.name, Versions: versions };
  }

  private deleteSecret(input: Record<string, unknown>): unknown {
    const secret = this.find(requiredString(input, 'SecretId'));
    const force = input.ForceDeleteWithoutRecovery === true;
    const window = input.RecoveryWindowInDays;
    if (force && window !== undefined) {
      throw new AwsError('InvalidParameterException', `You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.`);
    }
    if (window !== undefined && (typeof window !== 'number' || window < 7 || window > 30)) {
      throw new AwsError('InvalidParameterException', 'RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    if (force) {
      this.secrets.delete(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(this.now()) };
    }
    if (secret.deletedDate === undefined) secret.deletedDate = this.now();
    const days = typeof window === 'number' ? window : 30;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(secret.deletedDate + days * 86_400_000) };
  }

  private restoreSecret(input: Record<string, unknown>): unknown {
    const secret = this.find(requiredString(input, 'SecretId'));
    delete secret.deletedDate;
    return { ARN: secret.arn, Name: secret.name };
  }

  private tagResource(input: Record<string, unknown>): unknown {
    const secret = this.live(requiredString(input, 'SecretId'));
    for (const tag of tagList(input)) secret.tags.set(tag.Key, tag.Value);
    return {};
  }

  private untagResource(input: Record<string, unknown>): unknown {
    const secret = this.live(requiredString(input, 'SecretId'));
    const keys = input.TagKeys;
    if (!Array.isArray(keys)) throw new AwsError('InvalidParameterException', 'TagKeys must be a list.');
    for (const key of keys) secret.tags.delete(String(key));
    return {};
  }

  // ---- label and lookup rules ---------------------------------------------------------------

  /** Attaches a label, taking it from whichever version held it; AWSPREVIOUS follows AWSCURRENT. */
  private attach(secret: StoredSecret, stage: string, target: StoredVersion): void {
    const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
    if (holder === target) return;
    holder?.stages.delete(stage);
    target.stages.add(stage);
    if (stage === CURRENT && holder !== undefined) {
      for (const v of secret.versions.values()) v.stages.delete(PREVIOUS);
      holder.stages.add(PREVIOUS);
    }
  }

  /** AWS removes the oldest versions without labels once a secret has more than about 100. */
  private pruneDeprecated(secret: StoredSecret): void {
    for (const v of [...secret.versions.values()]) {
      if (secret.versions.size <= MAX_VERSIONS) return;
      if (v.stages.size === 0) secret.versions.delete(v.versionId);
    }
  }

  private lookup(secretId: string): StoredSecret | undefined {
    const byName = this.secrets.get(secretId);
    if (byName !== undefined) return byName;
    for (const secret of this.secrets.values()) {
      // Full ARN, or the ARN without its random six-character suffix (a partial ARN).
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    return undefined;
  }

  private find(secretId: string): StoredSecret {
    const secret = this.lookup(secretId);
    if (secret === undefined) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
    return secret;
  }

  /** A secret that is not scheduled for deletion (most operations refuse deleted secrets). */
  private live(secretId: string): StoredSecret {
    const secret = this.find(secretId);
    if (secret.deletedDate !== undefined) {
      throw new AwsError('InvalidRequestException', `You can't perform this operation on the secret because it was marked for deletion.`);
    }
    return secret;
  }

  private now(): number {
    return this.clock();
  }
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsError('InvalidParameterException', `${field} is required and must be a non-empty string.`);
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AwsError('InvalidParameterException', `${field} must be a string.`);
  return value;
}

function optionalToken(input: Record<string, unknown>): string | undefined {
  const token = optionalString(input, 'ClientRequestToken');
  if (token !== undefined && (token.length < 32 || token.length > 64)) {
    throw new AwsError('InvalidParameterException', 'ClientRequestToken must be between 32 and 64 characters long.');
  }
  return token;
}

function secretValue(input: Record<string, unknown>): { secretString?: string; secretBinary?: string } | undefined {
  const s = optionalString(input, 'SecretString');
  const b = optionalString(input, 'SecretBinary');
  if (s !== undefined && b !== undefined) {
    throw new AwsError('InvalidParameterException', 'You can specify either SecretString or SecretBinary, but not both.');
  }
  if (s !== undefined) return { secretString: s };
  if (b !== undefined) return { secretBinary: b };
  return undefined;
}

function tagList(input: Record<string, unknown>): Array<{ Key: string; Value: string }> {
  const tags = input.Tags;
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw new AwsError('InvalidParameterException', 'Tags must be a list.');
  return tags.map((t: unknown) => {
    const tag = t as { Key?: unknown; Value?: unknown };
    if (typeof tag.Key !== 'string' || typeof tag.Value !== 'string') {
      throw new AwsError('InvalidParameterException', 'Every tag needs a string Key and Value.');
    }
    return { Key: tag.Key, Value: tag.Value };
  });
}

function seconds(ms: number): number {
  return ms / 1000;
}

function randomSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Starts a fake Secrets Manager; stop it with `await fake.stop()`. */
export async function startFakeSecretsManager(options: { region?: string; now?: () => number } = {}): Promise<FakeSecretsManager> {
  return new FakeSecretsManager(options).start();
}
