/**
 * The bundled CLI (`node dist/cli.js`) with the credential sources the other CLI tests leave out: the OIDC variables
 * and an OIDC profile (the emulator's AssumeRoleWithOIDC), CloudSSO, OAuth (small sign-in servers on 127.0.0.1 here,
 * since the emulator does not play them), External, the credentials file, the ALICLOUD_* / ALIBABACLOUD_* variables,
 * the region variables, and keys that have already expired.
 *
 * Each run gets PATH, HOME (a fresh temp dir) and only the variables the test sets. Each asserts what a user sees:
 * the exit status, the `--json` fields or the one stderr line, which AccessKey ID signed at the emulator, and that no
 * secret, token or refresh token reaches stdout or stderr.
 */
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';
import { runToEnd, type RunResult } from './childProcess';

const CLI = join(resolve(__dirname, '../../..'), 'dist', 'cli.js');
const KILL_AFTER_MS = 15_000;

const SOURCE = { accessKeyId: 'LTAI5tSrcSource0001', accessKeySecret: 'src-Secret-Vb7n2Mq9Lk0001' };
const OTHER = { accessKeyId: 'LTAI5tSrcOther00002', accessKeySecret: 'other-Secret-Tr5e3Wq1Az0002' };
const ENV_STS = { accessKeyId: 'STS.SrcEnvKey0003', accessKeySecret: 'envsts-Secret-Pq8w4Er6Ty0003', securityToken: 'CAIS+envToken/Zx9Cv==0003' };
const SSO = { accessKeyId: 'STS.SrcSsoKey0004', accessKeySecret: 'sso-Secret-Mn3b5Vc7Xz0004', securityToken: 'CAIS+ssoToken/Lk8Jh==0004' };
const OAUTH = { accessKeyId: 'STS.SrcOAuthKey0005', accessKeySecret: 'oauth-Secret-Gf2d4Sa6Qw0005', securityToken: 'CAIS+oauthToken/Po1Iu==0005' };
const EXT = { accessKeyId: 'STS.SrcExtKey0006', accessKeySecret: 'ext-Secret-Yt6r8Ew0Qa0006', securityToken: 'CAIS+extToken/Mj2Nh==0006' };
const EXPIRED = {
  accessKeyId: 'STS.SrcExpired0007', accessKeySecret: 'expired-Secret-Hg5f7Ds9Sa0007', securityToken: 'CAIS+expiredToken/Bv3Cx==0007',
  expiration: '2024-05-01T09:00:00Z',
};
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c3JjLW9pZGMtdG9rZW4.sigSrcOidc0008';
const SSO_ACCESS_TOKEN = 'sso-access-token-Ws4e6Rd8Tf0009';
const OAUTH_OLD_REFRESH = 'RT-old-Kj7h9Gf1Ds0010';
const OAUTH_NEW_REFRESH = 'RT-new-Lo2k4Ji6Hu0011';
const OAUTH_NEW_ACCESS = 'AT-new-Zx3c5Vb7Nm0012';

const ROLE = 'acs:ram::1234567890123456:role/dts-reader';
const EXPIRED_ROLE = 'acs:ram::1234567890123456:role/dts-expired';
const OIDC_PROVIDER = 'acs:ram::1234567890123456:oidc-provider/ack-rrsa';

/** None of these may ever reach stdout or stderr. */
const SECRETS = [
  SOURCE.accessKeySecret, OTHER.accessKeySecret, ENV_STS.accessKeySecret, ENV_STS.securityToken, SSO.accessKeySecret, SSO.securityToken,
  OAUTH.accessKeySecret, OAUTH.securityToken, EXT.accessKeySecret, EXT.securityToken, EXPIRED.accessKeySecret, EXPIRED.securityToken,
  OIDC_TOKEN, SSO_ACCESS_TOKEN, OAUTH_OLD_REFRESH, OAUTH_NEW_REFRESH, OAUTH_NEW_ACCESS,
];

const JOB = { hz: 'dtsa1b2c3d4e5f6g7h', sh: 'dtss7h3j9k1l5z2x8c', sz: 'dtsz4x6c8v0b2n4m6q', bj: 'dtsb3j5k7l9z1x3c5v' };

function scenario(): Scenario {
  const direction = [{ direction: 'Forward' as const, status: 'Synchronizing', lagSeconds: 1 }];
  return {
    accessKeys: [SOURCE, OTHER, ENV_STS, SSO, OAUTH, EXT, EXPIRED],
    roles: [
      { arn: ROLE, oidc: { providerArn: OIDC_PROVIDER, tokens: [OIDC_TOKEN] } },
      { arn: EXPIRED_ROLE, answer: 'expired' },
    ],
    credentialsUris: [{ path: '/credentials/dts-reader', role: ROLE }],
    jobs: [
      { id: JOB.hz, region: 'cn-hangzhou', directions: direction },
      { id: JOB.sh, region: 'cn-shanghai', directions: direction },
      { id: JOB.sz, region: 'cn-shenzhen', directions: direction },
      { id: JOB.bj, region: 'cn-beijing', directions: direction },
    ],
    faults: [],
  };
}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A server on 127.0.0.1 playing a sign-in service: records each request and answers with `handler`. */
async function serve(handler: (call: Call, res: ServerResponse) => void): Promise<{ url: string; calls: Call[]; close(): Promise<void> }> {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const call = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      calls.push(call);
      handler(call, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function inAnHour(): string {
  return new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface JsonJob {
  readonly jobId: string;
  readonly region: string;
  readonly found: boolean;
  readonly health: string;
}

describe('CLI with every other credential source (node dist/cli.js against the emulator)', function () {
  this.timeout(KILL_AFTER_MS + 10_000);
  let emu: Emulator;
  let home: string;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    emu = await startEmulator({ scenario: scenario() });
    home = mkdtempSync(join(tmpdir(), 'dts-cli-sources-'));
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) {
      await close();
    }
    await emu.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function server(handler: (call: Call, res: ServerResponse) => void) {
    const s = await serve(handler);
    closers.push(() => s.close());
    return s;
  }

  function aliyunConfig(profiles: Record<string, unknown>[], current = profiles[0]?.['name']): string {
    mkdirSync(join(home, '.aliyun'), { recursive: true, mode: 0o700 });
    const path = join(home, '.aliyun', 'config.json');
    writeFileSync(path, JSON.stringify({ current, profiles, meta_path: '' }, null, 4), { mode: 0o600 });
    return path;
  }

  function credentialsFile(text: string, at = join(home, '.alibabacloud', 'credentials')): string {
    mkdirSync(join(at, '..'), { recursive: true });
    writeFileSync(at, text, { mode: 0o600 });
    return at;
  }

  /** Runs the CLI with PATH, HOME and only `env`; asserts it did not hang and leaked nothing. */
  async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
    const r = await runToEnd(
      process.execPath,
      [CLI, '--endpoint', emu.url, ...args],
      { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...env },
      KILL_AFTER_MS,
    );
    assert.equal(r.signal, null, `the CLI hung and was killed; stderr:\n${r.stderr}`);
    for (const secret of SECRETS) {
      assert.ok(!(r.stdout + r.stderr).includes(secret), `a secret or token leaked: ${secret}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
    return r;
  }

  /** A successful `--json` run: exit 0, nothing on stderr, the jobs as [id, region, health]. */
  async function ok(args: readonly string[], env: Record<string, string> = {}): Promise<[string, string, string][]> {
    const r = await cli(['--json', ...args], env);
    assert.equal(r.code, 0, `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout) as { jobs: JsonJob[]; errors: unknown[] };
    assert.deepEqual(doc.errors, []);
    return doc.jobs.map((j) => [j.jobId, j.region, j.health]);
  }

  /** A credential failure: exit 2, nothing on stdout, exactly one line on stderr, matching `line`. */
  async function refused(args: readonly string[], env: Record<string, string>, line: RegExp): Promise<string> {
    const r = await cli(args, env);
    assert.equal(r.code, 2, `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').length, 2, `one line:\n${r.stderr}`);
    assert.match(r.stderr.trimEnd(), line);
    return r.stderr;
  }

  /** Who signed each DTS request, and in which region. */
  function dtsCallers(): [string, string][] {
    return emu.requests.filter((q) => q.endpoint === 'dts').map((q) => [q.accessKeyId ?? '', q.regionId ?? '']);
  }

  function stsCalls(): { action?: string; accessKeyId?: string; roleArn?: string; outcome: string; issuedAccessKeyId?: string }[] {
    return emu.requests.filter((q) => q.endpoint === 'sts');
  }

  /** The single temporary key STS handed out in this run. */
  function issuedKey(): string {
    const sts = stsCalls();
    assert.equal(sts.length, 1, JSON.stringify(sts));
    const issued = sts[0].issuedAccessKeyId ?? '';
    assert.ok(issued.startsWith('STS.'), JSON.stringify(sts));
    return issued;
  }

  describe('OIDC', () => {
    function tokenFile(text = OIDC_TOKEN): string {
      const path = join(home, 'oidc-token');
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    }

    it('from ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN, _OIDC_TOKEN_FILE and ALIBABA_CLOUD_STS_ENDPOINT: AssumeRoleWithOIDC at the emulator, the issued key signs', async () => {
      const env = {
        ALIBABA_CLOUD_ROLE_ARN: ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER, ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile(),
        ALIBABA_CLOUD_STS_ENDPOINT: emu.url, ALIBABA_CLOUD_REGION_ID: 'cn-shanghai',
      };
      assert.deepEqual(await ok([JOB.sh], env), [[JOB.sh, 'cn-shanghai', 'ok']]);
      const sts = stsCalls();
      assert.deepEqual(sts.map((q) => [q.action, q.roleArn, q.outcome, q.accessKeyId]), [['AssumeRoleWithOIDC', ROLE, 'ok', undefined]]);
      assert.deepEqual(dtsCallers(), [[issuedKey(), 'cn-shanghai']]);
    });

    it('the OIDC variables with a token the provider does not accept: exit 2, one line naming the variables and OIDC', async () => {
      const env = {
        ALIBABA_CLOUD_ROLE_ARN: ROLE, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: OIDC_PROVIDER, ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile('eyJ.not-trusted.sig'),
        ALIBABA_CLOUD_STS_ENDPOINT: emu.url,
      };
      await refused([JOB.hz], env, /^dts-sync-status: environment variables ALIBABA_CLOUD_OIDC_\* \(OIDC\): the STS endpoint \(127\.0\.0\.1:\d+\) refused: HTTP \d+, Code AuthenticationFail\.OIDCToken\.Invalid/);
      assert.deepEqual(dtsCallers(), []);
    });

    it('an OIDC profile with sts_endpoint and region_id: the profile\'s region places bare IDs', async () => {
      aliyunConfig([{ name: 'rrsa', mode: 'OIDC', ram_role_arn: ROLE, oidc_provider_arn: OIDC_PROVIDER, oidc_token_file: tokenFile(), sts_endpoint: emu.url, region_id: 'cn-shenzhen' }]);
      assert.deepEqual(await ok([JOB.sz]), [[JOB.sz, 'cn-shenzhen', 'ok']]);
      assert.deepEqual(stsCalls().map((q) => [q.action, q.outcome]), [['AssumeRoleWithOIDC', 'ok']]);
      assert.deepEqual(dtsCallers(), [[issuedKey(), 'cn-shenzhen']]);
    });

    it('an OIDC profile whose token file is missing: exit 2, one line naming the profile and OIDC, no STS request', async () => {
      aliyunConfig([{ name: 'rrsa', mode: 'OIDC', ram_role_arn: ROLE, oidc_provider_arn: OIDC_PROVIDER, oidc_token_file: join(home, 'nope'), sts_endpoint: emu.url }]);
      await refused(['--profile', 'rrsa', JOB.hz], {}, /^dts-sync-status: aliyun CLI profile "rrsa" \(OIDC\): cannot read the OIDC token file$/);
      assert.deepEqual(emu.requests, []);
    });
  });

  describe('CloudSSO', () => {
    it('POSTs the account and access configuration to <sign-in origin>/cloud-credentials with the access token; the STS key it answers signs', async () => {
      const sso = await server((call, res) => {
        if (call.method === 'POST' && call.path === '/cloud-credentials' && call.headers['authorization'] === `Bearer ${SSO_ACCESS_TOKEN}`) {
          json(res, 200, { RequestId: 'sso-1', CloudCredential: { AccessKeyId: SSO.accessKeyId, AccessKeySecret: SSO.accessKeySecret, SecurityToken: SSO.securityToken, Expiration: inAnHour() } });
        } else {
          json(res, 401, { ErrorCode: 'InvalidToken' });
        }
      });
      aliyunConfig([{
        name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: `${sso.url}/login/sign-in`, cloud_sso_account_id: '1234567890123456',
        cloud_sso_access_config: 'ac-dtsreader01', access_token: SSO_ACCESS_TOKEN, cloud_sso_access_token_expire: Math.floor(Date.now() / 1000) + 3600,
        region_id: 'cn-beijing',
      }]);
      assert.deepEqual(await ok([JOB.bj]), [[JOB.bj, 'cn-beijing', 'ok']]);
      assert.equal(sso.calls.length, 1);
      const [call] = sso.calls;
      assert.match(String(call.headers['content-type']), /^application\/json/);
      // What the aliyun CLI sends (cloudsso.CreateCloudCredential): without it the service cannot know which account.
      assert.deepEqual(JSON.parse(call.body || 'null'), { AccountId: '1234567890123456', AccessConfigurationId: 'ac-dtsreader01' });
      assert.deepEqual(dtsCallers(), [[SSO.accessKeyId, 'cn-beijing']]);
    });

    it('an expired sign-in: exit 2, one line saying how to sign in again, no request anywhere', async () => {
      const sso = await server((_call, res) => json(res, 500, {}));
      aliyunConfig([{
        name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: sso.url, cloud_sso_account_id: '1234567890123456', cloud_sso_access_config: 'ac-dtsreader01',
        access_token: SSO_ACCESS_TOKEN, cloud_sso_access_token_expire: Math.floor(Date.now() / 1000) - 60,
      }]);
      await refused([JOB.hz], {}, /^dts-sync-status: aliyun CLI profile "sso" \(CloudSSO\): the CloudSSO sign-in has expired; run aliyun configure --profile sso --mode CloudSSO again$/);
      assert.deepEqual(sso.calls, []);
      assert.deepEqual(emu.requests, []);
    });
  });

  describe('OAuth', () => {
    it('refreshes at DTS_SYNC_OAUTH_ENDPOINT, signs with the exchanged key, and writes the rotated token back atomically with mode 0600', async () => {
      const oauth = await server((call, res) => {
        if (call.path === '/v1/token') {
          json(res, 200, { access_token: OAUTH_NEW_ACCESS, refresh_token: OAUTH_NEW_REFRESH, expires_in: 3600 });
        } else if (call.path === '/v1/exchange' && call.headers['authorization'] === `Bearer ${OAUTH_NEW_ACCESS}`) {
          json(res, 200, { accessKeyId: OAUTH.accessKeyId, accessKeySecret: OAUTH.accessKeySecret, securityToken: OAUTH.securityToken, expiration: inAnHour() });
        } else {
          json(res, 401, { error: 'invalid_token' });
        }
      });
      const path = aliyunConfig([
        { name: 'me', mode: 'OAuth', oauth_site_type: 'CN', oauth_refresh_token: OAUTH_OLD_REFRESH, oauth_access_token: '', oauth_access_token_expire: 0, region_id: 'cn-shanghai', note: 'kept' },
        { name: 'other', mode: 'AK', access_key_id: OTHER.accessKeyId, access_key_secret: OTHER.accessKeySecret },
      ]);
      const inodeBefore = statSync(path).ino;
      assert.deepEqual(await ok([JOB.sh], { DTS_SYNC_OAUTH_ENDPOINT: oauth.url }), [[JOB.sh, 'cn-shanghai', 'ok']]);
      assert.deepEqual(oauth.calls.map((c) => [c.method, c.path]), [['POST', '/v1/token'], ['POST', '/v1/exchange']]);
      const form = new URLSearchParams(oauth.calls[0].body);
      assert.deepEqual([form.get('grant_type'), form.get('refresh_token'), form.get('client_id')], ['refresh_token', OAUTH_OLD_REFRESH, '4038181954557748008']);
      assert.deepEqual(dtsCallers(), [[OAUTH.accessKeyId, 'cn-shanghai']]);

      const written = JSON.parse(readFileSync(path, 'utf8')) as { current: string; meta_path: string; profiles: Record<string, unknown>[] };
      const [me, other] = written.profiles;
      assert.equal(me['oauth_refresh_token'], OAUTH_NEW_REFRESH, 'the rotated refresh token is written back');
      assert.equal(me['oauth_access_token'], OAUTH_NEW_ACCESS);
      assert.equal(me['access_key_id'], OAUTH.accessKeyId);
      assert.equal(me['sts_token'], OAUTH.securityToken);
      assert.equal(me['note'], 'kept');
      assert.deepEqual(other, { name: 'other', mode: 'AK', access_key_id: OTHER.accessKeyId, access_key_secret: OTHER.accessKeySecret });
      assert.equal(written.current, 'me');
      assert.equal(written.meta_path, '');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.notEqual(statSync(path).ino, inodeBefore, 'replaced by a rename, not rewritten in place');
      assert.deepEqual(readdirSync(join(home, '.aliyun')), ['config.json'], 'no temporary file left');
    });

    it('a refresh the service refuses: exit 2, one line naming the profile and OAuth, nothing written', async () => {
      const oauth = await server((_call, res) => json(res, 400, { error: 'invalid_grant' }));
      const path = aliyunConfig([{ name: 'me', mode: 'OAuth', oauth_site_type: 'INTL', oauth_refresh_token: OAUTH_OLD_REFRESH, oauth_access_token: '', oauth_access_token_expire: 0 }]);
      const before = readFileSync(path, 'utf8');
      await refused([JOB.hz], { DTS_SYNC_OAUTH_ENDPOINT: oauth.url }, /^dts-sync-status: aliyun CLI profile "me" \(OAuth\): the OAuth sign-in could not be renewed; run aliyun configure --mode OAuth again$/);
      assert.equal(new URLSearchParams(oauth.calls[0].body).get('client_id'), '4103531455503354461');
      assert.equal(readFileSync(path, 'utf8'), before);
      assert.deepEqual(emu.requests, []);
    });
  });

  describe('External', () => {
    it('runs process_command, signs with the key it prints, and writes the key back', async () => {
      const script = join(home, 'creds.js');
      writeFileSync(script, `console.log(JSON.stringify({ mode: 'StsToken', access_key_id: '${EXT.accessKeyId}', access_key_secret: '${EXT.accessKeySecret}', sts_token: '${EXT.securityToken}', expiration: '${inAnHour()}' }))`);
      const path = aliyunConfig([{ name: 'ext', mode: 'External', process_command: `${process.execPath} ${script}`, region_id: 'cn-shenzhen' }]);
      assert.deepEqual(await ok([JOB.sz]), [[JOB.sz, 'cn-shenzhen', 'ok']]);
      assert.deepEqual(dtsCallers(), [[EXT.accessKeyId, 'cn-shenzhen']]);
      const written = JSON.parse(readFileSync(path, 'utf8')) as { profiles: Record<string, unknown>[] };
      assert.equal(written.profiles[0]['access_key_id'], EXT.accessKeyId);
      assert.equal(written.profiles[0]['process_command'], `${process.execPath} ${script}`);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });

    it('a failing command: exit 2, one line naming the profile and External, never its stderr', async () => {
      const script = join(home, 'fail.js');
      writeFileSync(script, `console.error('token=${EXT.securityToken} secret=${EXT.accessKeySecret}'); process.exit(3)`);
      aliyunConfig([{ name: 'ext', mode: 'External', process_command: `${process.execPath} ${script}` }]);
      await refused(['--timeout', '3', JOB.hz], {}, /^dts-sync-status: aliyun CLI profile "ext" \(External\): the external command failed or did not finish within 3 s$/);
      assert.deepEqual(emu.requests, []);
    });
  });

  describe('the credentials file', () => {
    it('~/.alibabacloud/credentials [default] access_key with region_id', async () => {
      credentialsFile(`[default]\ntype = access_key\naccess_key_id = ${SOURCE.accessKeyId}\naccess_key_secret = ${SOURCE.accessKeySecret}\nregion_id = cn-shanghai\n`);
      assert.deepEqual(await ok([JOB.sh]), [[JOB.sh, 'cn-shanghai', 'ok']]);
      assert.deepEqual(dtsCallers(), [[SOURCE.accessKeyId, 'cn-shanghai']]);
    });

    it('ALIBABA_CLOUD_PROFILE selects a ram_role_arn section: AssumeRole with its key at its sts_endpoint, the role key signs', async () => {
      credentialsFile([
        `[default]\ntype = access_key\naccess_key_id = ${OTHER.accessKeyId}\naccess_key_secret = ${OTHER.accessKeySecret}\n`,
        `[reader]\ntype = ram_role_arn\naccess_key_id = ${SOURCE.accessKeyId}\naccess_key_secret = ${SOURCE.accessKeySecret}\nrole_arn = ${ROLE}\nrole_session_name = dts-cli\nsts_endpoint = ${emu.url}\nregion_id = cn-beijing\n`,
      ].join('\n'));
      assert.deepEqual(await ok([JOB.bj], { ALIBABA_CLOUD_PROFILE: 'reader' }), [[JOB.bj, 'cn-beijing', 'ok']]);
      assert.deepEqual(stsCalls().map((q) => [q.action, q.accessKeyId, q.roleArn, q.outcome]), [['AssumeRole', SOURCE.accessKeyId, ROLE, 'ok']]);
      assert.deepEqual(dtsCallers(), [[issuedKey(), 'cn-beijing']]);
    });

    it('ALIBABA_CLOUD_CREDENTIALS_FILE replaces ~/.alibabacloud/credentials', async () => {
      credentialsFile(`[default]\naccess_key_id = ${OTHER.accessKeyId}\naccess_key_secret = ${OTHER.accessKeySecret}\n`);
      const elsewhere = credentialsFile(`[default]\ntype = access_key\naccess_key_id = ${SOURCE.accessKeyId}\naccess_key_secret = ${SOURCE.accessKeySecret}\n`, join(home, 'elsewhere', 'creds.ini'));
      assert.deepEqual(await ok([JOB.hz], { ALIBABA_CLOUD_CREDENTIALS_FILE: elsewhere }), [[JOB.hz, 'cn-hangzhou', 'ok']]);
      assert.deepEqual(dtsCallers(), [[SOURCE.accessKeyId, 'cn-hangzhou']]);
    });

    it('ALIBABA_CLOUD_PROFILE naming a section that is not there: exit 2, one line naming the file', async () => {
      const path = credentialsFile(`[default]\naccess_key_id = ${SOURCE.accessKeyId}\naccess_key_secret = ${SOURCE.accessKeySecret}\n`);
      const line = await refused([JOB.hz], { ALIBABA_CLOUD_PROFILE: 'missing' }, /^dts-sync-status: No Alibaba Cloud credentials found\./);
      assert.ok(line.includes(path), line);
      assert.deepEqual(emu.requests, []);
    });
  });

  describe('the environment', () => {
    it('ALICLOUD_ACCESS_KEY_ID / _SECRET with ALICLOUD_SECURITY_TOKEN: the STS key signs and its token is sent', async () => {
      const env = { ALICLOUD_ACCESS_KEY_ID: ENV_STS.accessKeyId, ALICLOUD_ACCESS_KEY_SECRET: ENV_STS.accessKeySecret, ALICLOUD_SECURITY_TOKEN: ENV_STS.securityToken };
      assert.deepEqual(await ok([JOB.hz], env), [[JOB.hz, 'cn-hangzhou', 'ok']]);
      // The emulator accepts an STS key only with exactly its token: `ok` means the token was sent.
      assert.deepEqual(emu.requests.filter((q) => q.endpoint === 'dts').map((q) => [q.accessKeyId, q.outcome]), [[ENV_STS.accessKeyId, 'ok']]);
    });

    it('without ALICLOUD_SECURITY_TOKEN the same STS key is refused for its missing token (so the test above proves the token is sent)', async () => {
      const r = await cli(['--json', JOB.hz], { ALICLOUD_ACCESS_KEY_ID: ENV_STS.accessKeyId, ALICLOUD_ACCESS_KEY_SECRET: ENV_STS.accessKeySecret });
      assert.equal(r.code, 2);
      assert.deepEqual(emu.requests.filter((q) => q.endpoint === 'dts').map((q) => [q.accessKeyId, q.outcome]).slice(0, 1), [[ENV_STS.accessKeyId, 'InvalidSecurityToken.MismatchWithAccessKey']]);
    });

    it('ALIBABACLOUD_PROFILE wins over ALIBABA_CLOUD_PROFILE, which wins over the file\'s current', async () => {
      aliyunConfig([
        { name: 'cur', mode: 'AK', access_key_id: OTHER.accessKeyId, access_key_secret: OTHER.accessKeySecret },
        { name: 'a', mode: 'AK', access_key_id: SOURCE.accessKeyId, access_key_secret: SOURCE.accessKeySecret, region_id: 'cn-shanghai' },
        { name: 'b', mode: 'StsToken', access_key_id: ENV_STS.accessKeyId, access_key_secret: ENV_STS.accessKeySecret, sts_token: ENV_STS.securityToken, region_id: 'cn-shenzhen' },
      ]);
      assert.deepEqual(await ok([JOB.sh], { ALIBABACLOUD_PROFILE: 'a', ALIBABA_CLOUD_PROFILE: 'b' }), [[JOB.sh, 'cn-shanghai', 'ok']]);
      assert.deepEqual(await ok([JOB.sz], { ALIBABA_CLOUD_PROFILE: 'b' }), [[JOB.sz, 'cn-shenzhen', 'ok']]);
      assert.deepEqual(await ok([JOB.hz]), [[JOB.hz, 'cn-hangzhou', 'ok']]);
      assert.deepEqual(dtsCallers(), [[SOURCE.accessKeyId, 'cn-shanghai'], [ENV_STS.accessKeyId, 'cn-shenzhen'], [OTHER.accessKeyId, 'cn-hangzhou']]);
    });

    it('ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true skips ~/.aliyun/config.json, so ALIBABA_CLOUD_CREDENTIALS_URI answers', async () => {
      aliyunConfig([{ name: 'default', mode: 'AK', access_key_id: OTHER.accessKeyId, access_key_secret: OTHER.accessKeySecret }]);
      const env = { ALIBABA_CLOUD_CREDENTIALS_URI: `${emu.url}/credentials/dts-reader`, ALICLOUD_REGION_ID: 'cn-beijing' };
      assert.deepEqual(await ok([JOB.bj], env), [[JOB.bj, 'cn-beijing', 'ok']]);
      assert.deepEqual(dtsCallers(), [[OTHER.accessKeyId, 'cn-beijing']], 'without the flag the profile answers first');
      emu.clearRequests();
      assert.deepEqual(await ok([JOB.bj], { ...env, ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' }), [[JOB.bj, 'cn-beijing', 'ok']]);
      const uri = emu.requests.filter((q) => q.endpoint === 'credentials-uri');
      assert.deepEqual(uri.map((q) => [q.roleArn, q.outcome]), [[ROLE, 'ok']]);
      assert.deepEqual(dtsCallers(), [[uri[0].issuedAccessKeyId ?? '', 'cn-beijing']]);
    });

    it('ALIBABA_CLOUD_REGION_ID, else ALICLOUD_REGION_ID, is the region of bare IDs; a profile\'s region_id wins over both; --region over all', async () => {
      const keys = { ALIBABA_CLOUD_ACCESS_KEY_ID: SOURCE.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SOURCE.accessKeySecret };
      assert.deepEqual(await ok([JOB.hz], keys), [[JOB.hz, 'cn-hangzhou', 'ok']], 'cn-hangzhou when nothing names a region');
      assert.deepEqual(await ok([JOB.sh], { ...keys, ALIBABA_CLOUD_REGION_ID: 'cn-shanghai', ALICLOUD_REGION_ID: 'cn-beijing' }), [[JOB.sh, 'cn-shanghai', 'ok']]);
      assert.deepEqual(await ok([JOB.bj], { ...keys, ALICLOUD_REGION_ID: 'cn-beijing' }), [[JOB.bj, 'cn-beijing', 'ok']]);
      aliyunConfig([{ name: 'p', mode: 'AK', access_key_id: OTHER.accessKeyId, access_key_secret: OTHER.accessKeySecret, region_id: 'cn-shenzhen' }]);
      const regions = { ALIBABA_CLOUD_REGION_ID: 'cn-shanghai', ALICLOUD_REGION_ID: 'cn-beijing' };
      assert.deepEqual(await ok([JOB.sz], regions), [[JOB.sz, 'cn-shenzhen', 'ok']], 'the profile\'s region_id');
      assert.deepEqual(await ok(['--profile', 'p', JOB.sz], regions), [[JOB.sz, 'cn-shenzhen', 'ok']], 'the same with --profile');
      assert.deepEqual(await ok(['--region', 'cn-hangzhou', JOB.hz], regions), [[JOB.hz, 'cn-hangzhou', 'ok']], '--region wins');
      assert.deepEqual(await ok(['--region', 'cn-hangzhou', `${JOB.bj}@cn-beijing`], regions), [[JOB.bj, 'cn-beijing', 'ok']], 'ID@region wins');
      assert.deepEqual(dtsCallers(), [
        [SOURCE.accessKeyId, 'cn-hangzhou'], [SOURCE.accessKeyId, 'cn-shanghai'], [SOURCE.accessKeyId, 'cn-beijing'],
        [OTHER.accessKeyId, 'cn-shenzhen'], [OTHER.accessKeyId, 'cn-shenzhen'], [OTHER.accessKeyId, 'cn-hangzhou'], [OTHER.accessKeyId, 'cn-beijing'],
      ]);
    });
  });

  describe('keys that have already expired', () => {
    it('a StsToken profile whose key expired (the emulator\'s accessKeys[].expiration is past): exit 2, one error line with the expiry code, no hang', async () => {
      // A StsToken profile carries no expiry, so only DTS can tell: the line is the DTS answer's (it does not name the profile).
      aliyunConfig([{ name: 'old', mode: 'StsToken', access_key_id: EXPIRED.accessKeyId, access_key_secret: EXPIRED.accessKeySecret, sts_token: EXPIRED.securityToken }]);
      const r = await cli(['--json', JOB.hz]);
      assert.equal(r.code, 2, `exit ${r.code}\n${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`^error: cn-hangzhou \\(${JOB.hz}\\): The AccessKey was rejected: InvalidSecurityToken\\.Expired Specified SecurityToken is expired\\. \\(RequestId [\\w-]+\\)\n$`),
      );
      const doc = JSON.parse(r.stdout) as { jobs: unknown[]; errors: { code: string; jobIds: string[] }[] };
      assert.deepEqual([doc.jobs, doc.errors.map((e) => [e.code, e.jobIds])], [[], [['InvalidSecurityToken.Expired', [JOB.hz]]]]);
      assert.deepEqual(emu.requests.filter((q) => q.endpoint === 'dts').map((q) => [q.accessKeyId, q.outcome]), [[EXPIRED.accessKeyId, 'InvalidSecurityToken.Expired']]);
    });

    it('a role whose STS answer has already expired: exit 2, one line naming the profile and RamRoleArn, never the expired key', async () => {
      aliyunConfig([{ name: 'prod', mode: 'RamRoleArn', access_key_id: SOURCE.accessKeyId, access_key_secret: SOURCE.accessKeySecret, ram_role_arn: EXPIRED_ROLE, sts_endpoint: emu.url }]);
      await refused(
        [JOB.hz],
        {},
        /^dts-sync-status: aliyun CLI profile "prod" \(RamRoleArn\): the temporary credentials expired at \d{4}-\d\d-\d\dT[\d:.]+Z and renewing them failed: the STS endpoint \(127\.0\.0\.1:\d+\) answered without usable credentials$/,
      );
      assert.deepEqual(stsCalls().map((q) => [q.action, q.roleArn]), [['AssumeRole', EXPIRED_ROLE]]);
      assert.deepEqual(dtsCallers(), [], 'the expired key never signs a DTS request');
    });
  });
});
