import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CredentialsNotFoundError } from '../../src/core/api/errors';
import {
  aliyunConfigPath,
  aliyunProfileProvider,
  credentialsProblem,
  environmentProvider,
  maskAccessKeyId,
  resolveCredentials,
  type CredentialProvider,
  type ResolvedCredentials,
} from '../../src/core/credentials';

/** Distinctive enough that finding it anywhere in a message can only mean a leak. */
const SECRET = 'Zq7SECRETvalue9xKw2Lp0';
const TOKEN = 'CAISstsTOKENvalue+ab/cd==';
const KEY_ID = 'LTAI5tExampleKeyId0001';
const HOME = join('/home', 'tester');
const CONFIG_PATH = join(HOME, '.aliyun', 'config.json');

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

/** A file system holding only the aliyun config file (or nothing). */
function files(config: string | object | undefined): (path: string) => Promise<string> {
  return async (path) => {
    if (config === undefined || path !== CONFIG_PATH) {
      throw enoent(path);
    }
    return typeof config === 'string' ? config : JSON.stringify(config);
  };
}

function profile(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, mode: 'AK', access_key_id: KEY_ID, access_key_secret: SECRET, sts_token: '', region_id: 'cn-hangzhou', ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<CredentialsNotFoundError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof CredentialsNotFoundError, `expected a CredentialsNotFoundError, got ${String(e)}`);
    assert.ok(!e.message.includes(SECRET), `the secret leaked into: ${e.message}`);
    assert.ok(!e.message.includes(TOKEN), `the STS token leaked into: ${e.message}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('credentials', () => {
  describe('environmentProvider', () => {
    it('reads the AccessKey pair from ALIBABA_CLOUD_* variables', async () => {
      const found = await environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }).resolve();
      assert.deepEqual(found, { credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET }, source: 'environment variables' });
    });

    it('adds the STS token from ALIBABA_CLOUD_SECURITY_TOKEN', async () => {
      const found = await environmentProvider({
        ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
        ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN,
      }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN });
    });

    it('trims whitespace pasted around the values', async () => {
      const found = await environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: ` ${KEY_ID}\n`, ALIBABA_CLOUD_ACCESS_KEY_SECRET: `${SECRET} ` }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET });
    });

    it('falls back to the aliyun CLI’s older ALICLOUD_* variables', async () => {
      const found = await environmentProvider({ ALICLOUD_ACCESS_KEY_ID: KEY_ID, ALICLOUD_ACCESS_KEY_SECRET: SECRET }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET });
    });

    it('prefers ALIBABA_CLOUD_* over ALICLOUD_*', async () => {
      const found = await environmentProvider({
        ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
        ALICLOUD_ACCESS_KEY_ID: 'LTAIolderKeyId9999',
        ALICLOUD_ACCESS_KEY_SECRET: 'olderSecret',
      }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('has nothing when neither variable is set (or both are blank)', async () => {
      assert.equal(await environmentProvider({}).resolve(), undefined);
      assert.equal(await environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: ' ', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' }).resolve(), undefined);
    });

    it('names the missing secret variable when only the ID is set', async () => {
      const error = await rejection(environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID }).resolve());
      assert.match(error.message, /ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set/);
    });

    it('names the missing ID variable when only the secret is set, without showing the secret', async () => {
      const error = await rejection(environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }).resolve());
      assert.match(error.message, /ALIBABA_CLOUD_ACCESS_KEY_ID is not set/);
    });

    it('refuses a malformed secret without showing it', async () => {
      const error = await rejection(
        environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: `${SECRET} ${SECRET}` }).resolve(),
      );
      assert.match(error.message, /environment variables are malformed: the AccessKey secret must be printable ASCII without spaces/);
    });

    it('refuses a malformed AccessKey ID', async () => {
      const error = await rejection(environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LT AI', ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }).resolve());
      assert.match(error.message, /the AccessKey ID must be 4-128 letters/);
    });

    it('refuses a malformed STS token without showing it', async () => {
      const error = await rejection(
        environmentProvider({
          ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
          ALIBABA_CLOUD_SECURITY_TOKEN: `${TOKEN}\u00e9`,
        }).resolve(),
      );
      assert.match(error.message, /the STS token must be printable ASCII/);
    });
  });

  describe('aliyunProfileProvider', () => {
    it('reads the file under the given home', () => {
      assert.equal(aliyunConfigPath(HOME), CONFIG_PATH);
      assert.equal(aliyunProfileProvider({ home: HOME, env: {} }).description, `the aliyun CLI profile file ${CONFIG_PATH}`);
    });

    it('reads an AK profile named by current', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        env: {},
        readText: files({ current: 'work', profiles: [profile('default', { access_key_id: 'LTAIdefaultKey0000' }), profile('work')] }),
      }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET });
      assert.match(found?.source ?? '', /aliyun CLI profile "work"/);
      assert.ok(!found?.source.includes(SECRET));
    });

    it('uses the profile named default when the file has no current', async () => {
      const found = await aliyunProfileProvider({ home: HOME, env: {}, readText: files({ profiles: [profile('other', { access_key_id: 'LTAIotherKey00000' }), profile('default')] }) }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('reads an StsToken profile with its token', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        env: {},
        readText: files({ current: 'sts', profiles: [profile('sts', { mode: 'StsToken', sts_token: TOKEN })] }),
      }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN });
    });

    it('lets --profile override ALIBABA_CLOUD_PROFILE and current', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        profile: 'chosen',
        env: { ALIBABA_CLOUD_PROFILE: 'fromenv' },
        readText: files({
          current: 'default',
          profiles: [profile('default', { access_key_id: 'LTAIdefaultKey0000' }), profile('fromenv', { access_key_id: 'LTAIfromenvKey0000' }), profile('chosen')],
        }),
      }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('lets ALIBABA_CLOUD_PROFILE override current', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        env: { ALIBABA_CLOUD_PROFILE: 'fromenv' },
        readText: files({ current: 'default', profiles: [profile('default', { access_key_id: 'LTAIdefaultKey0000' }), profile('fromenv')] }),
      }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('matches profile names and modes case-insensitively', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        profile: 'WORK',
        env: {},
        readText: files({ profiles: [profile('work', { mode: 'ak' })] }),
      }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('finds the file through HOME when no home is given', async () => {
      const found = await aliyunProfileProvider({ env: { HOME }, readText: files({ profiles: [profile('default')] }) }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('lists the profiles there are when the one asked for is missing', async () => {
      const error = await rejection(
        aliyunProfileProvider({ home: HOME, profile: 'prod', env: {}, readText: files({ profiles: [profile('default'), profile('staging')] }) }).resolve(),
      );
      assert.equal(error.message, `Profile "prod" is not in ${CONFIG_PATH} (profiles: default, staging)`);
    });

    it('says "none" when the file has no profiles', async () => {
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readText: files({ current: '' }) }).resolve());
      assert.match(error.message, /Profile "default" is not in .*\(profiles: none\)/);
    });

    it('explains that a RamRoleArn profile is not supported, without showing its secret', async () => {
      const error = await rejection(
        aliyunProfileProvider({
          home: HOME,
          env: {},
          readText: files({ profiles: [profile('default', { mode: 'RamRoleArn', ram_role_arn: 'acs:ram::123:role/x' })] }),
        }).resolve(),
      );
      assert.match(error.message, /uses mode RamRoleArn; only AK and StsToken profiles are supported/);
      assert.match(error.message, /ALIBABA_CLOUD_\* environment variables/);
    });

    it('refuses a profile with a malformed secret without showing it', async () => {
      const error = await rejection(
        aliyunProfileProvider({ home: HOME, env: {}, readText: files({ profiles: [profile('default', { access_key_secret: `${SECRET}\t${SECRET}` })] }) }).resolve(),
      );
      assert.match(error.message, /are malformed: the AccessKey secret/);
    });

    it('explains a file that is not valid JSON, without quoting it', async () => {
      const text = `{"profiles":[{"name":"default","mode":"AK","access_key_id":"${KEY_ID}","access_key_secret":"${SECRET}",}]}`;
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readText: files(text) }).resolve());
      assert.equal(error.message, `${CONFIG_PATH} is not valid JSON`);
    });

    it('explains a file whose JSON is not an object', async () => {
      for (const text of ['null', '42', '"text"']) {
        const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readText: files(text) }).resolve());
        assert.ok(error.message.includes(CONFIG_PATH), `for ${text}: ${error.message}`);
      }
    });

    it('has nothing when the file does not exist', async () => {
      assert.equal(await aliyunProfileProvider({ home: HOME, env: {}, readText: files(undefined) }).resolve(), undefined);
    });

    it('complains when a profile was asked for and the file does not exist', async () => {
      const error = await rejection(aliyunProfileProvider({ home: HOME, profile: 'prod', env: {}, readText: files(undefined) }).resolve());
      assert.equal(error.message, `Profile "prod" was asked for, but ${CONFIG_PATH} does not exist`);
    });

    it('reports a file it cannot read', async () => {
      const readText = async (): Promise<string> => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      };
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readText }).resolve());
      assert.equal(error.message, `Cannot read ${CONFIG_PATH}: EACCES: permission denied`);
    });
  });

  describe('resolveCredentials', () => {
    const fixed = (description: string, found: ResolvedCredentials | undefined, calls: string[]): CredentialProvider => ({
      description,
      async resolve() {
        calls.push(description);
        return found;
      },
    });

    it('takes the first provider that has credentials and asks no further', async () => {
      const calls: string[] = [];
      const second: ResolvedCredentials = { credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET }, source: 'second' };
      const found = await resolveCredentials([
        fixed('first', undefined, calls),
        fixed('second', second, calls),
        fixed('third', { credentials: { accessKeyId: 'LTAIthirdKey00000', accessKeySecret: 'x' }, source: 'third' }, calls),
      ]);
      assert.equal(found.source, 'second');
      assert.deepEqual(calls, ['first', 'second']);
    });

    it('prefers the environment over the aliyun profile', async () => {
      const found = await resolveCredentials([
        environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }),
        aliyunProfileProvider({ home: HOME, env: {}, readText: files({ profiles: [profile('default', { access_key_id: 'LTAIprofileKey000' })] }) }),
      ]);
      assert.equal(found.source, 'environment variables');
      assert.equal(found.credentials.accessKeyId, KEY_ID);
    });

    it('falls through to the aliyun profile when the environment has nothing', async () => {
      const found = await resolveCredentials([
        environmentProvider({}),
        aliyunProfileProvider({ home: HOME, env: {}, readText: files({ profiles: [profile('default')] }) }),
      ]);
      assert.match(found.source, /aliyun CLI profile "default"/);
    });

    it('stops at a provider whose credentials are present but unusable', async () => {
      await rejection(
        resolveCredentials([
          environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }),
          aliyunProfileProvider({ home: HOME, env: {}, readText: files({ profiles: [profile('default')] }) }),
        ]),
      );
    });

    it('names the environment variables and the profile file when nothing is found', async () => {
      const error = await rejection(
        resolveCredentials([environmentProvider({}), aliyunProfileProvider({ home: HOME, env: {}, readText: files(undefined) })]),
      );
      assert.match(error.message, /^No Alibaba Cloud credentials found\./);
      assert.match(error.message, /ALIBABA_CLOUD_ACCESS_KEY_ID/);
      assert.match(error.message, /ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
      assert.ok(error.message.includes(CONFIG_PATH), error.message);
      assert.ok(error.message.indexOf('ALIBABA_CLOUD_ACCESS_KEY_ID') < error.message.indexOf(CONFIG_PATH), 'environment first, then the file');
    });
  });

  describe('credentialsProblem', () => {
    it('accepts a well-formed pair', () => {
      assert.equal(credentialsProblem({ accessKeyId: KEY_ID, accessKeySecret: SECRET }), undefined);
      assert.equal(credentialsProblem({ accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN }), undefined);
    });

    it('never quotes the secret it refuses', () => {
      const problem = credentialsProblem({ accessKeyId: KEY_ID, accessKeySecret: `${SECRET} ` });
      assert.ok(problem);
      assert.ok(!problem.includes(SECRET));
    });
  });

  describe('maskAccessKeyId', () => {
    it('keeps the first and last four characters of a long ID', () => {
      assert.equal(maskAccessKeyId('LTAI5tExampleKeyId0001'), 'LTAI****0001');
    });

    it('hides a short ID completely', () => {
      assert.equal(maskAccessKeyId('LTAI123456'), '****');
      assert.equal(maskAccessKeyId(''), '****');
    });

    it('never shows the middle of the ID', () => {
      assert.ok(!maskAccessKeyId('LTAI5tExampleKeyId0001').includes('Example'));
    });
  });
});
