import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { DtsClient, type ClientOptions } from '../../src/core/api/client';
import {
  BadResponseError, CredentialsRejectedError, DtsError, NetworkError, RequestRejectedError, ServerError, ThrottledError,
  TimeoutError,
} from '../../src/core/api/errors';
import { canonicalQueryString, signV3, v2CommonParams, v2Signature, type Credentials } from '../../src/core/api/signing';
import { allJobs, loadScenario, parseScenario, ScenarioError, type Fault, type Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

const START = new Date('2024-05-01T08:00:00Z');
const KEY: Credentials = { accessKeyId: 'LTAI5tTestKey0001', accessKeySecret: 'test-secret-0001' };
const STS_KEY: Credentials = { accessKeyId: 'STS.NTestKey0002', accessKeySecret: 'sts-secret-0002', securityToken: 'CAIS+tok/en==' };
const HZ = 'cn-hangzhou';

const JOB = {
  healthy: 'dtsa1b2c3d4e5f6g7h',
  lowercase: 'dtsc4s3l0w3r9k2m1n',
  twoWay: 'dtsb5w3e7r1t9y2u6i',
  fixedCheckpoint: 'dtsf1x3dc8p0i1n2t3',
  noCheckpoint: 'dtsi2o6p4a8s1d5f9g',
  shanghai: 'dtss7h3j9k1l5z2x8c',
};

function scenario(extra: Partial<Scenario> = {}): Scenario {
  return {
    accessKeys: [
      { accessKeyId: KEY.accessKeyId, accessKeySecret: KEY.accessKeySecret },
      { accessKeyId: STS_KEY.accessKeyId, accessKeySecret: STS_KEY.accessKeySecret, securityToken: STS_KEY.securityToken },
    ],
    jobs: [
      { id: JOB.healthy, region: HZ, name: 'orders-to-analytics', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 3 }] },
      { id: JOB.lowercase, region: HZ, name: 'Billing replica', directions: [{ direction: 'Forward', status: 'synchronizing', lagSeconds: 0 }] },
      {
        id: JOB.twoWay, region: HZ, name: 'orders two-way',
        directions: [
          { direction: 'Forward', status: 'Synchronizing', lagSeconds: 2 },
          { direction: 'Reverse', status: 'Initializating', lagSeconds: 900 },
        ],
      },
      { id: JOB.fixedCheckpoint, region: HZ, directions: [{ direction: 'Forward', status: 'Failed', checkpoint: '1610524457' }] },
      { id: JOB.noCheckpoint, region: HZ, directions: [{ direction: 'Forward', status: 'Initializing', checkpoint: null }] },
      { id: JOB.shanghai, region: 'cn-shanghai', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 1 }] },
    ],
    ...extra,
  };
}

const faults = (...list: Fault[]): Scenario => scenario({ faults: list });

describe('DTS emulator', () => {
  let now = START;
  const clock = (): Date => now;
  let emu: Emulator;
  let host: string;
  const agent = new Agent();
  const clients: DtsClient[] = [];

  function client(options: Partial<ClientOptions> = {}): DtsClient {
    const c = new DtsClient({ credentials: KEY, endpoint: emu.url, signatureVersion: 'v3', maxAttempts: 1, clock, timeoutMs: 2000, ...options });
    clients.push(c);
    return c;
  }

  async function failure(promise: Promise<unknown>): Promise<DtsError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DtsError, `expected a DtsError, got ${String(error)}`);
    return error;
  }

  interface RawRequest {
    readonly query: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
  }

  interface RawAnswer {
    readonly status: number;
    readonly headers: Record<string, string | string[] | undefined>;
    readonly text: string;
    readonly json: Record<string, unknown>;
  }

  function v3Request(o: {
    action?: string; params?: Record<string, string>; credentials?: Credentials; date?: Date; nonce?: string; version?: string;
  } = {}): RawRequest {
    const params = o.params ?? { SynchronizationJobIdListJsonStr: JSON.stringify([JOB.healthy]), RegionId: HZ };
    const signed = signV3({
      method: 'POST', host, action: o.action ?? 'DescribeSynchronizationJobStatusList', version: o.version ?? '2020-01-01',
      query: params, credentials: o.credentials ?? KEY, date: o.date ?? now, nonce: o.nonce ?? `nonce-${Math.random()}`,
    });
    return { query: canonicalQueryString(params), headers: signed.headers };
  }

  /** A V2 request; `timestamp` replaces the Timestamp before signing, to send a well-signed malformed one. */
  function v2Request(o: { credentials?: Credentials; timestamp?: string } = {}): RawRequest {
    const credentials = o.credentials ?? KEY;
    const params = v2CommonParams({
      method: 'POST', action: 'DescribeSynchronizationJobStatusList', version: '2020-01-01',
      params: { SynchronizationJobIdListJsonStr: JSON.stringify([JOB.healthy]), RegionId: HZ },
      credentials, date: now, nonce: `nonce-${Math.random()}`,
    });
    if (o.timestamp !== undefined) {
      params['Timestamp'] = o.timestamp;
    }
    const { signature } = v2Signature('POST', params, credentials.accessKeySecret);
    return { query: canonicalQueryString({ ...params, Signature: signature }), headers: {} };
  }

  async function send(raw: RawRequest, path = '/'): Promise<RawAnswer> {
    const res = await request(`${emu.url}${path}?${raw.query}`, { method: 'POST', headers: raw.headers, body: raw.body, dispatcher: agent });
    const text = await res.body.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Left empty: the test looks at `text`.
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  }

  before(async () => {
    emu = await startEmulator({ scenario: scenario(), clock });
    host = new URL(emu.url).host;
  });

  beforeEach(() => {
    now = START;
    emu.setScenario(scenario());
    emu.clearRequests();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  after(async () => {
    await emu.close();
    await agent.close();
  });

  describe('DescribeSynchronizationJobStatusList', () => {
    it('answers a V3-signed client with each direction, its status and its checkpoint', async () => {
      const result = await client().describeSynchronizationJobStatusList([JOB.healthy, JOB.twoWay], HZ);
      assert.deepEqual(result.jobs.get(JOB.healthy), [
        { direction: 'Forward', status: 'Synchronizing', checkpoint: new Date(START.getTime() - 3000) },
      ]);
      assert.deepEqual(result.jobs.get(JOB.twoWay)?.map((d) => d.direction), ['Forward', 'Reverse']);
      assert.match(result.requestId ?? '', /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    });

    it('answers a V2-signed client', async () => {
      const result = await client({ signatureVersion: 'v2' }).describeSynchronizationJobStatusList([JOB.healthy], HZ);
      assert.equal(result.jobs.get(JOB.healthy)?.[0].status, 'Synchronizing');
      assert.equal(emu.requests[0].signatureVersion, 'v2');
    });

    it('leaves out unknown IDs and jobs of other regions without an error', async () => {
      const result = await client().describeSynchronizationJobStatusList([JOB.healthy, JOB.shanghai, 'dtsnotthere0000000'], HZ);
      assert.deepEqual([...result.jobs.keys()], [JOB.healthy]);
      const raw = await send(v3Request({ params: { SynchronizationJobIdListJsonStr: JSON.stringify([JOB.shanghai]), RegionId: 'cn-shanghai' } }));
      assert.equal(raw.json['TotalRecordCount'], 1);
    });

    it('passes statuses through verbatim, whatever their case or spelling', async () => {
      const result = await client().describeSynchronizationJobStatusList([JOB.lowercase, JOB.twoWay], HZ);
      assert.equal(result.jobs.get(JOB.lowercase)?.[0].status, 'synchronizing');
      assert.equal(result.jobs.get(JOB.twoWay)?.[1].status, 'Initializating');
    });

    it('computes the checkpoint as the emulator clock minus the lag, in unix seconds', async () => {
      const ids = [JOB.healthy, JOB.twoWay];
      const first = await send(v3Request({ params: { SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: HZ } }));
      const seconds = START.getTime() / 1000;
      const checkpoints = (first.json['SynchronizationJobListStatusList'] as { SynchronizationDirectionInfoList: { Checkpoint?: string }[] }[])
        .flatMap((job) => job.SynchronizationDirectionInfoList.map((d) => d.Checkpoint));
      assert.deepEqual(checkpoints, [String(seconds - 3), String(seconds - 2), String(seconds - 900)]);

      now = new Date(START.getTime() + 60_000);
      const later = await client().describeSynchronizationJobStatusList([JOB.healthy], HZ);
      assert.equal(later.jobs.get(JOB.healthy)?.[0].checkpoint?.getTime(), (seconds + 57) * 1000);
    });

    it('sends a checkpoint override verbatim and omits a null one', async () => {
      const raw = await send(v3Request({ params: { SynchronizationJobIdListJsonStr: JSON.stringify([JOB.fixedCheckpoint, JOB.noCheckpoint]), RegionId: HZ } }));
      assert.deepEqual(raw.json['SynchronizationJobListStatusList'], [
        { SynchronizationJobId: JOB.fixedCheckpoint, SynchronizationDirectionInfoList: [{ Status: 'Failed', Checkpoint: '1610524457', SynchronizationDirection: 'Forward' }] },
        { SynchronizationJobId: JOB.noCheckpoint, SynchronizationDirectionInfoList: [{ Status: 'Initializing', SynchronizationDirection: 'Forward' }] },
      ]);
    });

    it('dates its answer with the emulator clock and sends JSON with the page fields', async () => {
      now = new Date('2031-02-03T04:05:06Z');
      const result = await client().describeSynchronizationJobStatusList([JOB.healthy], HZ);
      assert.equal(result.serverDate?.toISOString(), '2031-02-03T04:05:06.000Z');
      const raw = await send(v3Request());
      assert.equal(raw.headers['date'], 'Mon, 03 Feb 2031 04:05:06 GMT');
      assert.equal(raw.headers['content-type'], 'application/json;charset=utf-8');
      assert.deepEqual(
        [raw.json['Success'], raw.json['PageNumber'], raw.json['PageRecordCount'], raw.json['TotalRecordCount']],
        [true, 1, 1, 1],
      );
    });

    it('sends Success as the string "true" when the scenario asks for the documented type', async () => {
      emu.setScenario(scenario({ successAsString: true }));
      const raw = await send(v3Request());
      assert.equal(raw.json['Success'], 'true');
      assert.ok((await client().describeSynchronizationJobStatusList([JOB.healthy], HZ)).jobs.has(JOB.healthy));
    });

    it('answers MissingParameter without SynchronizationJobIdListJsonStr', async () => {
      const raw = await send(v3Request({ params: { RegionId: HZ } }));
      assert.equal(raw.status, 400);
      assert.equal(raw.json['Code'], 'MissingParameter');
      assert.deepEqual(Object.keys(raw.json).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    });
  });

  describe('DescribeSynchronizationJobs', () => {
    const list = (c: DtsClient, params: Record<string, string>): Promise<Record<string, unknown>> =>
      c.call('DescribeSynchronizationJobs', params, HZ, 0, undefined, (r) => {
        if (r.status !== 200) {
          throw new RequestRejectedError({ code: String((JSON.parse(r.body) as { Code: unknown }).Code), httpStatus: r.status });
        }
        return JSON.parse(r.body) as Record<string, unknown>;
      });

    it('lists the instances of a region, paged, with a fuzzy name filter', async () => {
      const all = await list(client(), { RegionId: HZ, PageSize: '10' });
      assert.equal(all['TotalRecordCount'], 5);
      const page = await list(client(), { RegionId: HZ, SynchronizationJobName: 'ORDERS', PageNum: '1', PageSize: '10' });
      const instances = page['SynchronizationInstances'] as Record<string, unknown>[];
      assert.deepEqual(instances.map((i) => i['SynchronizationJobId']), [JOB.healthy, JOB.twoWay]);
      const endpoint = { EngineName: 'MySQL', InstanceType: 'RDS', InstanceId: '', IP: '', Port: '3306', UserName: 'dtstest' };
      assert.deepEqual(instances[0], {
        SynchronizationJobId: JOB.healthy, SynchronizationJobName: 'orders-to-analytics', SynchronizationDirection: 'Forward',
        SynchronizationJobClass: 'medium', Status: 'Synchronizing', Delay: '3', ErrorMessage: '', SourceEndpoint: endpoint,
        DestinationEndpoint: endpoint, PayType: 'PostPaid', Performance: { RPS: '0', FLOW: '0' }, StructureInitialization: 'true',
        DataInitialization: 'true', SynchronizationObjects: [], Tags: [],
      });
      const second = await list(client(), { RegionId: HZ, PageNum: '2', PageSize: '10' });
      assert.deepEqual([second['PageNumber'], second['PageRecordCount'], second['TotalRecordCount']], [2, 0, 5]);
    });

    it('refuses a page size other than 10, 20 or 30', async () => {
      for (const size of ['25', '0', '31', '-10', 'ten', '']) {
        const error = await failure(list(client(), { RegionId: HZ, PageSize: size }));
        assert.equal(error.code, 'InvalidParameter', size);
      }
    });

    it('refuses a page number that is not an integer from 1 to 2147483647', async () => {
      for (const num of ['0', '-1', '1.5', 'x', '2147483648', '']) {
        const error = await failure(list(client(), { RegionId: HZ, PageNum: num }));
        assert.deepEqual([error.code, error.httpStatus], ['InvalidParameter', 400], num);
      }
      const last = await list(client(), { RegionId: HZ, PageNum: '2147483647' });
      assert.deepEqual(last['SynchronizationInstances'], []);
    });

    it('refuses a listing without RegionId', async () => {
      assert.equal((await failure(list(client(), { PageNum: '1' }))).code, 'MissingParameter');
    });

    it('lists a fleet after the region\'s jobs, 45 over two pages, and answers its jobs\' statuses too', async () => {
      emu.setScenario(scenario({ fleets: [{ region: 'cn-shanghai', count: 44, namePrefix: 'shop', statuses: ['Synchronizing', 'Suspending'] }] }));
      const sh = (params: Record<string, string>) => list(client(), { RegionId: 'cn-shanghai', ...params });
      const first = await sh({ PageNum: '1' });
      const second = await sh({ PageNum: '2' });
      const ids = [...(first['SynchronizationInstances'] as { SynchronizationJobId: string }[]), ...(second['SynchronizationInstances'] as { SynchronizationJobId: string }[])].map((i) => i.SynchronizationJobId);
      assert.deepEqual([first['TotalRecordCount'], first['PageRecordCount'], second['PageRecordCount']], [45, 30, 15]);
      assert.equal(new Set(ids).size, 45);
      assert.equal(ids[0], JOB.shanghai);
      assert.ok(ids.every((id) => /^dts[a-z0-9]{15}$/.test(id)));
      const named = await sh({ SynchronizationJobName: 'SHOP-4' });
      assert.deepEqual((named['SynchronizationInstances'] as { SynchronizationJobName: string }[]).map((i) => i.SynchronizationJobName), ['shop-40', 'shop-41', 'shop-42', 'shop-43', 'shop-44']);
      const status = await client().describeSynchronizationJobStatusList([ids[2]], 'cn-shanghai');
      assert.equal(status.jobs.get(ids[2])?.[0].status, 'Suspending');
    });

    it('refuses a fleet whose jobs another fleet already makes', () => {
      const fleet = { region: 'cn-shanghai', count: 2, namePrefix: 'twice' };
      assert.throws(() => parseScenario(scenario({ fleets: [fleet, fleet] })), /fleets make job dts[0-9a-f]{15} a second time/);
      assert.throws(() => parseScenario(scenario({ fleets: [{ ...fleet, count: 0 }] })), /fleets\[0\]\.count must be an integer from 1 to 5000/);
    });

    it('plays faults scoped to the action and region for it', async () => {
      emu.setScenario(scenario({ faults: [{ kind: 'dts-error', action: 'DescribeSynchronizationJobs', region: 'cn-beijing', errCode: 'InternalError' }] }));
      const ok = await list(client(), { RegionId: HZ });
      assert.equal(ok['TotalRecordCount'], 5);
      const failed = await list(client(), { RegionId: 'cn-beijing' });
      assert.deepEqual([failed['Success'], failed['ErrCode']], [false, 'InternalError']);
    });
  });

  describe('signatures', () => {
    it('refuses a wrong secret with SignatureDoesNotMatch, in V3 and V2', async () => {
      for (const signatureVersion of ['v3', 'v2'] as const) {
        const c = client({ credentials: { ...KEY, accessKeySecret: 'wrong' }, signatureVersion });
        const error = await failure(c.describeSynchronizationJobStatusList([JOB.healthy], HZ));
        assert.ok(error instanceof CredentialsRejectedError);
        assert.equal(error.code, 'SignatureDoesNotMatch');
        assert.equal(error.httpStatus, 400);
        assert.match(error.apiMessage ?? '', /^Specified signature is not matched with our calculation\./);
      }
    });

    it('refuses a replayed request with SignatureNonceUsed', async () => {
      for (const raw of [v3Request(), v2Request()]) {
        assert.equal((await send(raw)).status, 200);
        const replay = await send(raw);
        assert.deepEqual([replay.status, replay.json['Code']], [400, 'SignatureNonceUsed']);
      }
    });

    it('refuses a timestamp 20 minutes off the emulator clock', async () => {
      const c = client({ clock: () => new Date(now.getTime() - 20 * 60_000) });
      const error = await failure(c.describeSynchronizationJobStatusList([JOB.healthy], HZ));
      assert.ok(error instanceof RequestRejectedError);
      assert.equal(error.code, 'InvalidTimeStamp.Expired');
      assert.ok((await client({ clock: () => new Date(now.getTime() + 14 * 60_000) }).describeSynchronizationJobStatusList([JOB.healthy], HZ)).jobs.size);
    });

    it('refuses a malformed timestamp with InvalidTimeStamp.Format', async () => {
      const raw = await send(v2Request({ timestamp: '2024-05-01 08:00:00' }));
      assert.deepEqual([raw.status, raw.json['Code']], [400, 'InvalidTimeStamp.Format']);
    });

    it('answers 404 InvalidAccessKeyId.NotFound for an unknown key', async () => {
      const c = client({ credentials: { accessKeyId: 'LTAI5tNobody', accessKeySecret: 'x' } });
      const error = await failure(c.describeSynchronizationJobStatusList([JOB.healthy], HZ));
      assert.ok(error instanceof CredentialsRejectedError);
      assert.deepEqual([error.code, error.httpStatus], ['InvalidAccessKeyId.NotFound', 404]);
    });

    it('accepts an STS key with its token and refuses a wrong or missing token', async () => {
      for (const signatureVersion of ['v3', 'v2'] as const) {
        assert.ok((await client({ credentials: STS_KEY, signatureVersion }).describeSynchronizationJobStatusList([JOB.healthy], HZ)).jobs.size);
        const wrong = await failure(client({ credentials: { ...STS_KEY, securityToken: 'CAIS+other' }, signatureVersion }).describeSynchronizationJobStatusList([JOB.healthy], HZ));
        assert.ok(wrong instanceof CredentialsRejectedError);
        assert.match(wrong.code, /^InvalidSecurityToken\./);
        const withoutToken = { accessKeyId: STS_KEY.accessKeyId, accessKeySecret: STS_KEY.accessKeySecret };
        const missing = await failure(client({ credentials: withoutToken, signatureVersion }).describeSynchronizationJobStatusList([JOB.healthy], HZ));
        assert.match(missing.code, /^InvalidSecurityToken\./);
      }
    });

    it('refuses V3 requests with a missing header, an unsigned x-acs header, a bad Authorization or a body that is not hashed', async () => {
      const noNonce = v3Request();
      delete noNonce.headers['x-acs-signature-nonce'];
      assert.equal((await send(noNonce)).json['Code'], 'MissingParameter');

      const extra = v3Request();
      extra.headers['x-acs-extra'] = 'sneaked in';
      assert.equal((await send(extra)).json['Code'], 'IncompleteSignature');

      const garbled = v3Request();
      garbled.headers['authorization'] = 'ACS3-HMAC-SHA256 Signature=abc';
      assert.equal((await send(garbled)).json['Code'], 'IncompleteSignature');

      const withBody = { ...v3Request(), body: 'RegionId=cn-shanghai' };
      assert.equal((await send(withBody)).json['Code'], 'SignatureDoesNotMatch');
    });

    it('refuses a V2 request without Signature or with a tampered parameter', async () => {
      const unsigned = v2Request();
      const noSignature = await send({ ...unsigned, query: unsigned.query.replace(/&Signature=[^&]*/, '') });
      assert.equal(noSignature.json['Code'], 'IncompleteSignature');
      const tampered = await send({ ...unsigned, query: unsigned.query.replace('RegionId=cn-hangzhou', 'RegionId=cn-shanghai') });
      assert.equal(tampered.json['Code'], 'SignatureDoesNotMatch');
    });

    it('answers 404 InvalidApi.NotFound for an unknown action and InvalidVersion for another version', async () => {
      const unknown = await send(v3Request({ action: 'DescribeNothing' }));
      assert.deepEqual([unknown.status, unknown.json['Code']], [404, 'InvalidApi.NotFound']);
      const version = await send(v3Request({ version: '2016-08-01' }));
      assert.deepEqual([version.status, version.json['Code']], [400, 'InvalidVersion']);
    });

    it('logs who asked for what, and never the secret or the token', async () => {
      await client({ credentials: STS_KEY }).describeSynchronizationJobStatusList([JOB.healthy], HZ);
      await failure(client({ credentials: { ...KEY, accessKeySecret: 'wrong-secret' } }).describeSynchronizationJobStatusList([JOB.healthy], HZ));
      const [ok, refused] = emu.requests;
      assert.equal(ok.action, 'DescribeSynchronizationJobStatusList');
      assert.deepEqual([ok.signatureVersion, ok.accessKeyId, ok.regionId, ok.jobIds, ok.outcome], ['v3', STS_KEY.accessKeyId, HZ, [JOB.healthy], 'ok']);
      assert.ok(ok.nonce);
      assert.deepEqual([refused.httpStatus, refused.outcome], [400, 'SignatureDoesNotMatch']);
      const logged = JSON.stringify(emu.requests);
      for (const secret of [KEY.accessKeySecret, STS_KEY.accessKeySecret, STS_KEY.securityToken ?? '', 'wrong-secret']) {
        assert.ok(!logged.includes(secret), `the log holds ${secret}`);
      }
    });
  });

  describe('faults', () => {
    const ask = (c: DtsClient): Promise<unknown> => c.describeSynchronizationJobStatusList([JOB.healthy], HZ);

    it('throttles with Throttling.User and x-acs-retry-after', async () => {
      emu.setScenario(faults({ kind: 'throttle', retryAfterMs: 1500 }));
      const error = await failure(ask(client()));
      assert.ok(error instanceof ThrottledError);
      assert.deepEqual([error.code, error.httpStatus, error.retryAfterMs], ['Throttling.User', 400, 1500]);
      assert.equal(error.apiMessage, 'Request was denied due to user flow control.');
    });

    it('answers 503 ServiceUnavailable, or 500 InternalError when asked', async () => {
      emu.setScenario(faults({ kind: 'server-error', times: 1 }, { kind: 'server-error', status: 500, times: 1 }));
      const unavailable = await failure(ask(client()));
      assert.ok(unavailable instanceof ServerError);
      assert.deepEqual([unavailable.code, unavailable.httpStatus], ['ServiceUnavailable', 503]);
      const internal = await failure(ask(client()));
      assert.deepEqual([internal.code, internal.httpStatus], ['InternalError', 500]);
    });

    it('hangs until the client gives up', async () => {
      emu.setScenario(faults({ kind: 'hang' }));
      const error = await failure(ask(client({ timeoutMs: 300 })));
      assert.ok(error instanceof TimeoutError);
      assert.equal(emu.requests[0].outcome, 'hang');
    });

    it('resets the connection without an answer', async () => {
      emu.setScenario(faults({ kind: 'reset' }));
      const error = await failure(ask(client()));
      assert.ok(error instanceof NetworkError && !(error instanceof TimeoutError));
    });

    it('answers a proxy HTML page with HTTP 502', async () => {
      emu.setScenario(faults({ kind: 'html', title: 'Gateway <b>down</b>' }));
      const error = await failure(ask(client()));
      assert.ok(error instanceof BadResponseError);
      assert.equal(error.httpStatus, 502);
      assert.match(error.message, /HTML page \("Gateway &#60;b&#62;down&#60;\/b&#62;"\)/);
    });

    it('cuts the JSON in half behind a matching content-length', async () => {
      emu.setScenario(faults({ kind: 'truncated', times: 1 }, { kind: 'truncated', times: 1 }));
      const error = await failure(ask(client()));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /truncated/);
      const raw = await send(v3Request());
      assert.equal(raw.status, 200);
      assert.equal(Number(raw.headers['content-length']), Buffer.byteLength(raw.text));
      assert.ok(raw.text.startsWith('{"RequestId"'));
    });

    it('answers a DTS business error with Success false and ErrCode', async () => {
      emu.setScenario(faults({ kind: 'dts-error', errCode: 'InvalidJobId', errMessage: 'The job does not exist.', times: 1 }, { kind: 'dts-error', times: 1 }));
      const error = await failure(ask(client()));
      assert.ok(error instanceof RequestRejectedError);
      assert.deepEqual([error.code, error.apiMessage, error.httpStatus], ['InvalidJobId', 'The job does not exist.', 200]);
      const raw = await send(v3Request());
      assert.deepEqual([raw.status, raw.json['Success'], raw.json['ErrCode']], [200, false, 'InternalError']);
      assert.deepEqual(emu.requests.map((r) => [r.outcome, r.fault]), [['InvalidJobId', 'dts-error'], ['InternalError', 'dts-error']]);
    });

    it('answers normally after the delay of a slow fault', async () => {
      emu.setScenario(faults({ kind: 'slow', delayMs: 150 }));
      const started = performance.now();
      await ask(client());
      assert.ok(performance.now() - started >= 140);
      assert.ok((await failure(ask(client({ timeoutMs: 50 })))) instanceof TimeoutError);
    });

    it('applies a fault to the next `times` requests, then answers normally', async () => {
      emu.setScenario(faults({ kind: 'throttle', times: 2 }));
      const result = await client({ maxAttempts: 3, sleep: async () => undefined }).describeSynchronizationJobStatusList([JOB.healthy], HZ);
      assert.ok(result.jobs.has(JOB.healthy));
      assert.deepEqual(emu.requests.map((r) => r.outcome), ['Throttling.User', 'Throttling.User', 'ok']);
      assert.deepEqual(emu.faultCounters, [{ index: 0, kind: 'throttle', applied: 2, remaining: 0 }]);
    });

    it('strikes only matching actions and regions, and only after the signature is verified', async () => {
      emu.setScenario(faults({ kind: 'server-error', region: 'cn-shanghai' }, { kind: 'throttle', action: 'DescribeSynchronizationJobs' }, { kind: 'reset', times: 1, region: 'cn-beijing' }));
      assert.ok((await client().describeSynchronizationJobStatusList([JOB.healthy], HZ)).jobs.size);
      assert.ok((await failure(client().describeSynchronizationJobStatusList([JOB.shanghai], 'cn-shanghai'))) instanceof ServerError);
      const refused = await failure(client({ credentials: { ...KEY, accessKeySecret: 'wrong' } }).describeSynchronizationJobStatusList([JOB.shanghai], 'cn-shanghai'));
      assert.equal(refused.code, 'SignatureDoesNotMatch');
      assert.deepEqual(emu.faultCounters.map((c) => c.applied), [1, 0, 0]);
    });
  });

  describe('admin hook', () => {
    it('replaces the scenario with PUT /__emulator/scenario and lists requests', async () => {
      const put = await request(`${emu.url}/__emulator/scenario`, {
        method: 'PUT', body: JSON.stringify(scenario({ jobs: [{ id: JOB.healthy, region: HZ, directions: [{ direction: 'Forward', status: 'Finished' }] }] })), dispatcher: agent,
      });
      await put.body.dump();
      assert.equal(put.statusCode, 204);
      assert.equal((await client().describeSynchronizationJobStatusList([JOB.healthy], HZ)).jobs.get(JOB.healthy)?.[0].status, 'Finished');
      const log = await request(`${emu.url}/__emulator/requests`, { dispatcher: agent });
      assert.deepEqual(((await log.body.json()) as { outcome: string }[]).map((r) => r.outcome), ['ok']);
    });

    it('refuses an invalid scenario with the path of each problem', async () => {
      const bad = { accessKeys: [], jobs: [{ id: 'dtsx', region: HZ, directions: [{ direction: 'Sideways', status: 'Synchronizing' }] }] };
      const put = await request(`${emu.url}/__emulator/scenario`, { method: 'PUT', body: JSON.stringify(bad), dispatcher: agent });
      const body = (await put.body.json()) as { Code: string; Message: string };
      assert.equal(put.statusCode, 400);
      assert.match(body.Message, /jobs\[0\]\.directions\[0\]\.direction must be "Forward" or "Reverse"/);
    });
  });

  it('closes promptly with a hung request open', async () => {
    const own = await startEmulator({ scenario: faults({ kind: 'hang' }) });
    const hung = request(`${own.url}/?x=1`, { method: 'POST', dispatcher: agent }).then(() => 'answered', () => 'failed');
    while (own.requests.length === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const started = performance.now();
    await own.close();
    assert.equal(await hung, 'failed');
    assert.ok(performance.now() - started < 500);
  });
});

describe('emulator scenarios', () => {
  it('loads the demo scenario', () => {
    const demo = loadScenario(resolve(__dirname, '../../../test/emulator/demo.json'));
    assert.equal(demo.accessKeys[0].accessKeyId, 'LTAI5tDemoAccessKey0001');
    assert.ok(demo.jobs.some((j) => j.region === 'cn-shanghai'));
    assert.ok(demo.jobs.some((j) => j.directions.length === 2));
    assert.ok(demo.jobs.every((j) => /^dts[a-z0-9]{15}$/.test(j.id)));
  });

  it('gives the demo a region of 45 jobs to list, none of the unwatched ones failing', () => {
    const demo = loadScenario(resolve(__dirname, '../../../test/emulator/demo.json'));
    assert.equal(allJobs(demo).filter((j) => j.region === 'cn-shanghai').length, 45);
    const unwatched = allJobs(demo).slice(demo.jobs.length);
    assert.equal(unwatched.length, 44);
    assert.ok(unwatched.every((j) => /^dts[a-z0-9]{15}$/.test(j.id) && !/failed|locked/i.test(j.directions[0].status)));
  });

  it('names the file and every problem in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dts-emulator-'));
    try {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify({
        accessKeys: [{ accessKeyId: 'a' }],
        jobs: [{ id: 'dtsx', region: 'Hangzhou', directions: [{ direction: 'Forward', status: 'Synchronizing', lagSecond: 3 }] }],
        faults: [{ kind: 'explode' }, { kind: 'slow' }, { kind: 'throttle', times: 0 }],
      }));
      assert.throws(() => loadScenario(file), (error: unknown) => {
        assert.ok(error instanceof ScenarioError);
        assert.ok(error.message.startsWith(`${file} is not a valid scenario`));
        assert.deepEqual(error.problems, [
          'accessKeys[0].accessKeySecret must be a non-empty string (got undefined)',
          'jobs[0].region must be a region ID such as cn-hangzhou (got "Hangzhou")',
          'jobs[0].directions[0].lagSecond is not a known field (expected one of: direction, status, lagSeconds, checkpoint, errorMessage, precheck, structureInitialization, dataInitialization, performance)',
          'faults[0].kind must be one of throttle, server-error, hang, reset, html, truncated, dts-error, slow (got "explode")',
          'faults[1].delayMs must be an integer >= 0 (got undefined)',
          'faults[2].times must be an integer >= 1 (got 0)',
        ]);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a direction with both a lag and a checkpoint', () => {
    assert.throws(
      () => parseScenario({ accessKeys: [], jobs: [{ id: 'dtsx', region: 'cn-hangzhou', directions: [{ direction: 'Forward', status: 'x', lagSeconds: 1, checkpoint: '1' }] }] }),
      /jobs\[0\]\.directions\[0\] has both lagSeconds and checkpoint/,
    );
  });
});
