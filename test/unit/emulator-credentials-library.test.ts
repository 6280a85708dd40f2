import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ECSRAMRoleCredentialsProvider, OIDCRoleArnCredentialsProvider, RAMRoleARNCredentialsProvider, StaticAKCredentialsProvider,
  URICredentialsProvider,
} from '@alicloud/credentials';
import { Response, type Request as LibraryRequest } from '@alicloud/credentials/dist/src/providers/http';
import { Agent, request } from 'undici';
import { DtsClient } from '../../src/core/api/client';
import { DtsError } from '../../src/core/api/errors';
import type { Credentials } from '../../src/core/api/signing';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

/*
 * The emulator's credential endpoints checked against Alibaba's own code: `@alicloud/credentials` 2.4.7 builds and
 * signs every request (its AssumeRole HMAC-SHA1 signer, its IMDSv2 dance, its URI parser). Its providers send STS
 * requests over https and ECS ones to 100.100.100.200, so for those the test replaces the per-instance `doRequest`
 * (the library's mock seam, the one the project's credential transport uses) with one that sends the very same
 * request, method, headers and body, to the emulator over http. The credentials URI is requested by the library's own
 * transport (httpx), unchanged. The emulator runs on the real clock, as the library stamps its requests with it.
 */

const SOURCE: Credentials = { accessKeyId: 'LTAI5tLibrarySource1', accessKeySecret: 'library-source-secret-1' };
const ACCOUNT = '1234567890123456';
const ROLE = `acs:ram::${ACCOUNT}:role/dts-reader`;
const SHORT = `acs:ram::${ACCOUNT}:role/short-lived`;
const OIDC_PROVIDER = `acs:ram::${ACCOUNT}:oidc-provider/ack-cluster`;
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsaWJyYXJ5In0.c2lnbmF0dXJl';
const JOB = 'dtsl1b4a7yj0b2c3d4';
const HZ = 'cn-hangzhou';

const SCENARIO: Scenario = {
  accessKeys: [SOURCE],
  jobs: [{ id: JOB, region: HZ, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] }],
  roles: [
    { arn: ROLE, sourceAccessKeyIds: [SOURCE.accessKeyId], oidc: { providerArn: OIDC_PROVIDER, tokens: [OIDC_TOKEN] } },
    { arn: SHORT, lifetimeSeconds: 60 },
  ],
  credentialsUris: [{ path: '/credentials/dts-reader', role: ROLE }],
  ecsMetadata: { role: SHORT, requireToken: true },
};

/** The private field every HTTP provider of the library keeps "for mock". */
interface WithTransport {
  doRequest: (req: LibraryRequest) => Promise<Response>;
}

describe('DTS emulator against @alicloud/credentials', () => {
  /** Emulator time = real time + offset: moving it ahead expires keys without waiting (within the 15-minute skew). */
  let offsetMs = 0;
  const clock = (): Date => new Date(Date.now() + offsetMs);
  let emu: Emulator;
  const agent = new Agent();
  let dir: string;

  before(async () => {
    emu = await startEmulator({ scenario: SCENARIO, clock });
    dir = mkdtempSync(join(tmpdir(), 'emulator-credentials-'));
  });

  beforeEach(() => {
    offsetMs = 0;
    emu.setScenario(SCENARIO);
    emu.clearRequests();
  });

  after(async () => {
    await emu.close();
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The library's request, as it built it, sent to the emulator over http instead of its https STS or IMDS host. */
  function toEmulator(provider: object): void {
    (provider as WithTransport).doRequest = async (req) => {
      const target = new URL(req.toRequestURL());
      const url = `${emu.url}${target.pathname}${target.search}`;
      const body = req.bodyForm && Object.keys(req.bodyForm).length > 0
        ? Object.entries(req.bodyForm).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
        : undefined;
      const res = await request(url, { method: req.method as 'GET', headers: req.headers, body, dispatcher: agent });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      return Response.builder().withStatusCode(res.statusCode).withHeaders(res.headers as Record<string, string>).withBody(bytes).build();
    };
  }

  function source(credentials: Credentials = SOURCE): StaticAKCredentialsProvider {
    return StaticAKCredentialsProvider.builder().withAccessKeyId(credentials.accessKeyId).withAccessKeySecret(credentials.accessKeySecret).build();
  }

  function ramRole(roleArn: string, credentials?: Credentials): RAMRoleARNCredentialsProvider {
    const provider = RAMRoleARNCredentialsProvider.builder()
      .withCredentialsProvider(source(credentials)).withRoleArn(roleArn).withRoleSessionName('dts-sync-status')
      .withStsEndpoint(emu.host).build();
    toEmulator(provider);
    return provider;
  }

  async function dts(credentials: Credentials): Promise<string> {
    const client = new DtsClient({ credentials, endpoint: emu.url, maxAttempts: 1, clock, timeoutMs: 2000 });
    return client.describeSynchronizationJobStatusList([JOB], HZ).then(
      (result) => (result.jobs.size === 1 ? 'ok' : 'missing'),
      (e: unknown) => (e instanceof DtsError ? e.code : String(e)),
    );
  }

  it('RamRoleArn: the library signs AssumeRole, the emulator verifies it and the keys query DTS', async () => {
    const creds = await ramRole(ROLE).getCredentials();
    assert.match(creds.accessKeyId, /^STS\./);
    assert.equal(await dts(creds), 'ok');
    const [sts] = emu.requests;
    assert.deepEqual(
      [sts.endpoint, sts.method, sts.action, sts.signatureVersion, sts.accessKeyId, sts.roleArn, sts.outcome],
      ['sts', 'POST', 'AssumeRole', 'v2', SOURCE.accessKeyId, ROLE, 'ok'],
    );
  });

  it('RamRoleArn with a wrong secret: the library recognises the emulator\'s SignatureDoesNotMatch as its own string to sign', async () => {
    const error = await ramRole(ROLE, { ...SOURCE, accessKeySecret: 'wrong-secret' }).getCredentials().then(() => undefined, (e: unknown) => e as Error);
    // The library says this only when the server's string to sign equals its own: the emulator signs exactly as it does.
    assert.equal(error?.message, 'the access key secret is invalid');
    assert.deepEqual([emu.requests[0].outcome, emu.requests[0].issuedAccessKeyId], ['SignatureDoesNotMatch', undefined]);
  });

  it('RamRoleArn: keys that expire are refused by DTS (InvalidSecurityToken.Expired) and the library renews them', async () => {
    const provider = ramRole(SHORT);
    const first = await provider.getCredentials();
    assert.equal(await dts(first), 'ok');
    offsetMs = 61_000;
    assert.equal(await dts(first), 'InvalidSecurityToken.Expired');
    // 60 s is inside the library's 15-minute stale window: it asks STS again.
    const second = await provider.getCredentials();
    assert.notEqual(second.accessKeyId, first.accessKeyId);
    assert.equal(await dts(second), 'ok');
    assert.deepEqual(emu.requests.map((r) => `${r.endpoint}:${r.outcome}`), ['sts:ok', 'dts:ok', 'dts:InvalidSecurityToken.Expired', 'sts:ok', 'dts:ok']);
  });

  it('RamRoleArn: a role that refuses renewal (maxSessions) fails a first call; a running provider silently keeps its expired keys', async () => {
    emu.setScenario({ ...SCENARIO, roles: [SCENARIO.roles![0], { arn: SHORT, lifetimeSeconds: 60, maxSessions: 1 }] });
    const provider = ramRole(SHORT);
    const first = await provider.getCredentials();
    const error = await ramRole(SHORT).getCredentials().then(() => undefined, (e: unknown) => e as Error);
    assert.match(String(error?.message), /refresh session token failed: .*"Code":"NoPermission"/);
    offsetMs = 61_000;
    // The library's known trap (session.ts): a failed refresh hands back the expired session without an error.
    const stale = await provider.getCredentials();
    assert.equal(stale.accessKeyId, first.accessKeyId);
    assert.equal(await dts(stale), 'InvalidSecurityToken.Expired');
    assert.deepEqual(emu.requests.map((r) => `${r.endpoint}:${r.outcome}`), ['sts:ok', 'sts:NoPermission', 'sts:NoPermission', 'dts:InvalidSecurityToken.Expired']);
  });

  it('OIDC: the library reads the token file and calls AssumeRoleWithOIDC unsigned', async () => {
    const tokenFile = join(dir, 'oidc-token');
    writeFileSync(tokenFile, OIDC_TOKEN);
    const provider = OIDCRoleArnCredentialsProvider.builder()
      .withRoleArn(ROLE).withOIDCProviderArn(OIDC_PROVIDER).withOIDCTokenFilePath(tokenFile).withRoleSessionName('ack-pod')
      .withStsEndpoint(emu.host).build();
    toEmulator(provider);
    const creds = await provider.getCredentials();
    assert.equal(await dts(creds), 'ok');
    assert.deepEqual([emu.requests[0].action, emu.requests[0].signatureVersion], ['AssumeRoleWithOIDC', undefined]);
    writeFileSync(tokenFile, 'not-the-token');
    const other = OIDCRoleArnCredentialsProvider.builder()
      .withRoleArn(ROLE).withOIDCProviderArn(OIDC_PROVIDER).withOIDCTokenFilePath(tokenFile).withStsEndpoint(emu.host).build();
    toEmulator(other);
    const error = await other.getCredentials().then(() => undefined, (e: unknown) => e as Error);
    assert.match(String(error?.message), /AuthenticationFail\.OIDCToken\.Invalid/);
  });

  it('credentials URI: the library\'s own transport (http allowed) reads the keys and their Expiration', async () => {
    const provider = URICredentialsProvider.builder().withCredentialsURI(`${emu.url}/credentials/dts-reader`).build();
    const creds = await provider.getCredentials();
    assert.equal(await dts(creds), 'ok');
    assert.deepEqual([emu.requests[0].endpoint, emu.requests[0].method, emu.requests[0].outcome], ['credentials-uri', 'GET', 'ok']);
    emu.setScenario({ ...SCENARIO, roles: [{ ...SCENARIO.roles![0], answer: 'refuse' }, SCENARIO.roles![1]] });
    const refused = URICredentialsProvider.builder().withCredentialsURI(`${emu.url}/credentials/dts-reader`).build();
    const error = await refused.getCredentials().then(() => undefined, (e: unknown) => e as Error);
    assert.match(String(error?.message), /error retrieving credentials from credentialsURI result: .*"Code":"Failed"/);
  });

  it('ECS RAM role: the library fetches an IMDSv2 token, the role name and the credentials from a hardened instance', async () => {
    const provider = ECSRAMRoleCredentialsProvider.builder().withDisableIMDSv1(true).build();
    toEmulator(provider);
    const creds = await provider.getCredentials();
    assert.equal(await dts(creds), 'ok');
    assert.deepEqual(
      emu.requests.filter((r) => r.endpoint === 'ecs-metadata').map((r) => `${r.method} ${r.path} ${r.httpStatus}`),
      [
        'PUT /latest/api/token 200',
        'GET /latest/meta-data/ram/security-credentials/ 200',
        'PUT /latest/api/token 200',
        'GET /latest/meta-data/ram/security-credentials/short-lived 200',
      ],
    );
  });
});
