import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { CredentialsNotFoundError } from '../../src/core/api/errors';
import { environmentProvider, resolveCredentials } from '../../src/core/credentials';
import { SecretCredentials, SecretStorageUnavailableError } from '../../src/vscode/secrets';

// The SecretStorage adapter uses VS Code only for types, so it runs here against a fake storage.
class FakeSecretStorage {
  readonly values = new Map<string, string>();
  failWith: Error | undefined;
  /** A keyring that never answers (locked, waiting on a prompt nobody sees). */
  hang = false;
  private readonly listeners: ((e: { key: string }) => void)[] = [];

  get(key: string): Promise<string | undefined> {
    if (this.hang) {
      return new Promise(() => undefined);
    }
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string): Promise<void> {
    if (this.failWith) {
      return Promise.reject(this.failWith);
    }
    this.values.set(key, value);
    this.listeners.forEach((l) => l({ key }));
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.values.delete(key);
    this.listeners.forEach((l) => l({ key }));
    return Promise.resolve();
  }
  onDidChange(listener: (e: { key: string }) => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => undefined };
  }
}

const KEY = { accessKeyId: 'LTAI5tUnitTest0001', accessKeySecret: 'unit-secret-never-shown-4242', securityToken: 'CAIS+tok/en==' };

function make(): { storage: FakeSecretStorage; secrets: SecretCredentials } {
  const storage = new FakeSecretStorage();
  return { storage, secrets: new SecretCredentials(storage as unknown as vscode.SecretStorage) };
}

describe('SecretStorage credentials', () => {
  it('stores ID, secret and STS token as one entry and reads them back', async () => {
    const { storage, secrets } = make();
    await secrets.store(KEY);
    assert.equal(storage.values.size, 1);
    assert.deepEqual(await secrets.get(), KEY);
  });

  it('is the first link of the chain and names its source without the secret', async () => {
    const { secrets } = make();
    await secrets.store(KEY);
    const resolved = await secrets.provider(() => assert.fail('storage works')).resolve();
    assert.equal(resolved?.source, 'VS Code SecretStorage');
    assert.ok(!resolved?.source.includes(KEY.accessKeySecret));
  });

  it('refuses a malformed key without storing it or quoting the secret', async () => {
    const { storage, secrets } = make();
    await assert.rejects(secrets.store({ accessKeyId: 'LTAI5tUnitTest0001', accessKeySecret: 'has a space' }), (e: unknown) => {
      assert.ok(e instanceof CredentialsNotFoundError);
      assert.match(e.message, /printable ASCII without spaces/);
      assert.ok(!e.message.includes('has a space'));
      return true;
    });
    assert.equal(storage.values.size, 0);
  });

  it('says plainly when SecretStorage itself fails and points to the environment and the aliyun profile', async () => {
    const { storage, secrets } = make();
    storage.failWith = new Error('Cannot create an item in a locked collection');
    const reported: SecretStorageUnavailableError[] = [];
    const resolved = await secrets.provider((e) => reported.push(e)).resolve();
    assert.equal(resolved, undefined, 'the chain goes on to the environment and the profile');
    assert.equal(reported.length, 1);
    assert.equal(await secrets.provider((e) => reported.push(e)).resolve(), undefined);
    assert.equal(reported.length, 1, 'said once per session, not on every lookup');
    assert.match(reported[0].message, /could not use its secret storage \(Cannot create an item in a locked collection\)/);
    assert.match(reported[0].message, /ALIBABA_CLOUD_ACCESS_KEY_ID/);
    assert.match(reported[0].message, /~\/\.aliyun\/config\.json/);
    await assert.rejects(secrets.store(KEY), SecretStorageUnavailableError);
  });

  it('is an error naming SecretStorage when it never answers, and the chain does not go on to the environment', async () => {
    const { storage, secrets } = make();
    storage.hang = true;
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tEnvironment0002', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret-never-shown-4343' };
    let environmentRead = false;
    const environment = environmentProvider(env);
    const chain = [
      secrets.provider(() => assert.fail('a hang is not "unavailable": that would fall through to another account')),
      { description: environment.description, resolve: () => ((environmentRead = true), environment.resolve()) },
    ];
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the lookup hung with SecretStorage')), 2000);
    });
    try {
      await assert.rejects(Promise.race([resolveCredentials(chain, { deadlineMs: 50 }), guard]), (e: unknown) => {
        assert.ok(e instanceof CredentialsNotFoundError, `expected a CredentialsNotFoundError, got ${String(e)}`);
        assert.equal(
          e.message,
          'Credential lookup stopped: VS Code SecretStorage ("DTS: Set AccessKey…") did not answer within 50 ms ' +
            '(the OS keyring may be locked or waiting for its password); no later source was tried',
        );
        return true;
      });
    } finally {
      clearTimeout(timer);
    }
    assert.equal(environmentRead, false, 'the environment was read after SecretStorage timed out');
  });

  it('asks to set the key again when the stored entry is unreadable, without quoting it', async () => {
    const { storage, secrets } = make();
    storage.values.set('dtsSync.credentials', '{"accessKeyId": 42, "accessKeySecret": "leaky-value"}');
    await assert.rejects(secrets.get(), (e: unknown) => {
      assert.ok(e instanceof CredentialsNotFoundError);
      assert.match(e.message, /Set AccessKey/);
      assert.ok(!e.message.includes('leaky-value'));
      return true;
    });
  });

  it('tells its listeners when the stored key changes, and only for its own entry', async () => {
    const { storage, secrets } = make();
    let changes = 0;
    secrets.onDidChange(() => changes++);
    await secrets.store(KEY);
    await storage.store('someone.else', 'x');
    await secrets.clear();
    assert.equal(changes, 2);
    assert.equal(await secrets.get(), undefined);
  });

  describe('named accounts', () => {
    it('stores one entry per account and lists them (the default key first), since SecretStorage cannot list keys', async () => {
      const { secrets } = make();
      assert.deepEqual(await secrets.accounts(), []);
      await secrets.store(KEY, 'prod');
      await secrets.store(KEY);
      await secrets.store(KEY, 'staging');
      assert.deepEqual(await secrets.accounts(), ['default', 'prod', 'staging']);
      assert.deepEqual(await secrets.get('prod'), KEY);
      await secrets.clear('prod');
      assert.deepEqual(await secrets.accounts(), ['default', 'staging']);
      assert.equal(await secrets.get('prod'), undefined);
    });

    it('keeps the key stored by earlier versions as the default account', async () => {
      const { storage, secrets } = make();
      storage.values.set('dtsSync.credentials', JSON.stringify(KEY));
      assert.deepEqual(await secrets.accounts(), ['default']);
      const resolved = await secrets.provider(() => assert.fail('storage works')).resolve();
      assert.equal(resolved?.source, 'VS Code SecretStorage');
    });

    it('names the account in its source, and refuses a name that is not one', async () => {
      const { secrets } = make();
      await secrets.store(KEY, 'prod');
      const resolved = await secrets.provider(() => assert.fail('storage works'), 'prod').resolve();
      assert.equal(resolved?.source, 'VS Code SecretStorage (account prod)');
      await assert.rejects(secrets.store(KEY, 'my prod'), /Not stored: "my prod" is not an account name/);
    });

    it('reads a damaged index as empty, leaving the keys alone', async () => {
      const { storage, secrets } = make();
      storage.values.set('dtsSync.accountIndex', '{not json');
      assert.deepEqual(await secrets.accounts(), []);
    });

    it('tells the controller about a change to any account', async () => {
      const { secrets } = make();
      let changes = 0;
      secrets.onDidChange(() => changes++);
      await secrets.store(KEY, 'prod');
      assert.ok(changes >= 1);
    });
  });
});
