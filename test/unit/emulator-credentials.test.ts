import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Agent, request } from 'undici';
import { DtsClient } from '../../src/core/api/client';
import { CredentialsRejectedError, DtsError } from '../../src/core/api/errors';
import { canonicalQueryString, formatTimestamp, signV2, signV3, type Credentials } from '../../src/core/api/signing';
import { loadScenario, parseScenario, ScenarioError, type Fault, type Scenario, type ScenarioRole } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

/*
 * The credential endpoints of the emulator (STS, credentials URI, ECS metadata) with the project's own signer and a
 * fake clock. emulator-credentials-library.test.ts checks the same endpoints against `@alicloud/credentials` itself.
 */

const START = new Date('2024-05-01T08:00:00Z');
const SOURCE: Credentials = { accessKeyId: 'LTAI5tRoleSource0001', accessKeySecret: 'role-source-secret-0001' };
const OTHER: Credentials = { accessKeyId: 'LTAI5tOtherUser00002', accessKeySecret: 'other-user-secret-0002' };
const ACCOUNT = '1234567890123456';
const READER = `acs:ram::${ACCOUNT}:role/dts-reader`;
const SHORT = `acs:ram::${ACCOUNT}:role/short-lived`;
const GUARDED = `acs:ram::${ACCOUNT}:role/guarded`;
const OIDC_ROLE = `acs:ram::${ACCOUNT}:role/oidc-reader`;
const OIDC_PROVIDER = `acs:ram::${ACCOUNT}:oidc-provider/ack-cluster`;
const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl';
const JOB = 'dtsr0l3j0b1d2e3f4g';
const HZ = 'cn-hangzhou';

function scenario(roles: Partial<Record<string, Partial<ScenarioRole>>> = {}, extra: Partial<Scenario> = {}): Scenario {
  const role = (arn: string, base: Partial<ScenarioRole> = {}): ScenarioRole => ({ arn, ...base, ...roles[arn] });
  return {
    accessKeys: [SOURCE, OTHER],
    jobs: [{ id: JOB, region: HZ, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] }],
    roles: [
      role(READER, { sourceAccessKeyIds: [SOURCE.accessKeyId] }),
      role(SHORT, { lifetimeSeconds: 120 }),
      role(GUARDED, { externalId: 'abcd1234', maxSessionDurationSeconds: 7200 }),
      role(OIDC_ROLE, { oidc: { providerArn: OIDC_PROVIDER, tokens: [OIDC_TOKEN] } }),
    ],
    credentialsUris: [{ path: '/credentials/dts-reader', role: READER }],
    ecsMetadata: { role: SHORT },
    ...extra,
  };
}

interface StsCredentials {
  readonly AccessKeyId: string;
  readonly AccessKeySecret: string;
  readonly SecurityToken: string;
  readonly Expiration: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

function credentialsOf(answer: Answer): Credentials & { expiration: string } {
  const c = (answer.json['Credentials'] ?? answer.json) as StsCredentials;
  return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
}

describe('DTS emulator: credential endpoints', () => {
  let now = START;
  const clock = (): Date => now;
  const advance = (seconds: number): void => {
    now = new Date(now.getTime() + seconds * 1000);
  };
  let emu: Emulator;
  const agent = new Agent();
  let nonce = 0;
  let issuedBefore = 0;
  /** The keys issued by the current test (the emulator keeps those of earlier tests valid). */
  const issued = (): Emulator['issued'] => emu.issued.slice(issuedBefore);

  before(async () => {
    emu = await startEmulator({ scenario: scenario(), clock });
  });

  beforeEach(() => {
    now = START;
    emu.setScenario(scenario());
    emu.clearRequests();
    issuedBefore = emu.issued.length;
  });

  after(async () => {
    await emu.close();
    await agent.close();
  });

  async function send(method: string, path: string, o: { query?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const res = await request(`${emu.url}${path}${o.query ? `?${o.query}` : ''}`, { method, headers: o.headers, body: o.body, dispatcher: agent });
    const text = await res.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: tests read `text`
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  }

  /** AssumeRole as `@alicloud/credentials` sends it: V2-signed common parameters in the query, the rest as a form body. */
  function assumeRole(o: { params?: Record<string, string>; credentials?: Credentials; tamper?: (query: Record<string, string>) => void } = {}): Promise<Answer> {
    const form = o.params ?? { RoleArn: READER, RoleSessionName: 'dts-sync-status', DurationSeconds: '3600' };
    const signed = signV2({
      method: 'POST', action: 'AssumeRole', version: '2015-04-01', params: form, credentials: o.credentials ?? SOURCE,
      date: now, nonce: `n-${++nonce}`,
    });
    const query = Object.fromEntries(Object.entries(signed.params).filter(([name]) => !(name in form)));
    const body = { ...form };
    o.tamper?.(body);
    return send('POST', '/', {
      query: canonicalQueryString(query),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: canonicalQueryString(body),
    });
  }

  function assumeRoleWithOidc(params: Record<string, string> = {}): Promise<Answer> {
    const form = { OIDCProviderArn: OIDC_PROVIDER, RoleArn: OIDC_ROLE, OIDCToken: OIDC_TOKEN, RoleSessionName: 'ack-pod', DurationSeconds: '3600', ...params };
    const query = { Version: '2015-04-01', Action: 'AssumeRoleWithOIDC', Format: 'JSON', Timestamp: formatTimestamp(now) };
    return send('POST', '/', {
      query: canonicalQueryString(query),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: canonicalQueryString(form),
    });
  }

  function dts(credentials: Credentials, signatureVersion: 'v3' | 'v2' = 'v3'): Promise<unknown> {
    const client = new DtsClient({ credentials, endpoint: emu.url, signatureVersion, maxAttempts: 1, clock, timeoutMs: 2000 });
    return client.describeSynchronizationJobStatusList([JOB], HZ);
  }

  async function dtsFailure(credentials: Credentials, signatureVersion: 'v3' | 'v2' = 'v3'): Promise<DtsError> {
    const error = await dts(credentials, signatureVersion).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DtsError, `expected a DtsError, got ${String(error)}`);
    return error;
  }

  describe('STS AssumeRole', () => {
    it('answers a correctly signed request with STS keys, the assumed role and an Expiration DurationSeconds away', async () => {
      const answer = await assumeRole();
      assert.equal(answer.status, 200, answer.text);
      const creds = credentialsOf(answer);
      assert.match(creds.accessKeyId, /^STS\.N[A-Za-z0-9]{24}$/);
      assert.ok(creds.accessKeySecret.length >= 30 && creds.securityToken?.startsWith('CAIS'));
      assert.equal(creds.expiration, '2024-05-01T09:00:00Z');
      assert.match(String(answer.json['RequestId']), /^[0-9A-F-]{36}$/);
      const user = answer.json['AssumedRoleUser'] as { Arn: string; AssumedRoleId: string };
      assert.equal(user.Arn, `${READER}/dts-sync-status`);
      assert.match(user.AssumedRoleId, /^\d{18}:dts-sync-status$/);
      const [entry] = emu.requests;
      assert.deepEqual(
        [entry.endpoint, entry.action, entry.signatureVersion, entry.accessKeyId, entry.roleArn, entry.httpStatus, entry.outcome, entry.issuedAccessKeyId],
        ['sts', 'AssumeRole', 'v2', SOURCE.accessKeyId, READER, 200, 'ok', creds.accessKeyId],
      );
      assert.ok(!JSON.stringify(emu.requests).includes(creds.accessKeySecret) && !JSON.stringify(emu.requests).includes(creds.securityToken ?? '-'));
      assert.deepEqual(issued().map((k) => [k.accessKeyId, k.roleArn, k.via, k.expiration]), [[creds.accessKeyId, READER, 'AssumeRole', creds.expiration]]);
    });

    it('accepts AssumeRole signed with V3 (ACS3-HMAC-SHA256) too', async () => {
      const params = { RoleArn: READER, RoleSessionName: 'v3-session' };
      const signed = signV3({
        method: 'POST', host: emu.host, action: 'AssumeRole', version: '2015-04-01', query: params, credentials: SOURCE, date: now, nonce: 'v3-nonce',
      });
      const answer = await send('POST', '/', { query: canonicalQueryString(params), headers: signed.headers });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(emu.requests[0].signatureVersion, 'v3');
    });

    it('refuses a tampered request with SignatureDoesNotMatch (its own string to sign) and issues nothing', async () => {
      const answer = await assumeRole({ tamper: (body) => void (body['RoleSessionName'] = 'someone-else') });
      assert.equal(answer.status, 400);
      assert.equal(answer.json['Code'], 'SignatureDoesNotMatch');
      assert.match(String(answer.json['Message']), /server string to sign is:POST&%2F&.*someone-else/);
      assert.match(String(answer.json['Recommend']), /product=Sts/);
      const wrongSecret = await assumeRole({ credentials: { ...SOURCE, accessKeySecret: 'not-the-secret' } });
      assert.equal(wrongSecret.json['Code'], 'SignatureDoesNotMatch');
      const unknown = await assumeRole({ credentials: { accessKeyId: 'LTAI5tNobody', accessKeySecret: 'x' } });
      assert.deepEqual([unknown.status, unknown.json['Code']], [404, 'InvalidAccessKeyId.NotFound']);
      assert.deepEqual(issued(), []);
      assert.deepEqual(emu.requests.map((r) => r.outcome), ['SignatureDoesNotMatch', 'SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound']);
    });

    it('answers STS errors in their real shapes: parameters, unknown role, trust policy, duration', async () => {
      const cases: Array<[Record<string, string>, Credentials, number, string]> = [
        [{ RoleSessionName: 's1' }, SOURCE, 400, 'MissingParameter'],
        [{ RoleArn: 'arn:aws:iam::1:role/x', RoleSessionName: 's1' }, SOURCE, 400, 'InvalidParameter.RoleArn'],
        [{ RoleArn: READER, RoleSessionName: 'a' }, SOURCE, 400, 'InvalidParameter.RoleSessionName'],
        [{ RoleArn: READER, RoleSessionName: 'has space' }, SOURCE, 400, 'InvalidParameter.RoleSessionName'],
        [{ RoleArn: READER, RoleSessionName: 's1', Policy: '{not json' }, SOURCE, 400, 'InvalidParameter.PolicyGrammar'],
        [{ RoleArn: `acs:ram::${ACCOUNT}:role/nobody`, RoleSessionName: 's1' }, SOURCE, 404, 'EntityNotExist.Role'],
        [{ RoleArn: READER, RoleSessionName: 's1' }, OTHER, 403, 'NoPermission'],
        [{ RoleArn: READER, RoleSessionName: 's1', DurationSeconds: '899' }, SOURCE, 400, 'InvalidParameter.DurationSeconds'],
        [{ RoleArn: READER, RoleSessionName: 's1', DurationSeconds: '3601' }, SOURCE, 400, 'InvalidParameter.DurationSeconds'],
        [{ RoleArn: GUARDED, RoleSessionName: 's1' }, SOURCE, 403, 'NoPermission'],
        [{ RoleArn: GUARDED, RoleSessionName: 's1', ExternalId: 'wrong' }, SOURCE, 403, 'NoPermission'],
      ];
      for (const [params, credentials, status, code] of cases) {
        const answer = await assumeRole({ params, credentials });
        assert.deepEqual([answer.status, answer.json['Code']], [status, code], JSON.stringify(params));
        assert.ok(answer.json['RequestId'] && answer.json['HostId'] && answer.json['Message'], answer.text);
      }
      const guarded = await assumeRole({ params: { RoleArn: GUARDED, RoleSessionName: 's1', ExternalId: 'abcd1234', DurationSeconds: '7200' } });
      assert.equal(credentialsOf(guarded).expiration, '2024-05-01T10:00:00Z');
      const version = await send('POST', '/', { query: canonicalQueryString({ Action: 'AssumeRole', Version: '2020-01-01' }) });
      assert.deepEqual([version.status, version.json['Code']], [400, 'InvalidVersion']);
      assert.equal(issued().length, 1);
    });

    it('issues keys that are DTS keys (V3 and V2) until they expire, then InvalidSecurityToken.Expired; a renewal works', async () => {
      const first = credentialsOf(await assumeRole({ params: { RoleArn: SHORT, RoleSessionName: 'renewal' }, credentials: OTHER }));
      assert.equal(first.expiration, '2024-05-01T08:02:00Z', 'lifetimeSeconds wins over DurationSeconds');
      await dts(first, 'v3');
      await dts(first, 'v2');
      advance(119);
      await dts(first);
      const withoutToken = await dtsFailure({ accessKeyId: first.accessKeyId, accessKeySecret: first.accessKeySecret });
      assert.equal(withoutToken.code, 'InvalidSecurityToken.MismatchWithAccessKey');
      advance(1);
      for (const version of ['v3', 'v2'] as const) {
        const expired = await dtsFailure(first, version);
        assert.ok(expired instanceof CredentialsRejectedError);
        assert.deepEqual([expired.code, expired.httpStatus], ['InvalidSecurityToken.Expired', 400]);
      }
      const renewed = credentialsOf(await assumeRole({ params: { RoleArn: SHORT, RoleSessionName: 'renewal' }, credentials: OTHER }));
      assert.notEqual(renewed.accessKeyId, first.accessKeyId);
      assert.equal(renewed.expiration, '2024-05-01T08:04:00Z');
      await dts(renewed);
      assert.equal((await dtsFailure(first)).code, 'InvalidSecurityToken.Expired');
      const dtsOutcomes = emu.requests.filter((r) => r.endpoint === 'dts').map((r) => r.outcome);
      assert.deepEqual(dtsOutcomes, ['ok', 'ok', 'ok', 'InvalidSecurityToken.MismatchWithAccessKey', 'InvalidSecurityToken.Expired', 'InvalidSecurityToken.Expired', 'ok', 'InvalidSecurityToken.Expired']);
    });

    it('lets an issued key assume another role (a chain), with its token, until it expires', async () => {
      const first = credentialsOf(await assumeRole({ params: { RoleArn: SHORT, RoleSessionName: 'hop-1' }, credentials: OTHER }));
      const second = await assumeRole({ params: { RoleArn: GUARDED, RoleSessionName: 'hop-2', ExternalId: 'abcd1234' }, credentials: first });
      assert.equal(second.status, 200, second.text);
      assert.equal(emu.requests[1].accessKeyId, first.accessKeyId);
      advance(120);
      const late = await assumeRole({ params: { RoleArn: GUARDED, RoleSessionName: 'hop-2', ExternalId: 'abcd1234' }, credentials: first });
      assert.deepEqual([late.status, late.json['Code']], [400, 'InvalidSecurityToken.Expired']);
      assert.match(String(late.json['Recommend']), /product=Sts/);
    });

    it('answer "expired" hands out keys whose Expiration has passed; "refuse" and maxSessions refuse (renewal fails); issued keys survive setScenario', async () => {
      emu.setScenario(scenario({ [SHORT]: { answer: 'expired' } }));
      const stale = credentialsOf(await assumeRole({ params: { RoleArn: SHORT, RoleSessionName: 'stale' }, credentials: OTHER }));
      assert.equal(stale.expiration, '2024-05-01T07:59:00Z');
      assert.equal((await dtsFailure(stale)).code, 'InvalidSecurityToken.Expired');

      emu.setScenario(scenario({ [READER]: { maxSessions: 1 } }));
      const once = credentialsOf(await assumeRole());
      const again = await assumeRole();
      assert.deepEqual([again.status, again.json['Code']], [403, 'NoPermission']);
      emu.setScenario(scenario({ [READER]: { answer: 'refuse' } }));
      assert.equal((await assumeRole()).json['Code'], 'NoPermission');
      await dts(once);
    });

    it('keeps DTS faults off STS unless a fault names endpoint "sts"; STS faults play hang, 5xx, throttling, HTML and truncation', async () => {
      emu.setScenario(scenario({}, { faults: [{ kind: 'server-error' }] }));
      assert.equal((await assumeRole()).status, 200, 'a fault without endpoint is a DTS fault');
      const stsFaults: Fault[] = [
        { endpoint: 'sts', kind: 'server-error', status: 503, times: 1 },
        { endpoint: 'sts', kind: 'throttle', times: 1 },
        { endpoint: 'sts', kind: 'html', times: 1 },
        { endpoint: 'sts', kind: 'truncated', times: 1 },
      ];
      emu.setScenario(scenario({}, { faults: stsFaults }));
      // Network faults (the proxy's HTML page) strike before the service's own, whatever their order in the list.
      const html = await assumeRole();
      assert.deepEqual([html.status, html.headers['content-type']], [502, 'text/html']);
      const unavailable = await assumeRole();
      assert.deepEqual([unavailable.status, unavailable.json['Code']], [503, 'ServiceUnavailable']);
      assert.deepEqual([(await assumeRole()).json['Code']], ['Throttling.User']);
      const cut = await assumeRole();
      assert.equal(cut.status, 200);
      assert.throws(() => JSON.parse(cut.text) as unknown);
      assert.equal((await assumeRole()).status, 200);
      assert.deepEqual(emu.faultCounters.map((c) => c.applied), [1, 1, 1, 1]);

      emu.setScenario(scenario({}, { faults: [{ endpoint: 'sts', action: 'AssumeRole', kind: 'hang', times: 1 }] }));
      const hung = await request(`${emu.url}/?Action=AssumeRole&Version=2015-04-01`, { method: 'POST', dispatcher: agent, signal: AbortSignal.timeout(300) })
        .then(() => 'answered', (e: unknown) => (e as Error).name);
      assert.equal(hung, 'TimeoutError');
      assert.equal(emu.requests.at(-1)?.outcome, 'hang');
    });
  });

  describe('STS AssumeRoleWithOIDC', () => {
    it('answers an unsigned request carrying an accepted OIDC token, and the keys work on DTS', async () => {
      const answer = await assumeRoleWithOidc();
      assert.equal(answer.status, 200, answer.text);
      assert.ok(answer.json['OIDCTokenInfo']);
      await dts(credentialsOf(answer));
      const [entry] = emu.requests;
      assert.deepEqual([entry.endpoint, entry.action, entry.signatureVersion, entry.accessKeyId, entry.roleArn], ['sts', 'AssumeRoleWithOIDC', undefined, undefined, OIDC_ROLE]);
      assert.ok(!JSON.stringify(emu.requests).includes(OIDC_TOKEN));
    });

    it('refuses a wrong token, an unknown provider, a role that does not trust the provider, and missing parameters', async () => {
      const cases: Array<[Record<string, string>, number, string]> = [
        [{ OIDCToken: `${OIDC_TOKEN}x` }, 400, 'AuthenticationFail.OIDCToken.Invalid'],
        [{ OIDCProviderArn: `acs:ram::${ACCOUNT}:oidc-provider/other` }, 404, 'EntityNotExist.OIDCProvider'],
        [{ OIDCProviderArn: 'nonsense' }, 400, 'InvalidParameter.OIDCProviderArn'],
        [{ RoleArn: READER }, 403, 'NoPermission'],
        [{ OIDCToken: '' }, 400, 'MissingParameter'],
      ];
      for (const [params, status, code] of cases) {
        const answer = await assumeRoleWithOidc(params);
        assert.deepEqual([answer.status, answer.json['Code']], [status, code], JSON.stringify(params));
      }
      assert.deepEqual(issued(), []);
    });
  });

  describe('credentials URI', () => {
    it('answers GET with Code "Success" and expiring keys that work on DTS until they expire', async () => {
      const answer = await send('GET', '/credentials/dts-reader', { query: 'ignored=1' });
      assert.equal(answer.status, 200);
      assert.deepEqual(Object.keys(answer.json).sort(), ['AccessKeyId', 'AccessKeySecret', 'Code', 'Expiration', 'SecurityToken']);
      assert.equal(answer.json['Code'], 'Success');
      const creds = credentialsOf(answer);
      assert.equal(creds.expiration, '2024-05-01T09:00:00Z');
      await dts(creds);
      advance(3600);
      assert.equal((await dtsFailure(creds)).code, 'InvalidSecurityToken.Expired');
      const [entry] = emu.requests;
      assert.deepEqual(
        [entry.endpoint, entry.method, entry.path, entry.action, entry.roleArn, entry.outcome, entry.issuedAccessKeyId],
        ['credentials-uri', 'GET', '/credentials/dts-reader', 'CredentialsURI', READER, 'ok', creds.accessKeyId],
      );
    });

    it('answers the failed shape for a refusing role, 405 to other methods, and plays its faults', async () => {
      emu.setScenario(scenario({ [READER]: { answer: 'refuse' } }, {
        faults: [
          { endpoint: 'credentials-uri', kind: 'server-error', times: 1 },
          { endpoint: 'credentials-uri', kind: 'html', times: 1 },
          { endpoint: 'credentials-uri', kind: 'slow', delayMs: 150, times: 1 },
        ],
      }));
      assert.equal((await send('GET', '/credentials/dts-reader')).status, 502, 'network faults first');
      const started = Date.now();
      const error500 = await send('GET', '/credentials/dts-reader');
      assert.ok(Date.now() - started >= 140, 'slow, then the 500');
      assert.deepEqual([error500.status, error500.text], [500, 'Internal Server Error']);
      const refused = await send('GET', '/credentials/dts-reader');
      assert.deepEqual([refused.status, refused.json['Code'], refused.json['AccessKeyId']], [200, 'Failed', undefined]);
      assert.equal((await send('POST', '/credentials/dts-reader')).status, 405);
      assert.deepEqual(emu.requests.map((r) => r.outcome), ['html', 'server-error', 'Failed', 'MethodNotAllowed']);
    });
  });

  describe('ECS metadata service (IMDSv2)', () => {
    const ROLE_PATH = '/latest/meta-data/ram/security-credentials/';

    async function token(ttl = '21600'): Promise<string> {
      const answer = await send('PUT', '/latest/api/token', { headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': ttl } });
      assert.equal(answer.status, 200, answer.text);
      return answer.text;
    }

    it('hands out a token, the role name and the role credentials (Code, LastUpdated), the same keys until half their lifetime', async () => {
      const t = await token();
      const name = await send('GET', ROLE_PATH, { headers: { 'X-aliyun-ecs-metadata-token': t } });
      assert.deepEqual([name.status, name.text], [200, 'short-lived']);
      const answer = await send('GET', `${ROLE_PATH}short-lived`, { headers: { 'X-aliyun-ecs-metadata-token': t } });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        Object.keys(answer.json).sort(), ['AccessKeyId', 'AccessKeySecret', 'Code', 'Expiration', 'LastUpdated', 'SecurityToken'],
      );
      assert.deepEqual([answer.json['Code'], answer.json['LastUpdated'], answer.json['Expiration']], ['Success', '2024-05-01T08:00:00Z', '2024-05-01T08:02:00Z']);
      const creds = credentialsOf(answer);
      await dts(creds);
      advance(59);
      assert.equal(credentialsOf(await send('GET', `${ROLE_PATH}short-lived`)).accessKeyId, creds.accessKeyId, 'IMDSv1 (no token) allowed');
      advance(2);
      const next = credentialsOf(await send('GET', `${ROLE_PATH}short-lived`, { headers: { 'X-aliyun-ecs-metadata-token': t } }));
      assert.notEqual(next.accessKeyId, creds.accessKeyId);
      advance(60);
      assert.equal((await dtsFailure(creds)).code, 'InvalidSecurityToken.Expired');
      await dts(next);
      assert.deepEqual(
        emu.requests.filter((r) => r.endpoint === 'ecs-metadata').map((r) => [r.method, r.action, r.httpStatus, r.issuedAccessKeyId !== undefined]),
        [['PUT', 'EcsMetadataToken', 200, false], ['GET', 'EcsRoleName', 200, false], ['GET', 'EcsRoleCredentials', 200, true],
          ['GET', 'EcsRoleCredentials', 200, false], ['GET', 'EcsRoleCredentials', 200, true]],
      );
    });

    it('refuses a bad or expired token (401), no token when hardened (403), a missing TTL (400), another role or a refusing one (404)', async () => {
      emu.setScenario(scenario({}, { ecsMetadata: { role: SHORT, requireToken: true } }));
      assert.equal((await send('PUT', '/latest/api/token')).status, 400);
      assert.equal((await send('PUT', '/latest/api/token', { headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '21601' } })).status, 400);
      assert.equal((await send('GET', ROLE_PATH)).status, 403);
      assert.equal((await send('GET', ROLE_PATH, { headers: { 'X-aliyun-ecs-metadata-token': 'forged' } })).status, 401);
      const t = await token('5');
      assert.equal((await send('GET', `${ROLE_PATH}dts-reader`, { headers: { 'X-aliyun-ecs-metadata-token': t } })).status, 404);
      advance(5);
      const late = await send('GET', ROLE_PATH, { headers: { 'X-aliyun-ecs-metadata-token': t } });
      assert.deepEqual([late.status, late.headers['content-type']], [401, 'text/html']);
      emu.setScenario(scenario({ [SHORT]: { answer: 'refuse' } }));
      assert.equal((await send('GET', `${ROLE_PATH}short-lived`)).status, 404);
      emu.setScenario(scenario({}, { ecsMetadata: undefined }));
      assert.equal((await send('PUT', '/latest/api/token', { headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).status, 404, 'not an ECS instance');
      assert.deepEqual(issued(), []);
    });

    it('plays faults scoped to one metadata route', async () => {
      emu.setScenario(scenario({}, { faults: [{ endpoint: 'ecs-metadata', action: 'EcsRoleCredentials', kind: 'server-error', status: 503 }] }));
      assert.equal((await send('GET', ROLE_PATH)).status, 200);
      assert.equal((await send('GET', `${ROLE_PATH}short-lived`)).status, 503);
    });
  });

  describe('scenario', () => {
    function problems(value: unknown): string {
      try {
        parseScenario(value);
      } catch (error) {
        assert.ok(error instanceof ScenarioError);
        return error.message;
      }
      assert.fail('the scenario was accepted');
    }

    it('accepts roles, credentialsUris and ecsMetadata, and refuses each malformed field by its path', () => {
      assert.equal(parseScenario(scenario()).roles?.length, 4);
      const message = problems({
        accessKeys: [
          { accessKeyId: 'STS.NoToken', accessKeySecret: 's' },
          { accessKeyId: 'LTAI5tX', accessKeySecret: 's', expiration: '2024-05-01T08:00:00Z' },
          { accessKeyId: 'STS.Y', accessKeySecret: 's', securityToken: 't', expiration: '2024-02-30T08:00:00Z' },
        ],
        jobs: [],
        roles: [
          { arn: 'acs:ram::1:role/a', lifetimeSeconds: 0, answer: 'maybe', maxSessionDurationSeconds: 50000, colour: 'red' },
          { arn: 'acs:ram::2:role/a', oidc: { providerArn: 'x', tokens: [] } },
          { arn: 'role/b' },
        ],
        credentialsUris: [{ path: '/latest/creds', role: 'acs:ram::1:role/a' }, { path: '/c', role: 'acs:ram::1:role/zzz' }],
        ecsMetadata: { role: 'acs:ram::9:role/none', requireToken: 'yes' },
        faults: [{ endpoint: 'sts', kind: 'dts-error' }, { endpoint: 'ram', kind: 'hang' }],
      });
      for (const expected of [
        'accessKeys: STS.NoToken is an STS key',
        'accessKeys[1].expiration needs a securityToken',
        'accessKeys[2].expiration must be a real UTC time',
        'roles[0].lifetimeSeconds must be an integer >= 1',
        'roles[0].answer must be one of fresh, expired, refuse',
        'roles[0].maxSessionDurationSeconds must be an integer from 3600 to 43200',
        'roles[0].colour is not a known field',
        'roles[1].oidc.providerArn must be an ARN',
        'roles[1].oidc.tokens must have at least one token',
        'roles[2].arn must be a role ARN',
        'roles has two roles named a',
        'credentialsUris[0].path must be a path outside',
        'credentialsUris[1].role must be the ARN of a role in roles',
        'ecsMetadata.role must be the ARN of a role in roles',
        'ecsMetadata.requireToken must be true or false',
        'faults[0].kind dts-error cannot apply to endpoint sts',
        'faults[1].endpoint must be one of dts, sts, credentials-uri, ecs-metadata',
      ]) {
        assert.ok(message.includes(expected), `missing "${expected}" in:\n${message}`);
      }
    });

    it('the demo scenario has a role the demo key can assume, also served as a credentials URI', async () => {
      const demo = loadScenario(resolve(__dirname, '../../../test/emulator/demo.json'));
      const [role] = demo.roles ?? [];
      assert.deepEqual(role.sourceAccessKeyIds, [demo.accessKeys[0].accessKeyId]);
      assert.deepEqual(demo.credentialsUris, [{ path: '/credentials/dts-demo-reader', role: role.arn }]);
      emu.setScenario(demo);
      const answer = await assumeRole({ params: { RoleArn: role.arn, RoleSessionName: 'demo' }, credentials: demo.accessKeys[0] });
      assert.equal(answer.status, 200, answer.text);
      const uri = credentialsOf(await send('GET', '/credentials/dts-demo-reader'));
      const client = new DtsClient({ credentials: uri, endpoint: emu.url, maxAttempts: 1, clock, timeoutMs: 2000 });
      assert.equal((await client.describeSynchronizationJobStatusList([demo.jobs[0].id], demo.jobs[0].region)).jobs.size, 1);
    });

    it('honours an STS key expiration in accessKeys', async () => {
      const sts = { accessKeyId: 'STS.NStaticToken01', accessKeySecret: 'static-sts-secret', securityToken: 'CAIS+static/token=' };
      emu.setScenario(scenario({}, { accessKeys: [SOURCE, { ...sts, expiration: '2024-05-01T08:10:00Z' }] }));
      await dts(sts);
      advance(600);
      assert.equal((await dtsFailure(sts)).code, 'InvalidSecurityToken.Expired');
    });
  });
});
