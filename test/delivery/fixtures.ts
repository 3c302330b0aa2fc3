// Shared by the delivery tests: three versions of one key, a helper that expects a DeliveryError,
// and the set-up of an in-test Secrets Manager with destinations on fresh secret names.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecretsManagerDestination } from '../../src/delivery/index.js';
import { DeliveryError } from '../../src/delivery/errors.js';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.js';

export const V1 = { keyId: 'key_1', versionId: 'ver_1', secret: 'kw_test_FirstSecretValue0001' };
export const V2 = { keyId: 'key_1', versionId: 'ver_2', secret: 'kw_test_SecondSecretValue0002' };
export const V3 = { keyId: 'key_1', versionId: 'ver_3', secret: 'kw_test_ThirdSecretValue00003' };

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Awaits a call that must fail with a DeliveryError and returns the error. */
export async function deliveryFailure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected the call to fail');
}

export interface SecretsManagerFixture {
  readonly fake: FakeSecretsManager;
  readonly client: SecretsManagerClient;
  /** The secret name the last `destination()` call used. */
  readonly lastName: string;
  /** A destination on a fresh secret `<prefix>/secret-<n>`. */
  destination(options?: { createIfMissing?: boolean; client?: SecretsManagerClient }): AwsSecretsManagerDestination;
}

/** Starts an in-test Secrets Manager (and an SDK client for it) around the describe block it is called in. */
export function useFakeSecretsManager(prefix: string): SecretsManagerFixture {
  let n = 0;
  const fixture = {
    fake: undefined as unknown as FakeSecretsManager,
    client: undefined as unknown as SecretsManagerClient,
    get lastName(): string {
      return `${prefix}/secret-${n}`;
    },
    destination(options: { createIfMissing?: boolean; client?: SecretsManagerClient } = {}): AwsSecretsManagerDestination {
      n += 1;
      return new AwsSecretsManagerDestination({ secretId: `${prefix}/secret-${n}`, client: fixture.client, region: fixture.fake.region, ...options });
    },
  };
  beforeAll(async () => {
    fixture.fake = await startFakeSecretsManager();
    fixture.client = new SecretsManagerClient(fixture.fake.clientConfig());
  });
  afterAll(async () => {
    fixture.client.destroy();
    await fixture.fake.stop();
  });
  return fixture;
}
