import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecretsManagerDestination, DeliveryError, deliver, versionToken } from '../../src/delivery/index.js';
import { V1, V2, deliveryFailure , useFakeSecretsManager } from './fixtures.js';

describe('AWS Secrets Manager delivery failures', () => {
  const sm = useFakeSecretsManager('err');
  const destination = sm.destination;

  it('refuses the same version id with other data and names the version, not the secret', async () => {
    const d = destination();
    await deliver(d, V1);
    const err = await deliveryFailure(d.stage({ ...V1, secret: 'kw_test_OtherDataSameVersion01' }));
    expect(err.code).toBe('KW_DELIVERY_VERSION_CONFLICT');
    expect(err.upstream).toBe('ResourceExistsException');
    expect(err.message).toContain('ver_1');
    expect(err.message).not.toContain('OtherDataSameVersion');
    expect(sm.fake.secretString(sm.lastName, versionToken('ver_1')!)).toBe(V1.secret);
  });

  it('requires the secret to exist when creation is not allowed', async () => {
    const d = destination({ createIfMissing: false });
    const err = await deliveryFailure(d.stage(V1));
    expect(err.code).toBe('KW_DELIVERY_DESTINATION_MISSING');
    expect(sm.fake.hasSecret(sm.lastName)).toBe(false);
  });

  it('refuses to promote a version that was never staged', async () => {
    const d = destination();
    await deliver(d, V1);
    expect((await deliveryFailure(d.promote('ver_9'))).code).toBe('KW_DELIVERY_VERSION_NOT_STAGED');
  });

  it('refuses to promote a version that was staged and then discarded', async () => {
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    await d.discard('ver_2');
    expect((await deliveryFailure(d.promote('ver_2'))).code).toBe('KW_DELIVERY_VERSION_NOT_STAGED');
    expect(await d.current()).toBe('ver_1');
  });

  it('refuses to discard the current version', async () => {
    const d = destination();
    await deliver(d, V1);
    expect((await deliveryFailure(d.discard('ver_1'))).code).toBe('KW_DELIVERY_DISCARD_CURRENT');
  });

  it('surfaces throttling as a retryable upstream error without the secret', async () => {
    const d = destination();
    await deliver(d, V1);
    sm.fake.injectFault({ operation: 'PutSecretValue', errorType: 'ThrottlingException' });
    const err = await deliveryFailure(d.stage(V2));
    expect(err.code).toBe('KW_DELIVERY_UPSTREAM');
    expect(err.upstream).toBe('ThrottlingException');
    expect(err.retryable).toBe(true);
    expect(`${err.message}\n${err.stack}\n${JSON.stringify(err)}`).not.toContain(V2.secret);
    // The retry of the same step succeeds.
    await d.stage(V2);
    expect(await d.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
  });

  it('makes a retry after a lost reply a no-op (the token makes PutSecretValue idempotent)', async () => {
    const d = destination();
    await deliver(d, V1);
    sm.fake.injectFault({ operation: 'PutSecretValue', errorType: 'InternalServiceError', afterEffect: true });
    const err = await deliveryFailure(d.stage(V2));
    expect(err.retryable).toBe(true);
    await d.stage(V2);
    await d.promote('ver_2');
    expect(Object.keys(sm.fake.versionStages(sm.lastName))).toHaveLength(2);
    expect(await d.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('lets the SDK retry throttled calls when the client allows attempts', async () => {
    const retrying = new SecretsManagerClient({ ...sm.fake.clientConfig(), maxAttempts: 3 });
    try {
      const d = destination({ client: retrying });
      sm.fake.injectFault({ operation: 'DescribeSecret', errorType: 'ThrottlingException', times: 2 });
      await deliver(d, V1);
      expect(await d.current()).toBe('ver_1');
    } finally {
      retrying.destroy();
    }
  });

  it('fails a promotion whose label move is refused, leaving AWSCURRENT where it was', async () => {
    const d = destination();
    await deliver(d, V1);
    await d.stage(V2);
    sm.fake.injectFault({ operation: 'UpdateSecretVersionStage', errorType: 'ThrottlingException' });
    expect((await deliveryFailure(d.promote('ver_2'))).retryable).toBe(true);
    expect(await d.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
    await d.promote('ver_2');
    expect(await d.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('refuses a secret that is scheduled for deletion', async () => {
    const d = destination();
    await deliver(d, V1);
    await sm.client.send(new DeleteSecretCommand({ SecretId: sm.lastName, RecoveryWindowInDays: 7 }));
    expect((await deliveryFailure(d.stage(V2))).code).toBe('KW_DELIVERY_DESTINATION_DELETED');
  });

  it('refuses version ids that cannot become a ClientRequestToken', async () => {
    const d = destination();
    const err = await deliveryFailure(d.stage({ ...V1, versionId: 'x'.repeat(65) }));
    expect(err.code).toBe('KW_DELIVERY_INVALID_VERSION_ID');
  });

  it('refuses an empty secret name', () => {
    expect(() => new AwsSecretsManagerDestination({ secretId: ' ', client: sm.client })).toThrow(DeliveryError);
  });
});
