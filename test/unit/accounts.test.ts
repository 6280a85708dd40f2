import * as assert from 'node:assert/strict';
import { accountMessage, accountsInUse, chainSpecFor, jobsByAccount, knownAccounts, providerChain } from '../../src/core/accounts';
import { CredentialsNotFoundError } from '../../src/core/api/errors';
import type { CredentialProvider, ResolvedCredentials } from '../../src/core/credentials';

const KEY: ResolvedCredentials = { source: 'VS Code SecretStorage (account prod)', credentials: { accessKeyId: 'LTAI5tAccounts0001', accessKeySecret: 'accounts-secret' } };

describe('accounts', () => {
  it('uses the default account for jobs that name none, each account once in the order the jobs first use it', () => {
    const jobs = [{ account: 'staging' }, {}, { account: 'prod' }, { account: 'staging' }];
    assert.deepEqual(accountsInUse(jobs), ['staging', 'default', 'prod']);
    assert.deepEqual(
      [...jobsByAccount(jobs.map((j, i) => ({ ...j, i })))].map(([name, members]) => [name, members.map((m) => m.i)]),
      [['staging', [0, 3]], ['default', [1]], ['prod', [2]]],
    );
  });

  it('counts the default account as in use when there are no jobs, so the welcome view follows its credentials', () => {
    assert.deepEqual(accountsInUse([]), ['default']);
  });

  it('serves the default account with the default chain, a stored name with its key, any other name as a profile', () => {
    const stored = new Set(['default', 'prod']);
    assert.deepEqual(chainSpecFor('default', stored), { kind: 'default' });
    assert.deepEqual(chainSpecFor('default', new Set()), { kind: 'default' }, 'the default chain also without a stored key');
    assert.deepEqual(chainSpecFor('prod', stored), { kind: 'stored', account: 'prod' });
    assert.deepEqual(chainSpecFor('staging', stored), { kind: 'profile', name: 'staging' }, 'a profile needs no SecretStorage entry');
  });

  it('lists the accounts in use first, then the stored ones by name, each once', () => {
    assert.deepEqual(knownAccounts(['staging', 'default'], ['prod', 'default', 'audit']), ['staging', 'default', 'audit', 'prod']);
  });

  it('names the account in an error', () => {
    assert.equal(accountMessage('prod', 'The AccessKey was rejected'), 'Account prod: The AccessKey was rejected');
  });

  describe('a stored key as a chain of its own', () => {
    function provider(answers: (ResolvedCredentials | undefined)[]): CredentialProvider & { calls: number } {
      return {
        calls: 0,
        description: 'VS Code SecretStorage, account prod',
        async resolve() {
          return answers[this.calls++];
        },
      };
    }

    it('answers with the key and asks the storage again only after reset', async () => {
      const p = provider([KEY, KEY]);
      const chain = providerChain(p);
      assert.equal((await chain.resolve()).source, KEY.source);
      await chain.resolve();
      assert.equal(p.calls, 1);
      chain.reset();
      await chain.resolve();
      assert.equal(p.calls, 2);
    });

    it('does not fall through to another source when the key is gone: a not-found error naming the storage', async () => {
      const chain = providerChain(provider([undefined, KEY]));
      await assert.rejects(chain.resolve(), (e: unknown) => e instanceof CredentialsNotFoundError && /SecretStorage, account prod/.test(e.message));
      assert.equal((await chain.resolve()).source, KEY.source, 'a miss is not cached');
    });

    it('gives up on a storage that never answers, within its deadline', async () => {
      const hung: CredentialProvider = { description: 'a locked keyring', resolve: () => new Promise(() => undefined) };
      await assert.rejects(providerChain(hung, 50).resolve(), /a locked keyring did not answer within 50 ms/);
    });
  });
});
