/**
 * Every aliyun CLI mode, the credentials file and the chain's variables, against small servers on 127.0.0.1 that play
 * STS, a credentials URI, the ECS metadata service, CloudSSO and OAuth. Each test asserts what a user would see: the
 * key that signs, the source and mode named, the message of a failure, and that no secret is in it.
 */
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CloudSSOCredentialsProvider from '@alicloud/credentials/dist/src/providers/cloud_sso';
import ECSRAMRoleCredentialsProvider from '@alicloud/credentials/dist/src/providers/ecs_ram_role';
import OAuthCredentialsProvider from '@alicloud/credentials/dist/src/providers/oauth';
import OIDCRoleArnCredentialsProvider from '@alicloud/credentials/dist/src/providers/oidc_role_arn';
import RAMRoleARNCredentialsProvider from '@alicloud/credentials/dist/src/providers/ram_role_arn';
import URICredentialsProvider from '@alicloud/credentials/dist/src/providers/uri';
import { CredentialsNotFoundError } from '../../src/core/api/errors';
import { defaultChain, profileChain, type ChainOptions, type ResolvedCredentials } from '../../src/core/credentials';

const SECRET = 'srcSECRETq8Zw1xV9';
const ROLE_SECRET = 'roleSECRETk2Lm7Pn4';
const TOKEN = 'CAIStokenVALUE5h6j7k8';
const WAIT_MS = 5000;

interface Call {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Handler = (call: Call, res: ServerResponse) => void;

/** A server on 127.0.0.1 that records each request and answers with `handler`. */
async function serve(handler: Handler): Promise<{ url: string; calls: Call[]; close(): Promise<void> }> {
  const calls: Call[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const call = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      calls.push(call);
      open.add(res);
      res.on('close', () => open.delete(res));
      handler(call, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      for (const res of open) {
        res.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** STS answers: a new key per call, valid for `ttlMs` of the fake clock. */
function stsAnswer(clock: { now: Date }, ttlMs: number, n: number): unknown {
  return {
    RequestId: `req-${n}`,
    Credentials: {
      AccessKeyId: `STS.roleKey000${n}`,
      AccessKeySecret: ROLE_SECRET,
      SecurityToken: `${TOKEN}${n}`,
      Expiration: new Date(clock.now.getTime() + ttlMs).toISOString(),
    },
  };
}

function within<T>(promise: Promise<T>, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await within(promise);
  } catch (e) {
    assert.ok(e instanceof CredentialsNotFoundError, `expected a CredentialsNotFoundError, got ${String(e)}`);
    for (const secret of [SECRET, ROLE_SECRET, TOKEN]) {
      assert.ok(!e.message.includes(secret), `a secret leaked into: ${e.message}`);
    }
    return e.message;
  }
  assert.fail('expected a failure');
}

describe('credential modes (local endpoints)', function () {
  this.timeout(20_000);
  let home: string;
  const clock = { now: new Date('2026-11-30T10:00:00Z') };
  const closers: (() => Promise<void>)[] = [];

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'dts-cred-modes-'));
    mkdirSync(join(home, '.aliyun'));
    clock.now = new Date('2026-11-30T10:00:00Z');
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) {
      await close();
    }
    rmSync(home, { recursive: true, force: true });
  });

  async function server(handler: Handler) {
    const s = await serve(handler);
    closers.push(() => s.close());
    return s;
  }

  function options(env: NodeJS.ProcessEnv = {}, extra: Partial<ChainOptions> = {}): ChainOptions {
    return { env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...env }, home, now: () => clock.now, requestTimeoutMs: 2000, ...extra };
  }

  function config(profiles: Record<string, unknown>[], current = profiles[0]?.['name']): string {
    const path = join(home, '.aliyun', 'config.json');
    writeFileSync(path, JSON.stringify({ current, profiles }, null, 2), { mode: 0o600 });
    return path;
  }

  function role(extra: Record<string, unknown>): Record<string, unknown> {
    return { name: 'prod', mode: 'RamRoleArn', access_key_id: 'LTAI5tSourceKey01', access_key_secret: SECRET, ram_role_arn: 'acs:ram::1:role/dts', region_id: 'cn-shanghai', ...extra };
  }

  describe('the library internals this build relies on', () => {
    it('each HTTP provider still has a per-instance doRequest and a refresher', () => {
      const source = { getCredentials: async () => ({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: '', providerName: 'x' }), getProviderName: () => 'x' };
      const providers: object[] = [
        RAMRoleARNCredentialsProvider.builder().withCredentialsProvider(source).withRoleArn('acs:ram::1:role/r').withStsEndpoint('sts.aliyuncs.com').build(),
        OIDCRoleArnCredentialsProvider.builder().withRoleArn('r').withOIDCProviderArn('p').withOIDCTokenFilePath('/nonexistent').withStsEndpoint('sts.aliyuncs.com').build(),
        URICredentialsProvider.builder().withCredentialsURI('http://127.0.0.1:9/').build(),
        new ECSRAMRoleCredentialsProvider(ECSRAMRoleCredentialsProvider.builder()),
        CloudSSOCredentialsProvider.builder().withSignInUrl('http://127.0.0.1:9').withAccountId('1').withAccessConfig('ac').withAccessToken('t').withAccessTokenExpire(Date.now() / 1000 + 3600).build(),
        OAuthCredentialsProvider.builder().withSignInUrl('http://127.0.0.1:9').withClientId('c').build(),
      ];
      for (const p of providers) {
        const fields = p as { doRequest?: unknown; refresher?: unknown };
        assert.equal(typeof fields.doRequest, 'function', `${p.constructor.name}.doRequest`);
        assert.ok(Object.hasOwn(p, 'doRequest'), `${p.constructor.name}.doRequest is per instance`);
        assert.equal(typeof fields.refresher, 'function', `${p.constructor.name}.refresher`);
      }
    });
  });

  describe('RamRoleArn', () => {
    it('assumes the role through our transport, names the profile and mode, and carries the region_id', async () => {
      let n = 0;
      const sts = await server((_c, res) => json(res, 200, stsAnswer(clock, 3600_000, ++n)));
      config([role({ sts_endpoint: sts.url })]);
      const found = await within(defaultChain(options()).resolve());
      assert.equal(found.credentials.accessKeyId, 'STS.roleKey0001');
      assert.equal(found.credentials.securityToken, `${TOKEN}1`);
      assert.equal(found.source, 'aliyun CLI profile "prod" (RamRoleArn)');
      assert.equal(found.mode, 'RamRoleArn');
      assert.equal(found.region, 'cn-shanghai');
      assert.deepEqual(found.expiresAt, new Date('2026-11-30T11:00:00Z'));
      const [call] = sts.calls;
      assert.match(call.path, /Action=AssumeRole/);
      assert.match(call.path, /AccessKeyId=LTAI5tSourceKey01/);
      assert.match(call.body, /RoleArn=acs%3Aram%3A%3A1%3Arole%2Fdts/);
    });

    it('concurrent callers share one AssumeRole, and later ones use the cached key', async () => {
      let n = 0;
      const sts = await server((_c, res) => setTimeout(() => json(res, 200, stsAnswer(clock, 3600_000, ++n)), 50));
      config([role({ sts_endpoint: sts.url })]);
      const chain = defaultChain(options());
      const all = await within(Promise.all([chain.resolve(), chain.resolve(), chain.resolve()]));
      await within(chain.resolve());
      assert.equal(sts.calls.length, 1);
      assert.deepEqual(new Set(all.map((r) => r.credentials.accessKeyId)), new Set(['STS.roleKey0001']));
    });

    it('renews shortly before expiry without any user action (fake clock)', async () => {
      let n = 0;
      const sts = await server((_c, res) => json(res, 200, stsAnswer(clock, 3600_000, ++n)));
      config([role({ sts_endpoint: sts.url })]);
      const chain = defaultChain(options());
      assert.equal((await within(chain.resolve())).credentials.accessKeyId, 'STS.roleKey0001');
      clock.now = new Date('2026-11-30T10:50:00Z');
      assert.equal((await within(chain.resolve())).credentials.accessKeyId, 'STS.roleKey0001', 'still 10 minutes left');
      clock.now = new Date('2026-11-30T10:56:00Z');
      assert.equal((await within(chain.resolve())).credentials.accessKeyId, 'STS.roleKey0002', 'renewed 4 minutes before expiry');
      assert.equal(sts.calls.length, 2);
    });

    it('a renewal that fails after expiry is an error naming the profile and mode, never the expired key', async () => {
      let n = 0;
      let up = true;
      const sts = await server((_c, res) => (up ? json(res, 200, stsAnswer(clock, 3600_000, ++n)) : json(res, 503, { Code: 'ServiceUnavailable', RequestId: 'req-down' })));
      config([role({ sts_endpoint: sts.url })]);
      const chain = defaultChain(options());
      await within(chain.resolve());
      up = false;
      clock.now = new Date('2026-11-30T10:57:00Z');
      const stillValid = await within(chain.resolve());
      assert.equal(stillValid.credentials.accessKeyId, 'STS.roleKey0001', 'before expiry the held key is still good');
      clock.now = new Date('2026-11-30T11:00:01Z');
      const message = await failure(chain.resolve());
      assert.equal(
        message,
        `aliyun CLI profile "prod" (RamRoleArn): the temporary credentials expired at 2026-11-30T11:00:00.000Z and renewing them failed: the STS endpoint (${sts.url.slice(7)}) refused: HTTP 503, Code ServiceUnavailable, RequestId req-down`,
      );
    });

    it('an STS endpoint that hangs is an error within the request timeout, naming profile and mode', async () => {
      const sts = await server(() => undefined);
      config([role({ sts_endpoint: sts.url })]);
      const message = await failure(defaultChain(options({}, { requestTimeoutMs: 300 })).resolve());
      assert.equal(message, `aliyun CLI profile "prod" (RamRoleArn): the STS endpoint (${sts.url.slice(7)}) did not answer within 300 ms`);
    });

    it('an STS error body is never quoted: only its Code and RequestId', async () => {
      const sts = await server((_c, res) => json(res, 403, { Code: 'NoPermission', RequestId: 'req-403', Message: `echo ${SECRET}` }));
      config([role({ sts_endpoint: sts.url })]);
      const message = await failure(defaultChain(options()).resolve());
      assert.match(message, /refused: HTTP 403, Code NoPermission, RequestId req-403$/);
    });

    it('ALIBABA_CLOUD_STS_ENDPOINT points a profile without sts_endpoint', async () => {
      let n = 0;
      const sts = await server((_c, res) => json(res, 200, stsAnswer(clock, 3600_000, ++n)));
      config([role({})]);
      const found = await within(defaultChain(options({ ALIBABA_CLOUD_STS_ENDPOINT: sts.url })).resolve());
      assert.equal(found.credentials.accessKeyId, 'STS.roleKey0001');
    });
  });

  describe('ChainableRamRoleArn', () => {
    it('assumes the role with the source profile\'s STS key, its token sent as SecurityToken', async () => {
      let n = 0;
      const sts = await server((_c, res) => json(res, 200, stsAnswer(clock, 3600_000, ++n)));
      config([
        { name: 'chain', mode: 'ChainableRamRoleArn', source_profile: 'base', ram_role_arn: 'acs:ram::2:role/target', sts_endpoint: sts.url },
        role({ name: 'base', sts_endpoint: sts.url }),
      ]);
      const found = await within(profileChain('chain', options()).resolve());
      assert.equal(found.credentials.accessKeyId, 'STS.roleKey0002');
      assert.equal(found.source, 'aliyun CLI profile "chain" (ChainableRamRoleArn)');
      assert.equal(sts.calls.length, 2);
      assert.match(sts.calls[1].path, /AccessKeyId=STS.roleKey0001/);
      assert.match(sts.calls[1].path, new RegExp(`SecurityToken=${TOKEN}1`));
    });

    it('refuses a source_profile loop instead of recursing forever', async () => {
      config([
        { name: 'a', mode: 'ChainableRamRoleArn', source_profile: 'b', ram_role_arn: 'r' },
        { name: 'b', mode: 'ChainableRamRoleArn', source_profile: 'a', ram_role_arn: 'r' },
      ]);
      assert.equal(await failure(profileChain('a', options()).resolve()), 'aliyun CLI profile "b" (ChainableRamRoleArn): source_profile "a" leads back to itself');
    });
  });

  describe('CredentialsURI', () => {
    it('reads a CredentialsURI profile (the library has no such mode) and the ALIBABA_CLOUD_CREDENTIALS_URI variable', async () => {
      let n = 0;
      const uri = await server((_c, res) => {
        const a = stsAnswer(clock, 3600_000, ++n) as { Credentials: Record<string, string> };
        json(res, 200, { Code: 'Success', ...a.Credentials });
      });
      config([{ name: 'uri', mode: 'CredentialsURI', credentials_uri: `${uri.url}/creds?token=${TOKEN}` }]);
      const fromProfile = await within(profileChain('uri', options()).resolve());
      assert.equal(fromProfile.credentials.accessKeyId, 'STS.roleKey0001');
      assert.equal(fromProfile.source, 'aliyun CLI profile "uri" (CredentialsURI)');
      rmSync(join(home, '.aliyun', 'config.json'));
      const fromEnv = await within(defaultChain(options({ ALIBABA_CLOUD_CREDENTIALS_URI: `${uri.url}/creds` })).resolve());
      assert.equal(fromEnv.source, 'ALIBABA_CLOUD_CREDENTIALS_URI (CredentialsURI)');
      assert.equal(fromEnv.credentials.accessKeyId, 'STS.roleKey0002');
    });

    it('a URI that answers 500 is named by host only: never its query (which may hold a token)', async () => {
      const uri = await server((_c, res) => json(res, 500, { message: `boom ${SECRET}` }));
      config([{ name: 'uri', mode: 'CredentialsURI', credentials_uri: `${uri.url}/creds?token=${TOKEN}` }]);
      assert.equal(await failure(profileChain('uri', options()).resolve()), `aliyun CLI profile "uri" (CredentialsURI): the credentials URI (${uri.url.slice(7)}) refused: HTTP 500`);
    });
  });

  describe('EcsRamRole', () => {
    function metadata() {
      let n = 0;
      return server((call, res) => {
        if (call.method === 'PUT' && call.path === '/latest/api/token') {
          res.end('imds-token');
        } else if (call.path === '/latest/meta-data/ram/security-credentials/') {
          res.end('EcsDtsRole');
        } else if (call.path === '/latest/meta-data/ram/security-credentials/EcsDtsRole' && call.headers['x-aliyun-ecs-metadata-token'] === 'imds-token') {
          const a = stsAnswer(clock, 6 * 3600_000, ++n) as { Credentials: Record<string, string> };
          json(res, 200, { Code: 'Success', ...a.Credentials });
        } else {
          res.writeHead(404).end();
        }
      });
    }

    it('an EcsRamRole profile asks the metadata service with an IMDSv2 token', async () => {
      const imds = await metadata();
      config([{ name: 'ecs', mode: 'EcsRamRole', ram_role_name: 'EcsDtsRole' }]);
      const found = await within(profileChain('ecs', options({ DTS_SYNC_ECS_METADATA_ENDPOINT: imds.url })).resolve());
      assert.equal(found.credentials.accessKeyId, 'STS.roleKey0001');
      assert.equal(found.source, 'aliyun CLI profile "ecs" (EcsRamRole)');
      assert.deepEqual(imds.calls.map((c) => `${c.method} ${c.path}`), ['PUT /latest/api/token', 'GET /latest/meta-data/ram/security-credentials/EcsDtsRole']);
    });

    it('the default chain probes ECS last, once: a miss is remembered until reset()', async () => {
      const imds = await server((_c, res) => res.writeHead(404).end());
      const chain = defaultChain({ env: { DTS_SYNC_ECS_METADATA_ENDPOINT: imds.url }, home, now: () => clock.now });
      await failure(chain.resolve());
      await failure(chain.resolve());
      assert.equal(imds.calls.length, 2, 'one probe: the token PUT and the role GET');
      chain.reset();
      await failure(chain.resolve());
      assert.equal(imds.calls.length, 4);
    });

    it('the default chain finds the instance role by the probe when nothing else has credentials', async () => {
      const imds = await metadata();
      const found = await within(defaultChain({ env: { DTS_SYNC_ECS_METADATA_ENDPOINT: imds.url }, home, now: () => clock.now }).resolve());
      assert.equal(found.source, 'ECS instance RAM role "EcsDtsRole" (EcsRamRole)');
    });

    it('ALIBABA_CLOUD_ECS_METADATA_DISABLED=true never asks the metadata service', async () => {
      const imds = await metadata();
      await failure(defaultChain({ env: { DTS_SYNC_ECS_METADATA_ENDPOINT: imds.url, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }, home }).resolve());
      assert.equal(imds.calls.length, 0);
    });
  });

  describe('OIDC', () => {
    it('the OIDC variables assume the role with the token file, unsigned, through our transport', async () => {
      let n = 0;
      const sts = await server((_c, res) => json(res, 200, stsAnswer(clock, 3600_000, ++n)));
      const tokenFile = join(home, 'oidc-token');
      writeFileSync(tokenFile, 'eyJOIDC.token');
      const found = await within(
        defaultChain(
          options({ ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/oidc', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/ack', ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile, ALIBABA_CLOUD_STS_ENDPOINT: sts.url, ALIBABA_CLOUD_ROLE_SESSION_NAME: 'dts-oidc' }),
        ).resolve(),
      );
      assert.equal(found.source, 'environment variables ALIBABA_CLOUD_OIDC_* (OIDC)');
      assert.match(sts.calls[0].path, /Action=AssumeRoleWithOIDC/);
      assert.match(sts.calls[0].body, /OIDCToken=eyJOIDC.token/);
      assert.match(sts.calls[0].body, /RoleSessionName=dts-oidc/);
    });

    it('half-set OIDC variables are an error naming the missing one', async () => {
      const message = await failure(defaultChain(options({ ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'p', ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/t' })).resolve());
      assert.equal(message, 'environment variables ALIBABA_CLOUD_OIDC_* (OIDC): ALIBABA_CLOUD_ROLE_ARN is not set');
    });

    it('an OIDC profile names its fields when they are missing', async () => {
      config([{ name: 'oidc', mode: 'OIDC', ram_role_arn: 'r' }]);
      assert.equal(await failure(profileChain('oidc', options()).resolve()), 'aliyun CLI profile "oidc" (OIDC): oidc_provider_arn, oidc_token_file is empty');
    });
  });

  describe('CloudSSO', () => {
    it('exchanges the access token at the sign-in URL', async () => {
      let n = 0;
      const sso = await server((call, res) => {
        assert.equal(call.headers['authorization'], `Bearer ${TOKEN}`);
        const a = stsAnswer(clock, 3600_000, ++n) as { Credentials: Record<string, string> };
        json(res, 200, { CloudCredential: a.Credentials, RequestId: 'r' });
      });
      config([{ name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: `${sso.url}/login`, cloud_sso_account_id: '123', cloud_sso_access_config: 'ac-1', access_token: TOKEN, cloud_sso_access_token_expire: Math.floor(Date.now() / 1000) + 3600 }]);
      // The library checks that expiry against the real clock, ours against the fake one: valid for both.
      const found = await within(profileChain('sso', options()).resolve());
      assert.equal(found.source, 'aliyun CLI profile "sso" (CloudSSO)');
      assert.equal(sso.calls[0].path, '/cloud-credentials');
      assert.ok(found.credentials.accessKeyId.startsWith('STS.roleKey'));
    });

    it('an expired sign-in says how to sign in again', async () => {
      config([{ name: 'sso', mode: 'CloudSSO', cloud_sso_sign_in_url: 'http://127.0.0.1:9', cloud_sso_account_id: '123', cloud_sso_access_config: 'ac-1', access_token: TOKEN, cloud_sso_access_token_expire: Math.floor(clock.now.getTime() / 1000) - 1 }]);
      assert.equal(
        await failure(profileChain('sso', options()).resolve()),
        'aliyun CLI profile "sso" (CloudSSO): the CloudSSO sign-in has expired; run aliyun configure --profile sso --mode CloudSSO again',
      );
    });
  });

  describe('OAuth', () => {
    it('refreshes the rotated token, exchanges it, and writes both back atomically with mode 0600', async () => {
      const oauth = await server((call, res) => {
        if (call.path === '/v1/token') {
          json(res, 200, { access_token: 'AT-new', refresh_token: 'RT-new', expires_in: 3600 });
        } else {
          json(res, 200, { accessKeyId: 'STS.oauthKey0001', accessKeySecret: ROLE_SECRET, securityToken: TOKEN, expiration: new Date(clock.now.getTime() + 3600_000).toISOString() });
        }
      });
      const path = config([{ name: 'me', mode: 'OAuth', oauth_site_type: 'CN', oauth_refresh_token: 'RT-old', oauth_access_token: '', oauth_access_token_expire: 0, region_id: 'cn-beijing', note: 'kept' }]);
      const found = await within(profileChain('me', options({ DTS_SYNC_OAUTH_ENDPOINT: oauth.url })).resolve());
      assert.equal(found.source, 'aliyun CLI profile "me" (OAuth)');
      assert.equal(found.credentials.accessKeyId, 'STS.oauthKey0001');
      assert.deepEqual(oauth.calls.map((c) => c.path), ['/v1/token', '/v1/exchange']);
      assert.match(oauth.calls[0].body, /refresh_token=RT-old/);
      assert.match(oauth.calls[0].body, /client_id=4038181954557748008/);
      const written = JSON.parse(readFileSync(path, 'utf8')) as { profiles: Record<string, unknown>[] };
      assert.equal(written.profiles[0]['oauth_refresh_token'], 'RT-new');
      assert.equal(written.profiles[0]['access_key_id'], 'STS.oauthKey0001');
      assert.equal(written.profiles[0]['note'], 'kept');
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });
  });

  describe('External', () => {
    it('runs the command once per session and writes its keys back', async () => {
      const script = join(home, 'creds.js');
      const expiration = new Date(clock.now.getTime() + 3600_000).toISOString();
      writeFileSync(script, `console.log(JSON.stringify({ mode: 'StsToken', access_key_id: 'STS.extKey0001', access_key_secret: '${ROLE_SECRET}', sts_token: '${TOKEN}', expiration: '${expiration}' }))`);
      const path = config([{ name: 'ext', mode: 'External', process_command: `${process.execPath} ${script}` }]);
      const chain = profileChain('ext', options());
      const found = await within(chain.resolve());
      assert.equal(found.source, 'aliyun CLI profile "ext" (External)');
      assert.equal(found.credentials.securityToken, TOKEN);
      const written = JSON.parse(readFileSync(path, 'utf8')) as { profiles: Record<string, unknown>[] };
      assert.equal(written.profiles[0]['access_key_id'], 'STS.extKey0001');
      assert.equal((await within(chain.resolve())).credentials.accessKeyId, 'STS.extKey0001', 'the rewritten file is the same session');
    });

    it('a failing command is named without its stderr', async () => {
      const script = join(home, 'fail.js');
      writeFileSync(script, `console.error('token=${TOKEN}'); process.exit(3)`);
      config([{ name: 'ext', mode: 'External', process_command: `${process.execPath} ${script}` }]);
      assert.equal(await failure(profileChain('ext', options()).resolve()), 'aliyun CLI profile "ext" (External): the external command failed or did not finish within 2 s');
    });
  });

  describe('the credentials file', () => {
    function ini(text: string, at = join(home, '.alibabacloud', 'credentials')): string {
      mkdirSync(join(at, '..'), { recursive: true });
      writeFileSync(at, text, { mode: 0o600 });
      return at;
    }

    it('reads an access_key section, keeping a secret that holds ; and #, and its region_id', async () => {
      ini(`[default]\ntype = access_key\naccess_key_id = LTAI5tIniKey0001\naccess_key_secret = ${SECRET};x#y\nregion_id = cn-shenzhen\n`);
      const found = await within(defaultChain(options()).resolve());
      assert.equal(found.credentials.accessKeySecret, `${SECRET};x#y`);
      assert.equal(found.source, 'credentials file profile "default" (access_key)');
      assert.equal(found.region, 'cn-shenzhen');
    });

    it('reads ALIBABA_CLOUD_CREDENTIALS_FILE and a ram_role_arn section named by ALIBABA_CLOUD_PROFILE', async () => {
      let n = 0;
      const sts = await server((_c, res) => json(res, 200, stsAnswer(clock, 3600_000, ++n)));
      const path = ini(`[other]\ntype = ram_role_arn\naccess_key_id = LTAI5tIniKey0001\naccess_key_secret = ${SECRET}\nrole_arn = acs:ram::1:role/x\nsts_endpoint = ${sts.url}\n`, join(home, 'elsewhere', 'creds'));
      const found = await within(defaultChain(options({ ALIBABA_CLOUD_CREDENTIALS_FILE: path, ALIBABA_CLOUD_PROFILE: 'other' })).resolve());
      assert.equal(found.source, 'credentials file profile "other" (ram_role_arn)');
      assert.equal(found.credentials.accessKeyId, 'STS.roleKey0001');
    });

    it('--profile finds a credentials-file profile; a name in neither file names both', async () => {
      ini(`[staging]\naccess_key_id = LTAI5tIniKey0001\naccess_key_secret = ${SECRET}\n`);
      config([{ name: 'prod', mode: 'AK', access_key_id: 'LTAI5tCliKey0001', access_key_secret: SECRET }]);
      assert.equal((await within(profileChain('staging', options()).resolve())).credentials.accessKeyId, 'LTAI5tIniKey0001');
      assert.equal((await within(profileChain('prod', options()).resolve())).credentials.accessKeyId, 'LTAI5tCliKey0001');
      assert.equal(
        await failure(profileChain('nope', options()).resolve()),
        `Profile "nope" is in neither ${join(home, '.aliyun', 'config.json')} (profiles: prod) nor ${join(home, '.alibabacloud', 'credentials')} (profiles: staging)`,
      );
    });
  });

  describe('the environment and the chain', () => {
    it('ALICLOUD_* keys keep their ALICLOUD_SECURITY_TOKEN, and ALICLOUD_REGION_ID is the region', async () => {
      const found = await within(defaultChain(options({ ALICLOUD_ACCESS_KEY_ID: 'STS.aliKey0001', ALICLOUD_ACCESS_KEY_SECRET: SECRET, ALICLOUD_SECURITY_TOKEN: TOKEN, ALICLOUD_REGION_ID: 'cn-qingdao' })).resolve());
      assert.deepEqual(found.credentials, { accessKeyId: 'STS.aliKey0001', accessKeySecret: SECRET, securityToken: TOKEN });
      assert.equal(found.mode, 'StsToken');
      assert.equal(found.region, 'cn-qingdao');
    });

    it('ALIBABACLOUD_PROFILE picks the aliyun CLI profile before ALIBABA_CLOUD_PROFILE and current', async () => {
      config([
        { name: 'cur', mode: 'AK', access_key_id: 'LTAI5tCurrent0001', access_key_secret: SECRET },
        { name: 'a', mode: 'AK', access_key_id: 'LTAI5tAlibabaCl01', access_key_secret: SECRET },
        { name: 'b', mode: 'AK', access_key_id: 'LTAI5tAlibaba_C01', access_key_secret: SECRET },
      ]);
      const pick = async (env: NodeJS.ProcessEnv): Promise<string> => (await within(defaultChain(options(env)).resolve())).credentials.accessKeyId;
      assert.equal(await pick({ ALIBABACLOUD_PROFILE: 'a', ALIBABA_CLOUD_PROFILE: 'b' }), 'LTAI5tAlibabaCl01');
      assert.equal(await pick({ ALIBABA_CLOUD_PROFILE: 'b' }), 'LTAI5tAlibaba_C01');
      assert.equal(await pick({}), 'LTAI5tCurrent0001');
    });

    it('ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true skips ~/.aliyun/config.json', async () => {
      config([{ name: 'cur', mode: 'AK', access_key_id: 'LTAI5tCurrent0001', access_key_secret: SECRET }]);
      const message = await failure(defaultChain(options({ ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' })).resolve());
      assert.match(message, /^No Alibaba Cloud credentials found/);
      assert.doesNotMatch(message, /config\.json/);
    });

    it('SecretStorage (first) answers before everything, and the chain asks only the link that answered', async () => {
      let asked = 0;
      const first = { description: 'the stored AccessKey', resolve: async (): Promise<ResolvedCredentials | undefined> => (++asked === 1 ? undefined : { credentials: { accessKeyId: 'LTAI5tStored00001', accessKeySecret: SECRET }, source: 'stored' }) };
      config([{ name: 'cur', mode: 'AK', access_key_id: 'LTAI5tCurrent0001', access_key_secret: SECRET }]);
      const chain = defaultChain(options({ ALIBABA_CLOUD_REGION_ID: 'cn-hongkong' }, { first: [first] }));
      assert.equal((await within(chain.resolve())).source, 'aliyun CLI profile "cur" (AK)');
      assert.equal((await within(chain.resolve())).source, 'aliyun CLI profile "cur" (AK)', 'the cached link answers; the first is not asked');
      assert.equal(asked, 1);
      chain.reset();
      const stored = await within(chain.resolve());
      assert.equal(stored.source, 'stored');
      assert.equal(stored.region, 'cn-hongkong', 'a source without a region takes the environment\'s');
    });

    it('a config.json that does not parse is never quoted', async () => {
      writeFileSync(join(home, '.aliyun', 'config.json'), `{"profiles":[{"name":"x","access_key_secret":"${SECRET}",}]}`);
      assert.equal(await failure(defaultChain(options()).resolve()), `${join(home, '.aliyun', 'config.json')} is not valid JSON`);
    });

    it('an AK profile with empty keys never falls back to the environment\'s keys', async () => {
      config([{ name: 'cur', mode: 'AK' }]);
      const message = await failure(profileChain('cur', options({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tEnvKey00001', ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET })).resolve());
      assert.equal(message, 'aliyun CLI profile "cur" (AK): access_key_id, access_key_secret is empty');
    });
  });
});
