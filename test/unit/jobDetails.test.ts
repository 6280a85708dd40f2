import * as assert from 'node:assert/strict';
import { BadResponseError, DtsError, RequestRejectedError } from '../../src/core/api/errors';
import {
  failureReason,
  interpretJobDetailsResponse,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_PRECHECK_ITEMS,
  precheckItemsFailedFirst,
  readExpireTime,
  reasonLine,
  type JobDetails,
} from '../../src/core/api/jobDetails';

const JSON_TYPE = { 'content-type': 'application/json;charset=utf-8' };

function details(body: unknown, status = 200, headers: Record<string, string> = JSON_TYPE): JobDetails {
  return interpretJobDetailsResponse(status, headers, typeof body === 'string' ? body : JSON.stringify(body));
}

function fails(body: unknown, status = 200): DtsError {
  try {
    details(body, status);
  } catch (e) {
    assert.ok(e instanceof DtsError, `not a DtsError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a DtsError');
}

/** The answer as the official SDK model documents it (`dts-20200101` DescribeSynchronizationJobStatusResponseBody). */
const SDK_ANSWER = {
  RequestId: 'DACDF659-AFC6-4DC8-ADB8-4569419A4****',
  Success: 'true',
  SynchronizationJobId: 'dtsexjk1alb116****',
  SynchronizationJobName: 'MySQL同步',
  SynchronizationDirection: 'Forward',
  SynchronizationJobClass: 'large',
  Status: 'synchronizing',
  Checkpoint: '1610616144',
  Delay: '0',
  DelayMillis: 506,
  PayType: 'PrePaid',
  ExpireTime: '2021-03-07T16:00:00Z',
  StructureInitialization: 'true',
  DataInitialization: 'true',
  ErrorMessage:
    'DTS-070211: Connect Source DB failed. cause by [com.mysql.jdbc.exceptions.jdbc4.CommunicationsException:Communications link failure\\n\\nThe last packet sent successfully]',
  PrecheckStatus: {
    Status: 'Failed',
    Percent: '100',
    Detail: [
      { ItemName: 'CHECK_SRC', CheckStatus: 'Success' },
      {
        ItemName: 'CHECK_CONN_SRC',
        CheckStatus: 'Failed',
        ErrorMessage: 'Original error: Access denied for user "dtstest"@"100.104.***.**" (using password: YES)',
        RepairMethod: 'CHECK_ERROR_DEST_CONN_REPAIR2',
      },
    ],
  },
  StructureInitializationStatus: { Status: 'Finished', Percent: '100', Progress: '1', ErrorMessage: '' },
  DataInitializationStatus: { Status: 'Migrating', Percent: '42', Progress: '200001' },
  DataSynchronizationStatus: { Status: 'Migrating', Percent: '95', Delay: '3', DelayMillis: 856, Checkpoint: '1610709865', ErrorMessage: '任务失败太久无法恢复' },
  Performance: { RPS: '100', FLOW: '1.5' },
  SourceEndpoint: { EngineName: 'MySQL', InstanceType: 'RDS', InstanceId: 'rm-bp1i99e8l7913****', IP: '172.16.88.***', Port: '3306', UserName: 'dtstest' },
  DestinationEndpoint: { EngineName: 'MySQL', InstanceType: 'RDS', InstanceId: 'rm-bp162d4tp0500****', IP: '172.16.88.***', Port: 3306, UserName: 'dtsdest' },
  SynchronizationObjects: [{ SchemaName: 'dtstestdatabase', TableIncludes: [{ TableName: 'customer' }] }],
};

describe('DescribeSynchronizationJobStatus answers', () => {
  it('reads every field of the SDK model, numbers sent as strings included', () => {
    const d = details(SDK_ANSWER);
    assert.equal(d.requestId, SDK_ANSWER.RequestId);
    assert.equal(d.jobId, 'dtsexjk1alb116****');
    assert.equal(d.name, 'MySQL同步');
    assert.equal(d.direction, 'Forward');
    assert.equal(d.jobClass, 'large');
    assert.equal(d.status, 'synchronizing');
    assert.equal(d.checkpoint?.toISOString(), '2021-01-14T09:22:24.000Z');
    assert.equal(d.delaySeconds, 0);
    assert.equal(d.delayMillis, 506);
    assert.equal(d.payType, 'PrePaid');
    assert.equal(d.expireTime?.toISOString(), '2021-03-07T16:00:00.000Z');
    assert.match(d.errorMessage ?? '', /^DTS-070211: Connect Source DB failed\. cause by \[/);
    assert.deepEqual(d.precheck, {
      status: 'Failed',
      percent: 100,
      items: [
        { itemName: 'CHECK_SRC', checkStatus: 'Success' },
        {
          itemName: 'CHECK_CONN_SRC',
          checkStatus: 'Failed',
          errorMessage: 'Original error: Access denied for user "dtstest"@"100.104.***.**" (using password: YES)',
          repairMethod: 'CHECK_ERROR_DEST_CONN_REPAIR2',
        },
      ],
    });
    assert.deepEqual(d.structureInitialization, { status: 'Finished', percent: 100, progress: 1 });
    assert.deepEqual(d.dataInitialization, { status: 'Migrating', percent: 42, progress: 200001 });
    assert.deepEqual(d.dataSynchronization, {
      status: 'Migrating', percent: 95, delaySeconds: 3, delayMillis: 856, checkpoint: new Date(1610709865_000), errorMessage: '任务失败太久无法恢复',
    });
    assert.deepEqual(d.performance, { rps: 100, flowMBps: 1.5 });
    assert.deepEqual(d.source, { engineName: 'MySQL', instanceType: 'RDS', instanceId: 'rm-bp1i99e8l7913****', ip: '172.16.88.***', port: 3306 });
    assert.deepEqual(d.destination, { engineName: 'MySQL', instanceType: 'RDS', instanceId: 'rm-bp162d4tp0500****', ip: '172.16.88.***', port: 3306 });
  });

  it('never keeps the endpoints\' user names or any password field', () => {
    const withPassword = { ...SDK_ANSWER, SourceEndpoint: { ...SDK_ANSWER.SourceEndpoint, Password: 'hunter2-secret' } };
    const shown = JSON.stringify(details(withPassword));
    assert.doesNotMatch(shown, /dtstest"|dtsdest|hunter2|UserName|userName|Password/);
  });

  it('reads the seed\'s shape: a failed job with only Status, ErrorMessage and a boolean Success', () => {
    const d = details({ RequestId: 'r-1', Success: true, Status: 'Failed', SynchronizationDirection: 'Forward', ErrorMessage: 'DTS-070211: Connect Source DB failed.' });
    assert.equal(d.status, 'Failed');
    assert.equal(d.checkpoint, null);
    assert.equal(d.precheck, undefined);
    assert.equal(failureReason(d), 'DTS-070211: Connect Source DB failed.');
  });

  it('turns a DTS business error (Success false) into a typed error with its code', () => {
    const e = fails({ RequestId: 'r-2', Success: 'false', ErrCode: 'InvalidJobId', ErrMessage: 'The job does not exist' });
    assert.ok(e instanceof RequestRejectedError || e.code === 'InvalidJobId', e.constructor.name);
    assert.equal(e.code, 'InvalidJobId');
  });

  it('turns a gateway error, an HTML page and a truncated body into typed errors', () => {
    assert.equal(fails({ RequestId: 'r', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, 400).code, 'Throttling.User');
    assert.ok(fails('<html><title>502 Bad Gateway</title></html>', 502) instanceof BadResponseError);
    assert.ok(fails('{"RequestId":"r","Status":"Fai', 200) instanceof BadResponseError);
    assert.ok(fails([1, 2], 200) instanceof BadResponseError);
    assert.ok(fails({ hello: 'world' }, 200) instanceof BadResponseError);
  });

  it('keeps an implausible ExpireTime as raw text, not as a date', () => {
    assert.deepEqual(readExpireTime('2021-02-30T16:00:00Z'), { raw: '2021-02-30T16:00:00Z' });
    assert.deepEqual(readExpireTime('9999-01-01T00:00:00Z'), { raw: '9999-01-01T00:00:00Z' });
    assert.deepEqual(readExpireTime('next friday'), { raw: 'next friday' });
    assert.deepEqual(readExpireTime(''), {});
    assert.deepEqual(readExpireTime(42), {});
    const d = details({ ...SDK_ANSWER, ExpireTime: 'soon\u001b[2J' });
    assert.equal(d.expireTime, undefined);
    assert.equal(d.expireTimeRaw, 'soon [2J');
  });

  it('leaves out fields of the wrong type and numbers out of range', () => {
    const d = details({
      RequestId: 'r', Success: 'true', Status: { nested: true }, SynchronizationJobName: ['x'],
      DataInitializationStatus: { Percent: '250', Progress: '-3', Status: 7 },
      Performance: { RPS: 'fast', FLOW: Infinity },
      SourceEndpoint: { Port: '99999', EngineName: '' },
      PrecheckStatus: { Detail: 'none' },
      DataSynchronizationStatus: 'broken',
    });
    assert.equal(d.status, undefined);
    assert.equal(d.name, undefined);
    assert.deepEqual(d.dataInitialization, { status: '7' });
    assert.equal(d.performance, undefined);
    assert.equal(d.source, undefined);
    assert.deepEqual(d.precheck, { items: [] });
    assert.equal(d.dataSynchronization, undefined);
  });

  it('strips control characters, bounds messages and the number of precheck items, ignores inherited names', () => {
    const items = Array.from({ length: MAX_PRECHECK_ITEMS + 50 }, (_, i) => ({ ItemName: `CHECK_${i}`, CheckStatus: 'Success' }));
    const body = `{"RequestId":"r","Success":"true","__proto__":{"Status":"Hacked"},"ErrorMessage":${JSON.stringify(`DTS-1\u001b[31m red\u202e ${'x'.repeat(9000)}`)},"PrecheckStatus":{"Detail":${JSON.stringify(items)}}}`;
    const d = interpretJobDetailsResponse(200, JSON_TYPE, body);
    assert.equal(d.status, undefined);
    assert.ok((d.errorMessage ?? '').length <= MAX_ERROR_MESSAGE_LENGTH);
    assert.match(d.errorMessage ?? '', /^DTS-1 \[31m red x/);
    assert.equal(d.precheck?.items.length, MAX_PRECHECK_ITEMS);
  });

  it('removes the caller\'s key material from every text', () => {
    const known = { accessKeyId: 'LTAI5tJobDetails0001', accessKeySecret: 'details-Secret-0001' };
    const body = JSON.stringify({ RequestId: 'r', Success: true, ErrorMessage: 'bad key details-Secret-0001', SynchronizationJobName: 'details-Secret-0001' });
    const d = interpretJobDetailsResponse(200, JSON_TYPE, body, known);
    assert.doesNotMatch(JSON.stringify(d), /details-Secret-0001/);
  });
});

describe('failure reasons', () => {
  it('gives the first line, code first', () => {
    assert.equal(
      reasonLine('DTS-070211: Connect Source DB failed. cause by [com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure]'),
      'DTS-070211: Connect Source DB failed.',
    );
    assert.equal(reasonLine('Connect failed (DTS-070211)\nstack'), 'DTS-070211: Connect failed (DTS-070211)');
    assert.equal(reasonLine('first\\nsecond'), 'first');
    assert.ok(reasonLine('y'.repeat(1000)).length <= 160);
  });

  it('falls back to the failed stage, then a failed precheck item', () => {
    const init = details({ RequestId: 'r', Success: true, DataInitializationStatus: { Status: 'Failed', ErrorMessage: 'java.lang.NumberFormatException' } });
    assert.equal(failureReason(init), 'java.lang.NumberFormatException');
    const pre = details(SDK_ANSWER.PrecheckStatus && { RequestId: 'r', Success: true, PrecheckStatus: SDK_ANSWER.PrecheckStatus });
    assert.match(failureReason(pre) ?? '', /^Original error: Access denied/);
    assert.deepEqual(precheckItemsFailedFirst(pre.precheck?.items ?? []).map((i) => i.itemName), ['CHECK_CONN_SRC', 'CHECK_SRC']);
    assert.equal(failureReason(details({ RequestId: 'r', Success: true })), undefined);
  });
});
