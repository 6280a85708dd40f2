import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { DtsClient } from '../../src/core/api/client';
import { DtsError } from '../../src/core/api/errors';
import { failureReason, precheckItemsFailedFirst, reasonLine } from '../../src/core/api/jobDetails';
import type { Credentials } from '../../src/core/api/signing';
import { loadScenario, parseScenario, ScenarioError, type Fault, type Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

const NOW = new Date('2024-05-01T08:00:00Z');
const KEY: Credentials = { accessKeyId: 'LTAI5tDetailsKey0001', accessKeySecret: 'details-secret-0001' };
const HZ = 'cn-hangzhou';
const FAILED = 'dtsf8r2t6y1u5i9o3p';
const LOADING = 'dtsi2o6p4a8s1d5f9g';
const PRECHECK = 'dtsq1w9e3r5t7y2u4i';
const EXPIRING = 'dtsl6n2b8v4c1x9z5w';
const TWO_WAY = 'dtsb5w3e7r1t9y2u6i';
const REASON = 'DTS-070211: Connect Source DB failed. cause by [com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure]';

function scenario(faults: Fault[] = []): Scenario {
  return {
    accessKeys: [KEY],
    jobs: [
      {
        id: FAILED, region: HZ, name: 'users-to-search', errorMessage: REASON, sourceEngine: 'MySQL', sourceInstanceId: 'rm-src', sourceIp: '10.0.0.1',
        sourcePort: '3306', destinationEngine: 'Elasticsearch', destinationInstanceId: 'es-dst', directions: [{ direction: 'Forward', status: 'Failed', lagSeconds: 7200 }],
      },
      {
        id: LOADING, region: HZ, directions: [{
          direction: 'Forward', status: 'Initializing', checkpoint: null,
          structureInitialization: { status: 'Finished', percent: 100, progress: 12 }, dataInitialization: { status: 'Migrating', percent: 42, progress: 1000 },
          performance: { rps: 5200, flow: 12.4 },
        }],
      },
      {
        id: PRECHECK, region: HZ, directions: [{
          direction: 'Forward', status: 'PrecheckFailed', checkpoint: null,
          precheck: { items: [
            { itemName: 'CHECK_CONN_SRC', checkStatus: 'Success' },
            { itemName: 'CHECK_BINLOG_FORMAT', checkStatus: 'Failed', errorMessage: 'binlog_format is STATEMENT', repairMethod: 'Set binlog_format=ROW' },
          ] },
        }],
      },
      { id: EXPIRING, region: HZ, payType: 'PrePaid', expireInDays: 2, directions: [{ direction: 'Forward', status: 'Synchronizing', lagSeconds: 5 }] },
      {
        id: TWO_WAY, region: HZ, directions: [
          { direction: 'Forward', status: 'Synchronizing', lagSeconds: 2 },
          { direction: 'Reverse', status: 'Failed', lagSeconds: 60, errorMessage: 'DTS-31009: reverse failed' },
        ],
      },
    ],
    faults,
  };
}

describe('DescribeSynchronizationJobStatus: client against the emulator', () => {
  let emu: Emulator;
  let client: DtsClient;

  beforeEach(async () => {
    emu = await startEmulator({ scenario: scenario(), clock: () => NOW });
    client = new DtsClient({ credentials: KEY, endpoint: emu.url, maxAttempts: 1, timeoutMs: 2000, clock: () => NOW });
  });

  afterEach(async () => {
    await client.close();
    await emu.close();
  });

  it('answers a failed job with its reason, endpoints without the user name, and PostPaid', async () => {
    const d = await client.describeSynchronizationJobStatus(FAILED, 'Forward', HZ);
    assert.equal(d.status, 'Failed');
    assert.equal(d.name, 'users-to-search');
    assert.equal(failureReason(d), REASON);
    assert.equal(reasonLine(d.errorMessage ?? ''), 'DTS-070211: Connect Source DB failed.');
    assert.deepEqual(d.source, { engineName: 'MySQL', instanceType: 'RDS', instanceId: 'rm-src', ip: '10.0.0.1', port: 3306 });
    assert.equal(d.destination?.engineName, 'Elasticsearch');
    assert.equal(d.payType, 'PostPaid');
    assert.equal(d.expireTime, undefined);
    assert.equal(d.checkpoint?.getTime(), NOW.getTime() - 7200_000);
    assert.equal(d.dataSynchronization?.errorMessage, REASON);
    assert.equal(emu.requests[0].action, 'DescribeSynchronizationJobStatus');
    assert.equal(emu.requests[0].outcome, 'ok');
  });

  it('answers the full load\'s progress and the performance', async () => {
    const d = await client.describeSynchronizationJobStatus(LOADING, 'Forward', HZ);
    assert.deepEqual(d.dataInitialization, { status: 'Migrating', percent: 42, progress: 1000 });
    assert.deepEqual(d.structureInitialization, { status: 'Finished', percent: 100, progress: 12 });
    assert.deepEqual(d.performance, { rps: 5200, flowMBps: 12.4 });
    assert.equal(d.checkpoint, null);
  });

  it('answers a failed precheck with its items and repair methods', async () => {
    const d = await client.describeSynchronizationJobStatus(PRECHECK, 'Forward', HZ);
    assert.equal(d.precheck?.status, 'Failed');
    assert.deepEqual(precheckItemsFailedFirst(d.precheck?.items ?? [])[0], {
      itemName: 'CHECK_BINLOG_FORMAT', checkStatus: 'Failed', errorMessage: 'binlog_format is STATEMENT', repairMethod: 'Set binlog_format=ROW',
    });
  });

  it('answers expireInDays relative to its clock, as a subscription', async () => {
    const d = await client.describeSynchronizationJobStatus(EXPIRING, 'Forward', HZ);
    assert.equal(d.payType, 'PrePaid');
    assert.equal(d.expireTime?.toISOString(), '2024-05-03T08:00:00.000Z');
  });

  it('answers each direction of a two-way job on its own', async () => {
    const forward = await client.describeSynchronizationJobStatus(TWO_WAY, 'Forward', HZ);
    const reverse = await client.describeSynchronizationJobStatus(TWO_WAY, 'Reverse', HZ);
    assert.equal(forward.status, 'Synchronizing');
    assert.equal(forward.errorMessage, undefined);
    assert.equal(reverse.direction, 'Reverse');
    assert.equal(reverse.errorMessage, 'DTS-31009: reverse failed');
  });

  it('refuses an unknown job, a job of another region and a direction the job does not have, with a typed error', async () => {
    for (const [id, direction, region] of [['dtsn0tth3r3x000001', 'Forward', HZ], [FAILED, 'Forward', 'cn-shanghai'], [FAILED, 'Reverse', HZ]]) {
      const e = await client.describeSynchronizationJobStatus(id, direction, region).then(() => undefined, (x: unknown) => x);
      assert.ok(e instanceof DtsError, String(e));
      assert.equal(e.code, 'InvalidJobId');
    }
  });

  it('plays faults scoped to the action, and leaves the status list alone', async () => {
    emu.setScenario(scenario([{ kind: 'dts-error', action: 'DescribeSynchronizationJobStatus', errCode: 'InternalError', errMessage: 'boom' }]));
    const e = await client.describeSynchronizationJobStatus(FAILED, 'Forward', HZ).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof DtsError);
    assert.equal(e.code, 'InternalError');
    const list = await client.describeSynchronizationJobStatusList([FAILED], HZ);
    assert.equal(list.jobs.get(FAILED)?.[0].status, 'Failed');
  });

  it('retries a throttled details call within the shared rate limit, like the status list', async () => {
    await client.close();
    client = new DtsClient({ credentials: KEY, endpoint: emu.url, maxAttempts: 3, timeoutMs: 2000, clock: () => NOW, sleep: async () => undefined });
    emu.setScenario(scenario([{ kind: 'throttle', action: 'DescribeSynchronizationJobStatus', times: 1 }]));
    const d = await client.describeSynchronizationJobStatus(FAILED, 'Forward', HZ);
    assert.equal(d.status, 'Failed');
    assert.deepEqual(emu.requests.map((r) => r.outcome), ['Throttling.User', 'ok']);
  });
});

describe('scenario details fields', () => {
  it('loads the demo: a failing job with its DTS code, a full load at 42 %, a failed precheck, an expiry in 2 days', () => {
    const demo = loadScenario(resolve(__dirname, '../../../test/emulator/demo.json'));
    const job = (id: string) => demo.jobs.find((j) => j.id === id);
    assert.match(job(FAILED)?.errorMessage ?? '', /^DTS-070211: Connect Source DB failed\. cause by \[com\.mysql\.cj\.jdbc\.exceptions\.CommunicationsException: Communications link failure/);
    assert.equal(job(LOADING)?.directions[0].dataInitialization?.percent, 42);
    assert.ok(job(PRECHECK)?.directions[0].precheck?.items.some((i) => i.checkStatus === 'Failed' && i.repairMethod));
    assert.equal(job(EXPIRING)?.expireInDays, 2);
  });

  it('names every bad details field by its path', () => {
    const bad = {
      accessKeys: [KEY],
      jobs: [{
        id: FAILED, region: HZ, expireTime: '2024-02-30T00:00:00Z', expireInDays: 'two',
        directions: [{ direction: 'Forward', status: 'Failed', dataInitialization: { status: 'Migrating', percent: 142 }, precheck: { items: [{ itemName: 'X' }] }, performance: { rps: -1 } }],
      }],
    };
    assert.throws(() => parseScenario(bad), (e: unknown) => {
      assert.ok(e instanceof ScenarioError);
      const text = e.problems.join('\n');
      assert.match(text, /jobs\[0\]\.expireTime must be a real UTC time/);
      assert.match(text, /jobs\[0\]\.expireInDays must be a number of days/);
      assert.match(text, /jobs\[0\]\.directions\[0\]\.dataInitialization\.percent must be a number from 0 to 100/);
      assert.match(text, /jobs\[0\]\.directions\[0\]\.precheck\.items\[0\]\.checkStatus must be/);
      assert.match(text, /jobs\[0\]\.directions\[0\]\.performance\.rps must be/);
      return true;
    });
  });
});
