// The fake Secrets Manager's own semantics, checked through the real SDK against AWS's
// documented behaviour (versions, staging labels, client request tokens, errors).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.js';

const T = (c: string): string => c.repeat(32);

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('the fake Secrets Manager', () => {
  let fake: FakeSecretsManager;
  let sm: SecretsManagerClient;
  let n = 0;
  const fresh = async (): Promise<string> => {
    const name = `fake/${++n}`;
    await sm.send(new CreateSecretCommand({ Name: name }));
    return name;
  };

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
    sm = new SecretsManagerClient(fake.clientConfig());
  });
  afterAll(async () => {
    sm.destroy();
    await fake.stop();
  });

  it('gives a CreateSecret value AWSCURRENT and answers ResourceExistsException for a taken name', async () => {
    const out = await sm.send(new CreateSecretCommand({ Name: 'fake/with-value', SecretString: 'v', ClientRequestToken: T('a') }));
    expect(out.VersionId).toBe(T('a'));
    expect(out.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:fake\/with-value-[A-Za-z0-9]{6}$/);
    expect((await rejection(sm.send(new CreateSecretCommand({ Name: 'fake/with-value' })))).name).toBe('ResourceExistsException');
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: out.ARN! }));
    expect(byArn.SecretString).toBe('v');
  });

  it('moves AWSCURRENT to each new PutSecretValue version and AWSPREVIOUS to the one before', async () => {
    const name = await fresh();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'one', ClientRequestToken: T('1') }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: T('2') }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'three', ClientRequestToken: T('3') }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    // Versions without labels are deprecated and not listed.
    expect(described.VersionIdsToStages).toEqual({ [T('2')]: ['AWSPREVIOUS'], [T('3')]: ['AWSCURRENT'] });
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(all.Versions?.map((v) => [v.VersionId, v.VersionStages])).toEqual([
      [T('1'), []],
      [T('2'), ['AWSPREVIOUS']],
      [T('3'), ['AWSCURRENT']],
    ]);
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }))).Versions).toHaveLength(2);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: T('1') }))).SecretString).toBe('one');
  });

  it('ignores a repeated token with the same data and refuses it with other data', async () => {
    const name = await fresh();
    const first = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 's', ClientRequestToken: T('x') }));
    const again = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 's', ClientRequestToken: T('x') }));
    expect(again.VersionId).toBe(first.VersionId);
    const other = await rejection(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'other', ClientRequestToken: T('x') })));
    expect(other.name).toBe('ResourceExistsException');
    expect(fake.versionStages(name)).toEqual({ [T('x')]: ['AWSCURRENT'] });
  });

  it('attaches only the labels given in VersionStages', async () => {
    const name = await fresh();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'cur', ClientRequestToken: T('c') }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'pend', ClientRequestToken: T('p'), VersionStages: ['AWSPENDING'] }));
    expect(fake.versionStages(name)).toEqual({ [T('c')]: ['AWSCURRENT'], [T('p')]: ['AWSPENDING'] });
    const missing = await rejection(sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
  });

  it('moves labels with UpdateSecretVersionStage under AWS rules', async () => {
    const name = await fresh();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'a', ClientRequestToken: T('a') }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'b', ClientRequestToken: T('b'), VersionStages: ['AWSPENDING'] }));
    // Moving a label that another version holds needs RemoveFromVersionId naming that version.
    const noRemove = await rejection(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: T('b') })));
    expect(noRemove.name).toBe('InvalidParameterException');
    const wrongRemove = await rejection(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: T('b'), RemoveFromVersionId: T('b') })),
    );
    expect(wrongRemove.name).toBe('InvalidParameterException');
    // AWSCURRENT cannot just be removed.
    const removeCurrent = await rejection(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', RemoveFromVersionId: T('a') })));
    expect(removeCurrent.name).toBe('InvalidParameterException');
    const unknown = await rejection(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: T('z'), RemoveFromVersionId: T('a') })));
    expect(unknown.name).toBe('ResourceNotFoundException');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: T('b'), RemoveFromVersionId: T('a') }));
    expect(fake.versionStages(name)).toEqual({ [T('a')]: ['AWSPREVIOUS'], [T('b')]: ['AWSCURRENT', 'AWSPENDING'] });
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: T('b') }));
    // Custom labels move too, and a label may be attached to a version that holds none.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: T('a') }));
    expect(fake.versionStages(name)).toEqual({ [T('a')]: ['AWSPREVIOUS', 'blue'], [T('b')]: ['AWSCURRENT'] });
  });

  it('validates tokens and values as the API does', async () => {
    const name = await fresh();
    const short = await rejection(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 's', ClientRequestToken: 'short' })));
    expect(short.name).toBe('InvalidParameterException');
    const none = await rejection(sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: T('n') })));
    expect(none.name).toBe('InvalidParameterException');
    const missing = await rejection(sm.send(new DescribeSecretCommand({ SecretId: 'fake/never' })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('refuses writes to a secret scheduled for deletion until it is restored', async () => {
    const name = await fresh();
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate).toBeInstanceOf(Date);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeInstanceOf(Date);
    const put = await rejection(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 's' })));
    expect(put.name).toBe('InvalidRequestException');
    expect((await rejection(sm.send(new CreateSecretCommand({ Name: name })))).name).toBe('InvalidRequestException');
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 's' }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect(fake.hasSecret(name)).toBe(false);
  });

  it('injects faults for the next calls of an operation only', async () => {
    const name = await fresh();
    fake.injectFault({ operation: 'GetSecretValue', errorType: 'ThrottlingException', times: 2 });
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 's' }));
    for (let i = 0; i < 2; i++) expect((await rejection(sm.send(new GetSecretValueCommand({ SecretId: name })))).name).toBe('ThrottlingException');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('s');
  });
});
