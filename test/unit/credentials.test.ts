import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsNotFoundError } from '../../src/core/api/errors';
import type { ConfigFileContents } from '../../src/core/configFile';
import {
  aliyunConfigPath,
  CREDENTIAL_SOURCE_DEADLINE_MS,
  aliyunProfileProvider,
  credentialsProblem,
  environmentProvider,
  maskAccessKeyId,
  resolveCredentials,
  type CredentialProvider,
  type ResolvedCredentials,
} from '../../src/core/credentials';


/** C0 and C1 control characters: none may reach a message. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Distinctive enough that finding it anywhere in a message can only mean a leak. */
const SECRET = 'Zq7SECRETvalue9xKw2Lp0';
const TOKEN = 'CAISstsTOKENvalue+ab/cd==';
const KEY_ID = 'LTAI5tExampleKeyId0001';
const HOME = join('/home', 'tester');
const CONFIG_PATH = join(HOME, '.aliyun', 'config.json');

/** A file system holding only the aliyun config file (or nothing). */
function files(config: string | object | undefined): (path: string) => Promise<ConfigFileContents | undefined> {
  return async (path) => {
    if (config === undefined || path !== CONFIG_PATH) {
      return undefined;
    }
    return { text: typeof config === 'string' ? config : JSON.stringify(config), warnings: [] };
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
      assert.deepEqual(found, { credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET }, source: 'environment variables', mode: 'AK' });
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
        readFile: files({ current: 'work', profiles: [profile('default', { access_key_id: 'LTAIdefaultKey0000' }), profile('work')] }),
      }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET });
      assert.match(found?.source ?? '', /aliyun CLI profile "work"/);
      assert.ok(!found?.source.includes(SECRET));
    });

    it('uses the profile named default when the file has no current', async () => {
      const found = await aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ profiles: [profile('other', { access_key_id: 'LTAIotherKey00000' }), profile('default')] }) }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('reads an StsToken profile with its token', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        env: {},
        readFile: files({ current: 'sts', profiles: [profile('sts', { mode: 'StsToken', sts_token: TOKEN })] }),
      }).resolve();
      assert.deepEqual(found?.credentials, { accessKeyId: KEY_ID, accessKeySecret: SECRET, securityToken: TOKEN });
    });

    it('lets --profile override ALIBABA_CLOUD_PROFILE and current', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        profile: 'chosen',
        env: { ALIBABA_CLOUD_PROFILE: 'fromenv' },
        readFile: files({
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
        readFile: files({ current: 'default', profiles: [profile('default', { access_key_id: 'LTAIdefaultKey0000' }), profile('fromenv')] }),
      }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('matches profile names and modes case-insensitively', async () => {
      const found = await aliyunProfileProvider({
        home: HOME,
        profile: 'WORK',
        env: {},
        readFile: files({ profiles: [profile('work', { mode: 'ak' })] }),
      }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('finds the file through HOME when no home is given', async () => {
      const found = await aliyunProfileProvider({ env: { HOME }, readFile: files({ profiles: [profile('default')] }) }).resolve();
      assert.equal(found?.credentials.accessKeyId, KEY_ID);
    });

    it('lists the profiles there are when the one asked for is missing', async () => {
      const error = await rejection(
        aliyunProfileProvider({ home: HOME, profile: 'prod', env: {}, readFile: files({ profiles: [profile('default'), profile('staging')] }) }).resolve(),
      );
      assert.equal(error.message, `Profile "prod" is not in ${CONFIG_PATH} (profiles: default, staging)`);
    });

    it('says "none" when the file has no profiles', async () => {
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ current: '' }) }).resolve());
      assert.match(error.message, /Profile "default" is not in .*\(profiles: none\)/);
    });

    it('refuses a mode the aliyun CLI does not write, listing the ones it does', async () => {
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ profiles: [profile('default', { mode: 'Magic' })] }) }).resolve());
      assert.equal(
        error.message,
        'aliyun CLI profile "default" (Magic): unknown mode; the aliyun CLI writes one of AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI, CloudSSO, OAuth, External',
      );
    });

    it('never lets a RamRoleArn profile without ram_role_arn inherit ALIBABA_CLOUD_ROLE_ARN', async () => {
      const error = await rejection(
        aliyunProfileProvider({
          home: HOME,
          env: { ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/from-env' },
          readFile: files({ profiles: [profile('default', { mode: 'RamRoleArn' })] }),
        }).resolve(),
      );
      assert.equal(error.message, 'aliyun CLI profile "default" (RamRoleArn): ram_role_arn is empty');
    });

    it('refuses a profile with a malformed secret without showing it', async () => {
      const error = await rejection(
        aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ profiles: [profile('default', { access_key_secret: `${SECRET}\t${SECRET}` })] }) }).resolve(),
      );
      assert.match(error.message, /are malformed: the AccessKey secret/);
    });

    it('explains a file that is not valid JSON, without quoting it', async () => {
      const text = `{"profiles":[{"name":"default","mode":"AK","access_key_id":"${KEY_ID}","access_key_secret":"${SECRET}",}]}`;
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readFile: files(text) }).resolve());
      assert.equal(error.message, `${CONFIG_PATH} is not valid JSON`);
    });

    it('explains a file whose JSON is not an object', async () => {
      for (const text of ['null', '42', '"text"']) {
        const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readFile: files(text) }).resolve());
        assert.ok(error.message.includes(CONFIG_PATH), `for ${text}: ${error.message}`);
      }
    });

    it('has nothing when the file does not exist', async () => {
      assert.equal(await aliyunProfileProvider({ home: HOME, env: {}, readFile: files(undefined) }).resolve(), undefined);
    });

    it('complains when a profile was asked for and the file does not exist', async () => {
      const error = await rejection(aliyunProfileProvider({ home: HOME, profile: 'prod', env: {}, readFile: files(undefined) }).resolve());
      assert.equal(error.message, `Profile "prod" was asked for, but ${CONFIG_PATH} does not exist`);
    });

    it('reports a file it cannot read by its error code, without the OS message that repeats the path raw', async () => {
      const readFile = async (): Promise<ConfigFileContents> => {
        throw Object.assign(new Error(`EACCES: permission denied, open '${CONFIG_PATH}'`), { code: 'EACCES' });
      };
      const error = await rejection(aliyunProfileProvider({ home: HOME, env: {}, readFile }).resolve());
      assert.equal(error.message, `Cannot read ${CONFIG_PATH}: EACCES`);
    });

    it('passes the file’s warnings on with the credentials', async () => {
      const warning = `${CONFIG_PATH} is writable by other users (mode 0666); run chmod 600 ${CONFIG_PATH}`;
      const readFile = async (): Promise<ConfigFileContents> => ({ text: JSON.stringify({ profiles: [profile('default')] }), warnings: [warning] });
      const found = await aliyunProfileProvider({ home: HOME, env: {}, readFile }).resolve();
      assert.deepEqual(found?.warnings, [warning]);
    });

    it('escapes control characters in a profile name instead of echoing them', async () => {
      const hostile = 'prod\u001b]0;pwned\u0007\nFAKE LINE';
      const error = await rejection(
        aliyunProfileProvider({ home: HOME, profile: 'prod', env: {}, readFile: files({ profiles: [profile('default'), profile(`x\u009b2J${hostile}`)] }) }).resolve(),
      );
      assert.doesNotMatch(error.message, CONTROL, 'a raw control character in the message');
      assert.ok(error.message.endsWith('(profiles: default, "x\\u009b2Jprod\\u001b]0;pwned\\u0007\\nFAKE LINE")'), error.message);
      const asked = await rejection(aliyunProfileProvider({ home: HOME, profile: hostile, env: {}, readFile: files({ profiles: [] }) }).resolve());
      assert.ok(asked.message.startsWith('Profile "prod\\u001b]0;pwned\\u0007\\nFAKE LINE" is not in'), asked.message);
    });

    it('lists at most 20 profile names from a file that holds thousands', async () => {
      const many = Array.from({ length: 5000 }, (_, i) => profile(`p${i}`));
      const error = await rejection(aliyunProfileProvider({ home: HOME, profile: 'prod', env: {}, readFile: files({ profiles: many }) }).resolve());
      assert.match(error.message, /\(profiles: p0, p1, .*, p19 and 4980 more\)$/);
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
        aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ profiles: [profile('default', { access_key_id: 'LTAIprofileKey000' })] }) }),
      ]);
      assert.equal(found.source, 'environment variables');
      assert.equal(found.credentials.accessKeyId, KEY_ID);
    });

    it('falls through to the aliyun profile when the environment has nothing', async () => {
      const found = await resolveCredentials([
        environmentProvider({}),
        aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ profiles: [profile('default')] }) }),
      ]);
      assert.match(found.source, /aliyun CLI profile "default"/);
    });

    it('stops at a provider whose credentials are present but unusable', async () => {
      await rejection(
        resolveCredentials([
          environmentProvider({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }),
          aliyunProfileProvider({ home: HOME, env: {}, readFile: files({ profiles: [profile('default')] }) }),
        ]),
      );
    });

    it('names the environment variables and the profile file when nothing is found', async () => {
      const error = await rejection(
        resolveCredentials([environmentProvider({}), aliyunProfileProvider({ home: HOME, env: {}, readFile: files(undefined) })]),
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

/** Settles like `promise`, or fails the test once `ms` have passed (so a regression fails instead of hanging). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `did not settle within ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Gives a FIFO a writer that closes at once, so a read stuck on it (a regression) ends and mocha can exit. */
function unstick(fifo: string): void {
  try {
    closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
  } catch {
    // ENXIO: nobody is reading it, which is the point.
  }
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('credentials from a real ~/.aliyun/config.json (temp HOME)', () => {
  let home: string;
  let path: string;
  const fifos: string[] = [];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'dts-cred-'));
    mkdirSync(join(home, '.aliyun'), { mode: 0o700 });
    path = aliyunConfigPath(home);
  });

  afterEach(() => {
    fifos.splice(0).forEach(unstick);
    rmSync(home, { recursive: true, force: true });
  });

  const provider = (): CredentialProvider => aliyunProfileProvider({ home, env: {} });
  const validConfig = (extra: Record<string, unknown> = {}): string => JSON.stringify({ current: 'default', profiles: [profile('default')], ...extra });

  it('refuses a FIFO at once, without waiting for a writer, and says what it is', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    execFileSync('mkfifo', [path]);
    fifos.push(path);
    const started = Date.now();
    const error = await rejection(within(resolveCredentials([environmentProvider({}), provider()]), 2000));
    assert.equal(error.message, `${path} is not a regular file but a named pipe (FIFO); it was not read`);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  it('refuses a symlink to /dev/zero without reading it', async function () {
    if (!existsSync('/dev/zero')) {
      this.skip();
    }
    symlinkSync('/dev/zero', path);
    const error = await rejection(within(provider().resolve(), 2000));
    assert.equal(error.message, `${path} is not a regular file but a character device; it was not read`);
  });

  it('refuses a 2 MiB file, even one holding a valid profile, without quoting it', async () => {
    const padded = validConfig({ padding: 'x'.repeat(2 * 1024 * 1024) });
    writeFileSync(path, padded, { mode: 0o600 });
    const error = await rejection(provider().resolve());
    assert.equal(error.message, `${path} is larger than 1 MiB (2.0 MiB); it was not read`);
  });

  it('follows a symlink to a regular file', async () => {
    const real = join(home, 'real-config.json');
    writeFileSync(real, validConfig(), { mode: 0o600 });
    symlinkSync(real, path);
    const found = await provider().resolve();
    assert.equal(found?.credentials.accessKeyId, KEY_ID);
  });

  it('warns, as ssh does, about a config file other users can write, and still uses it', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    writeFileSync(path, validConfig());
    chmodSync(path, 0o666);
    const found = await resolveCredentials([environmentProvider({}), provider()]);
    assert.equal(found.credentials.accessKeyId, KEY_ID);
    assert.deepEqual(found.warnings, [`${path} is writable by other users (mode 0666); run chmod 600 ${path}`]);
    assert.ok(!found.warnings.some((w) => w.includes(SECRET) || w.includes(KEY_ID)), 'key material in a warning');
  });

  it('has no warnings for a file only its owner can write', async () => {
    writeFileSync(path, validConfig());
    chmodSync(path, 0o600);
    const found = await provider().resolve();
    assert.equal(found?.warnings, undefined);
  });

  it('still has nothing when there is no file', async () => {
    assert.equal(await provider().resolve(), undefined);
  });
});

describe('resolveCredentials deadline', () => {
  const found: ResolvedCredentials = { credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET }, source: 'later source' };

  function never(description: string, calls: string[] = []): CredentialProvider {
    return {
      description,
      resolve: () => {
        calls.push(description);
        return new Promise<never>(() => undefined);
      },
    };
  }

  function recording(description: string, calls: string[]): CredentialProvider {
    return {
      description,
      async resolve() {
        calls.push(description);
        return found;
      },
    };
  }

  it('is 5 s per source by default', () => {
    assert.equal(CREDENTIAL_SOURCE_DEADLINE_MS, 5000);
  });

  it('turns a source that never answers into an error naming it, and does not fall through to the next source', async () => {
    const calls: string[] = [];
    const started = Date.now();
    const error = await rejection(
      within(resolveCredentials([never('the stuck source', calls), recording('later source', calls)], { deadlineMs: 50 }), 2000),
    );
    assert.equal(error.message, 'Credential lookup stopped: the stuck source did not answer within 50 ms; no later source was tried');
    assert.deepEqual(calls, ['the stuck source'], 'a later source was consulted after the timeout');
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  it('says the deadline in seconds and adds the source’s hint', async () => {
    const hung: CredentialProvider = { ...never('the slow source'), deadlineHint: 'is the disk asleep?' };
    const error = await rejection(within(resolveCredentials([hung], { deadlineMs: 1000 }), 3000));
    assert.equal(error.message, 'Credential lookup stopped: the slow source did not answer within 1 s (is the disk asleep?); no later source was tried');
  });

  it('applies the deadline to every source, not to the chain as a whole', async () => {
    const calls: string[] = [];
    const slowMiss: CredentialProvider = {
      description: 'slow but answering',
      resolve: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 60)),
    };
    const slowHit: CredentialProvider = {
      description: 'later source',
      resolve: () => new Promise((resolve) => setTimeout(() => (calls.push('later source'), resolve(found)), 60)),
    };
    const result = await within(resolveCredentials([slowMiss, slowHit], { deadlineMs: 100 }), 2000);
    assert.equal(result.source, 'later source');
  });

  it('leaves no timer behind, whether a source answers, fails or hangs', async () => {
    // Mocha arms its own timeout timer just after the test starts: count from after that.
    await new Promise((resolve) => setImmediate(resolve));
    const before = activeTimers();
    await resolveCredentials([recording('quick', [])], { deadlineMs: 60_000 });
    assert.equal(activeTimers(), before, 'a timer outlived an answered lookup');
    const failing: CredentialProvider = { description: 'broken', resolve: () => Promise.reject(new CredentialsNotFoundError('broken source')) };
    await rejection(resolveCredentials([failing], { deadlineMs: 60_000 }));
    assert.equal(activeTimers(), before, 'a timer outlived a failed lookup');
    await rejection(resolveCredentials([never('hung')], { deadlineMs: 20 }));
    assert.equal(activeTimers(), before, 'a timer outlived a timed-out lookup');
  });

  it('does not let a source that fails after its deadline become an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      const late: CredentialProvider = {
        description: 'late failure',
        resolve: () => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('too late')), 40)),
      };
      await rejection(resolveCredentials([late], { deadlineMs: 10 }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('refuses a deadline setTimeout cannot honour', async () => {
    for (const deadlineMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await assert.rejects(resolveCredentials([recording('x', [])], { deadlineMs }), RangeError, `deadlineMs ${deadlineMs}`);
    }
  });
});
