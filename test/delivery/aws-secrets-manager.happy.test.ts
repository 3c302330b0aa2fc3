import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AwsSecretsManagerDestination, deliver, versionToken } from '../../src/delivery/index.js';
import { V1, V2, V3 , useFakeSecretsManager } from './fixtures.js';

const t = (id: string): string => versionToken(id)!;

describe('AWS Secrets Manager delivery through the real SDK', () => {
  const sm = useFakeSecretsManager('app');
  const destination = sm.destination;

  it('creates the secret on first delivery and makes the version AWSCURRENT', async () => {
    const d = destination();
    await deliver(d, V1);
    const name = sm.lastName;
    expect(sm.fake.versionStages(name)).toEqual({ [t('ver_1')]: ['AWSCURRENT'] });
    const value = await sm.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(value.SecretString).toBe(V1.secret);
    expect(value.VersionId).toBe(t('ver_1'));
    expect(await d.current()).toBe('ver_1');
    expect(await d.state()).toEqual({ current: 'ver_1' });
  });

  it('treats a repeated delivery of the same version as a no-op', async () => {
    const d = destination();
    await deliver(d, V1);
    const before = sm.fake.calls.filter((c) => c.operation === 'PutSecretValue').length;
    await deliver(d, V1);
    await d.stage(V1);
    await d.promote('ver_1');
    expect(sm.fake.versionStages(sm.lastName)).toEqual({ [t('ver_1')]: ['AWSCURRENT'] });
    // Each repeated stage still sends PutSecretValue with the same token, which AWS ignores.
    expect(sm.fake.calls.filter((c) => c.operation === 'PutSecretValue').length).toBe(before + 2);
  });

  it('stages as AWSPENDING, promotes to AWSCURRENT and moves AWSPREVIOUS as AWS rotation does', async () => {
    const d = destination();
    const name = sm.lastName;
    await deliver(d, V1);
    await d.stage(V2);
    expect(sm.fake.versionStages(name)).toEqual({ [t('ver_1')]: ['AWSCURRENT'], [t('ver_2')]: ['AWSPENDING'] });
    expect(await d.state()).toEqual({ current: 'ver_1', pending: 'ver_2' });
    const pending = await sm.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }));
    expect(pending.SecretString).toBe(V2.secret);

    await d.promote('ver_2');
    expect(sm.fake.versionStages(name)).toEqual({ [t('ver_1')]: ['AWSPREVIOUS'], [t('ver_2')]: ['AWSCURRENT'] });
    expect(await d.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });

    await d.stage(V3);
    await d.promote('ver_3');
    expect(sm.fake.versionStages(name)).toEqual({
      [t('ver_1')]: [],
      [t('ver_2')]: ['AWSPREVIOUS'],
      [t('ver_3')]: ['AWSCURRENT'],
    });
    const current = await sm.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current.SecretString).toBe(V3.secret);
  });

  it('repeats each rotation step safely', async () => {
    const d = destination();
    const name = sm.lastName;
    await deliver(d, V1);
    await d.stage(V2);
    await d.stage(V2);
    await d.promote('ver_2');
    await d.promote('ver_2');
    await d.stage(V2);
    expect(sm.fake.versionStages(name)).toEqual({ [t('ver_1')]: ['AWSPREVIOUS'], [t('ver_2')]: ['AWSCURRENT'] });
  });

  it('discards a staged version: AWSPENDING removed, AWSCURRENT untouched', async () => {
    const d = destination();
    const name = sm.lastName;
    await deliver(d, V1);
    await d.stage(V2);
    await d.discard('ver_2');
    await d.discard('ver_2');
    expect(sm.fake.versionStages(name)).toEqual({ [t('ver_1')]: ['AWSCURRENT'], [t('ver_2')]: [] });
    expect(await d.state()).toEqual({ current: 'ver_1' });
    // Staging it again after a rollback re-attaches AWSPENDING.
    await d.stage(V2);
    expect(sm.fake.versionStages(name)[t('ver_2')]).toEqual(['AWSPENDING']);
  });

  it('staging a newer version takes AWSPENDING from an older staged one', async () => {
    const d = destination();
    const name = sm.lastName;
    await deliver(d, V1);
    await d.stage(V2);
    await d.stage(V3);
    expect(sm.fake.versionStages(name)).toEqual({ [t('ver_1')]: ['AWSCURRENT'], [t('ver_2')]: [], [t('ver_3')]: ['AWSPENDING'] });
  });

  it('uses UUID version ids as the ClientRequestToken unchanged', async () => {
    const d = destination();
    const id = '6f1c2a7e-3b7d-4f0e-9a43-1d2c3b4a5e6f';
    await deliver(d, { keyId: 'k', versionId: id, secret: 'kw_test_UuidVersionSecret' });
    expect(Object.keys(sm.fake.versionStages(sm.lastName))).toEqual([id]);
    expect(await d.current()).toBe(id);
  });

  it('delivers into a secret that already exists and tags the secrets it creates', async () => {
    const d = destination({ createIfMissing: true });
    await deliver(d, V1);
    const created = sm.fake.calls.find((c) => c.operation === 'CreateSecret' && c.input.Name === sm.lastName);
    expect(created?.input.Tags).toEqual([
      { Key: 'managed-by', Value: 'keywarden' },
      { Key: 'keywarden-key-id', Value: 'key_1' },
    ]);
    // A secret created beforehand (as the cdktf stack does) is used as it is.
    const existing = new AwsSecretsManagerDestination({ secretId: sm.lastName, client: sm.client, createIfMissing: false });
    await deliver(existing, V2);
    expect(await existing.state()).toEqual({ current: 'ver_2', previous: 'ver_1' });
  });

  it('reports no current version for a missing secret', async () => {
    const d = destination();
    expect(await d.current()).toBeUndefined();
    expect(await d.state()).toEqual({});
  });
});
