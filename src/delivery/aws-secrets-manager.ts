// Delivery to AWS Secrets Manager, with staging labels moved as AWS's own rotation does:
// stage = PutSecretValue(ClientRequestToken = the version's token, VersionStages = [AWSPENDING]);
// promote = UpdateSecretVersionStage(AWSCURRENT → the version; AWS moves AWSPREVIOUS to the
// old current) and AWSPENDING removed; discard = AWSPENDING removed (the version stays,
// unlabelled, until AWS cleans it up — the key service revokes it anyway).
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { DestinationState, SecretDestination, SecretVersion } from './destination.js';
import { DeliveryError, redact } from './errors.js';
import { versionIdFromToken, versionToken } from './version-token.js';

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';
/** Label moves re-read the secret and try again when another writer moved a label meanwhile. */
const LABEL_ATTEMPTS = 3;

export interface AwsSecretsManagerDestinationOptions {
  /** Secret name or ARN. */
  readonly secretId: string;
  /** The SDK client (its region, endpoint and credentials decide where requests go). */
  readonly client: SecretsManagerClient;
  /** Region shown in the description. [the client's] */
  readonly region?: string;
  /** Create the secret when it does not exist; when false a missing secret is an error (the cdktf stack creates containers). [true] */
  readonly createIfMissing?: boolean;
  /** Tags on a secret this destination creates. [{ 'managed-by': 'keywarden' }] */
  readonly tags?: Readonly<Record<string, string>>;
  /** Description of a secret this destination creates. */
  readonly secretDescription?: string;
}

type Labels = Map<string, string[]>;

export class AwsSecretsManagerDestination implements SecretDestination {
  readonly description: string;
  private readonly options: AwsSecretsManagerDestinationOptions;

  constructor(options: AwsSecretsManagerDestinationOptions) {
    this.options = options;
    this.description = `aws-secrets-manager:${options.secretId}${options.region !== undefined ? ` (${options.region})` : ''}`;
    if (options.secretId.trim() === '') {
      throw new DeliveryError('KW_DELIVERY_INVALID_DESTINATION', this.description, 'The secret name is empty.');
    }
  }

  async stage(version: SecretVersion): Promise<void> {
    const token = this.token(version.versionId);
    await this.ensureSecret(version);
    let stages: string[];
    try {
      const out = await this.options.client.send(
        new PutSecretValueCommand({
          SecretId: this.options.secretId,
          ClientRequestToken: token,
          SecretString: version.secret,
          VersionStages: [PENDING],
        }),
      );
      stages = out.VersionStages ?? [];
    } catch (err) {
      if (errorName(err) === 'ResourceExistsException') {
        throw new DeliveryError('KW_DELIVERY_VERSION_CONFLICT', this.description, `Version ${version.versionId} exists with other data.`, {
          upstream: 'ResourceExistsException',
        });
      }
      throw this.upstream(err, version.secret);
    }
    // A repeated PutSecretValue is ignored by AWS, labels included: re-attach AWSPENDING when
    // the version lost it (discarded earlier) and is not current.
    if (!stages.includes(PENDING) && !stages.includes(CURRENT)) {
      await this.moveLabel(PENDING, token);
    }
  }

  async promote(versionId: string): Promise<void> {
    const token = this.token(versionId);
    let labels = await this.labels();
    const onVersion = labels.get(token) ?? [];
    if (!onVersion.includes(CURRENT)) {
      if (!onVersion.includes(PENDING)) {
        throw new DeliveryError('KW_DELIVERY_VERSION_NOT_STAGED', this.description, `Version ${versionId} is not AWSPENDING.`);
      }
      await this.moveLabel(CURRENT, token, labels);
      labels = await this.labels();
    }
    if (holder(labels, PENDING) === token) await this.removeLabel(PENDING, token);
  }

  async discard(versionId: string): Promise<void> {
    const token = this.token(versionId);
    const labels = await this.labels();
    const onVersion = labels.get(token) ?? [];
    if (onVersion.includes(CURRENT)) {
      throw new DeliveryError('KW_DELIVERY_DISCARD_CURRENT', this.description, `Version ${versionId} is AWSCURRENT.`);
    }
    if (onVersion.includes(PENDING)) await this.removeLabel(PENDING, token);
  }

  async current(): Promise<string | undefined> {
    return (await this.state()).current;
  }

  async state(): Promise<DestinationState> {
    const labels = await this.labels({ missingOk: true });
    const id = (stage: string): string | undefined => {
      const token = holder(labels, stage);
      return token === undefined ? undefined : versionIdFromToken(token);
    };
    const [current, pending, previous] = [id(CURRENT), id(PENDING), id(PREVIOUS)];
    return {
      ...(current !== undefined ? { current } : {}),
      ...(pending !== undefined && pending !== current ? { pending } : {}),
      ...(previous !== undefined ? { previous } : {}),
    };
  }

  /** Version token → staging labels, from DescribeSecret (only labelled versions are listed). */
  private async labels(options: { missingOk?: boolean } = {}): Promise<Labels> {
    try {
      const out = await this.options.client.send(new DescribeSecretCommand({ SecretId: this.options.secretId }));
      if (out.DeletedDate !== undefined) {
        throw new DeliveryError('KW_DELIVERY_DESTINATION_DELETED', this.description);
      }
      return new Map(Object.entries(out.VersionIdsToStages ?? {}));
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      if (errorName(err) === 'ResourceNotFoundException') {
        if (options.missingOk === true) return new Map();
        throw new DeliveryError('KW_DELIVERY_DESTINATION_MISSING', this.description, 'The secret does not exist.', {
          upstream: 'ResourceNotFoundException',
        });
      }
      throw this.upstream(err);
    }
  }

  private async ensureSecret(version: SecretVersion): Promise<void> {
    try {
      await this.labels();
      return;
    } catch (err) {
      if (!(err instanceof DeliveryError) || err.code !== 'KW_DELIVERY_DESTINATION_MISSING' || this.options.createIfMissing === false) {
        throw err;
      }
    }
    const tags = this.options.tags ?? { 'managed-by': 'keywarden' };
    try {
      await this.options.client.send(
        new CreateSecretCommand({
          Name: this.options.secretId,
          ...(this.options.secretDescription !== undefined ? { Description: this.options.secretDescription } : {}),
          Tags: [...Object.entries(tags), ['keywarden-key-id', version.keyId]].map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    } catch (err) {
      // Another writer created it between our DescribeSecret and CreateSecret: fine.
      if (errorName(err) !== 'ResourceExistsException') throw this.upstream(err, version.secret);
    }
  }

  /** Moves a label to `token`, taking it from whichever version holds it. */
  private async moveLabel(stage: string, token: string, known?: Labels): Promise<void> {
    let labels = known ?? (await this.labels());
    for (let attempt = 1; ; attempt++) {
      const from = holder(labels, stage);
      if (from === token) return;
      try {
        await this.options.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: this.options.secretId,
            VersionStage: stage,
            MoveToVersionId: token,
            ...(from !== undefined ? { RemoveFromVersionId: from } : {}),
          }),
        );
        return;
      } catch (err) {
        const name = errorName(err);
        if (name === 'ResourceNotFoundException') {
          throw new DeliveryError('KW_DELIVERY_VERSION_NOT_STAGED', this.description, `Version ${versionIdFromToken(token)} does not exist.`, {
            upstream: name,
          });
        }
        // The label moved under us (another writer): read again and retry.
        if (name !== 'InvalidParameterException' || attempt >= LABEL_ATTEMPTS) throw this.upstream(err);
        labels = await this.labels();
      }
    }
  }

  private async removeLabel(stage: string, token: string): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateSecretVersionStageCommand({ SecretId: this.options.secretId, VersionStage: stage, RemoveFromVersionId: token }),
      );
    } catch (err) {
      // Already removed by a concurrent or earlier call: the goal holds.
      if (errorName(err) === 'InvalidParameterException' && holder(await this.labels(), stage) !== token) return;
      throw this.upstream(err);
    }
  }

  private token(versionId: string): string {
    const token = versionToken(versionId);
    if (token === undefined) {
      throw new DeliveryError(
        'KW_DELIVERY_INVALID_VERSION_ID',
        this.description,
        'Secrets Manager needs a version id of 32–64 characters from [A-Za-z0-9_-], or of at most 29 bytes (encoded).',
      );
    }
    return token;
  }

  private upstream(err: unknown, secret?: string): DeliveryError {
    const name = errorName(err) ?? 'Error';
    const meta = (err as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | null)?.$metadata;
    const status = meta?.httpStatusCode;
    const retryable =
      (err as { $retryable?: unknown } | null)?.$retryable !== undefined ||
      status === undefined ||
      status >= 500 ||
      status === 429 ||
      /Throttl|TooManyRequests|RequestLimitExceeded|InternalServiceError|ServiceUnavailable|TimeoutError|ECONN|EPIPE|socket/i.test(name);
    const message = redact(err instanceof Error ? err.message : String(err), secret);
    return new DeliveryError('KW_DELIVERY_UPSTREAM', this.description, `${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}`, {
      retryable,
      upstream: name,
    });
  }
}

function holder(labels: Labels, stage: string): string | undefined {
  for (const [token, stages] of labels) if (stages.includes(stage)) return token;
  return undefined;
}

function errorName(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { name?: unknown; code?: unknown };
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  return typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : undefined;
}
