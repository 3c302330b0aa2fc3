import { afterEach, describe, expect, it } from '@jest/globals';
import { bootstrapAdmin, UnknownAccountError } from '../../src/keyservice/index.js';
import { openStore, type KeyStore } from '../../src/keyservice/store/index.js';

const PEPPER = 'test-pepper-0123456789abcdef';

describe('bootstrapAdmin into an existing account', () => {
  let store: KeyStore | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('adds an expiring admin key to the given account without creating one, and audits it as admin_key.issued', async () => {
    store = await openStore({ url: ':memory:' });
    const first = await bootstrapAdmin({ store, pepper: PEPPER });
    const expiresAt = Date.now() + 3_600_000;
    const run = await bootstrapAdmin({ store, pepper: PEPPER, accountId: first.accountId, keyName: 'run-key', expiresAt });
    expect(run.accountId).toBe(first.accountId);
    expect((await store.listAccounts()).items).toHaveLength(1);
    const key = await store.getKey(first.accountId, run.keyId);
    expect(key).toMatchObject({ name: 'run-key', expiresAt, environment: 'admin' });
    expect(key?.scopes).toEqual(expect.arrayContaining(['keys:write', 'keys:rotate']));
    const audit = await store.listAudit(first.accountId, { action: 'admin_key.issued' });
    expect(audit.items).toHaveLength(1);
    expect(JSON.stringify(audit.items)).not.toContain(run.secret);
  });

  it('refuses an account that does not exist', async () => {
    store = await openStore({ url: ':memory:' });
    await expect(bootstrapAdmin({ store, pepper: PEPPER, accountId: 'acct_nope' })).rejects.toBeInstanceOf(UnknownAccountError);
    expect((await store.listAccounts()).items).toHaveLength(0);
  });
});
