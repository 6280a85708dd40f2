import * as assert from 'node:assert/strict';
import {
  BadResponseError,
  CredentialsRejectedError,
  DtsError,
  ForbiddenError,
  RequestRejectedError,
  ServerError,
  ThrottledError,
} from '../../src/core/api/errors';
import {
  interpretStatusListResponse,
  parseCheckpoint,
  parseRetryAfter,
  parseServerDate,
  type StatusListResult,
} from '../../src/core/api/response';

/** The JSON sample response of the DescribeSynchronizationJobStatusList API page, verbatim. */
const SEED_SAMPLE = `{
"TotalRecordCount": 2,
"PageRecordCount": 2,
"RequestId": "1413460B-138A-48D1-836C-B24EDDC1****",
"PageNumber": 1,
"SynchronizationJobListStatusList": [
{
"SynchronizationJobId": "dtsexjk1alb116****",
"SynchronizationDirectionInfoList": [
{
"Status": "InitializeFailed",
"SynchronizationDirection": "Forward"
}
]
},
{
"SynchronizationJobId": "dtskfq1149w254****",
"SynchronizationDirectionInfoList": [
{
"Status": "Failed",
"Checkpoint": "1610524457",
"SynchronizationDirection": "Forward"
}
]
}
],
"Success": true
}`;

const JSON_HEADERS = { 'content-type': 'application/json;charset=utf-8' };

function okBody(directions: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    RequestId: 'REQ-1',
    Success: 'true',
    SynchronizationJobListStatusList: [{ SynchronizationJobId: 'dtsjob0001', SynchronizationDirectionInfoList: directions }],
    ...extra,
  });
}

function interpret(status: number, body: string, headers: Record<string, string | undefined> = JSON_HEADERS): StatusListResult {
  return interpretStatusListResponse(status, headers, body);
}

/** Runs `fn`, asserts it threw a DtsError (never a SyntaxError or TypeError) and returns it. */
function thrown(fn: () => unknown): DtsError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DtsError, `expected a DtsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('response', () => {
  describe('a successful answer', () => {
    it('reads the sample response of the API page', () => {
      const result = interpret(200, SEED_SAMPLE);
      assert.equal(result.requestId, '1413460B-138A-48D1-836C-B24EDDC1****');
      assert.deepEqual([...result.jobs.keys()], ['dtsexjk1alb116****', 'dtskfq1149w254****']);
      assert.deepEqual(result.jobs.get('dtsexjk1alb116****'), [{ direction: 'Forward', status: 'InitializeFailed', checkpoint: null }]);
      assert.deepEqual(result.jobs.get('dtskfq1149w254****'), [
        { direction: 'Forward', status: 'Failed', checkpoint: new Date(1610524457 * 1000) },
      ]);
    });

    it('reads the same answer with Success as the string "true"', () => {
      const result = interpret(200, SEED_SAMPLE.replace('"Success": true', '"Success": "true"'));
      assert.equal(result.jobs.size, 2);
      assert.equal(result.jobs.get('dtskfq1149w254****')?.[0].status, 'Failed');
    });

    it('ignores fields it does not know', () => {
      const result = interpret(
        200,
        okBody([{ Status: 'Synchronizing', SynchronizationDirection: 'Forward', Delay: '3', Unexpected: { a: 1 } }], {
          HostId: 'dts.aliyuncs.com',
          Novel: [1, 2, 3],
        }),
      );
      assert.deepEqual(result.jobs.get('dtsjob0001'), [{ direction: 'Forward', status: 'Synchronizing', checkpoint: null }]);
    });

    it('reads a checkpoint of 10 digits as UNIX seconds', () => {
      const result = interpret(200, okBody([{ Status: 'Synchronizing', Checkpoint: '1714564800', SynchronizationDirection: 'Forward' }]));
      assert.equal(result.jobs.get('dtsjob0001')?.[0].checkpoint?.toISOString(), '2024-05-01T12:00:00.000Z');
    });

    it('reads a checkpoint of 13 digits as milliseconds', () => {
      const result = interpret(200, okBody([{ Status: 'Synchronizing', Checkpoint: '1714564800123', SynchronizationDirection: 'Forward' }]));
      assert.equal(result.jobs.get('dtsjob0001')?.[0].checkpoint?.toISOString(), '2024-05-01T12:00:00.123Z');
    });

    it('treats an absent or "0" checkpoint as no checkpoint', () => {
      const result = interpret(
        200,
        okBody([
          { Status: 'NotStarted', SynchronizationDirection: 'Forward' },
          { Status: 'NotStarted', Checkpoint: '0', SynchronizationDirection: 'Reverse' },
        ]),
      );
      assert.deepEqual(
        result.jobs.get('dtsjob0001')?.map((d) => d.checkpoint),
        [null, null],
      );
    });

    it('normalizes the case of the direction names', () => {
      const result = interpret(
        200,
        okBody([
          { Status: 'Synchronizing', SynchronizationDirection: 'forward' },
          { Status: 'Synchronizing', SynchronizationDirection: 'REVERSE' },
        ]),
      );
      assert.deepEqual(result.jobs.get('dtsjob0001')?.map((d) => d.direction), ['Forward', 'Reverse']);
    });

    it('treats a missing job list as no jobs returned', () => {
      const result = interpret(200, JSON.stringify({ RequestId: 'REQ-1', Success: true }));
      assert.equal(result.jobs.size, 0);
    });

    it('takes the server clock from the Date header', () => {
      const result = interpret(200, SEED_SAMPLE, { ...JSON_HEADERS, date: 'Wed, 01 May 2024 12:00:00 GMT' });
      assert.equal(result.serverDate?.toISOString(), '2024-05-01T12:00:00.000Z');
    });

    it('has no server clock without a Date header', () => {
      assert.equal(interpret(200, SEED_SAMPLE).serverDate, undefined);
    });
  });

  describe('parseCheckpoint', () => {
    it('reads seconds, milliseconds and numbers', () => {
      assert.equal(parseCheckpoint('1610524457')?.getTime(), 1610524457000);
      assert.equal(parseCheckpoint('1610524457123')?.getTime(), 1610524457123);
      assert.equal(parseCheckpoint(1610524457)?.getTime(), 1610524457000);
      assert.equal(parseCheckpoint(' 1610524457 ')?.getTime(), 1610524457000);
    });

    it('returns null for absent, empty, zero or non-numeric values', () => {
      for (const value of [undefined, null, '', '0', '-5', 'abc', '2024-05-01', true]) {
        assert.equal(parseCheckpoint(value), null, `for ${JSON.stringify(value)}`);
      }
    });
  });

  describe('parseServerDate', () => {
    it('reads an HTTP date', () => {
      assert.equal(parseServerDate('Tue, 12 Jan 2021 08:00:00 GMT')?.toISOString(), '2021-01-12T08:00:00.000Z');
    });

    it('ignores a missing or garbled header', () => {
      assert.equal(parseServerDate(undefined), undefined);
      assert.equal(parseServerDate(''), undefined);
      assert.equal(parseServerDate('not a date'), undefined);
    });
  });

  describe('parseRetryAfter', () => {
    it('reads a positive number of milliseconds', () => {
      assert.equal(parseRetryAfter('1500'), 1500);
    });

    it('ignores zero, negative, garbled and missing values', () => {
      for (const value of ['0', '-1', 'soon', '', undefined]) {
        assert.equal(parseRetryAfter(value), undefined, `for ${JSON.stringify(value)}`);
      }
    });
  });

  describe('a DTS business error (Success false)', () => {
    for (const success of [false, 'false', 'False']) {
      it(`raises the classified error for Success ${JSON.stringify(success)} with code, message and RequestId`, () => {
        const body = JSON.stringify({
          RequestId: 'REQ-ERR-1',
          Success: success,
          ErrCode: 'InvalidParameter',
          ErrMessage: 'The SynchronizationJobIdListJsonStr is invalid.',
        });
        const error = thrown(() => interpret(200, body));
        assert.ok(error instanceof RequestRejectedError);
        assert.equal(error.code, 'InvalidParameter');
        assert.equal(error.apiMessage, 'The SynchronizationJobIdListJsonStr is invalid.');
        assert.equal(error.requestId, 'REQ-ERR-1');
        assert.match(error.message, /InvalidParameter/);
        assert.match(error.message, /The SynchronizationJobIdListJsonStr is invalid\./);
        assert.match(error.message, /REQ-ERR-1/);
      });
    }

    it('raises a retryable ServerError for ErrCode InternalError', () => {
      const body = JSON.stringify({
        RequestId: 'REQ-ERR-2',
        Success: 'false',
        ErrCode: 'InternalError',
        ErrMessage: 'The request processing has failed due to some unknown error.',
      });
      const error = thrown(() => interpret(200, body));
      assert.ok(error instanceof ServerError);
      assert.equal(error.retryable, true);
      assert.match(error.message, /InternalError The request processing has failed due to some unknown error\./);
    });

    it('falls back to UnknownError when Success is false without an ErrCode', () => {
      const error = thrown(() => interpret(200, JSON.stringify({ RequestId: 'REQ-ERR-3', Success: false })));
      assert.equal(error.code, 'UnknownError');
      assert.match(error.message, /REQ-ERR-3/);
    });
  });

  describe('a gateway error (HTTP 4xx/5xx)', () => {
    const gateway = (code: string, message: string, requestId = 'GW-REQ-1'): string =>
      JSON.stringify({ RequestId: requestId, HostId: 'dts.aliyuncs.com', Code: code, Message: message, Recommend: 'https://api.aliyun.com/troubleshoot' });

    it('reports HTTP 400 SignatureDoesNotMatch as rejected credentials', () => {
      const error = thrown(() =>
        interpret(400, gateway('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.')),
      );
      assert.ok(error instanceof CredentialsRejectedError);
      assert.equal(error.code, 'SignatureDoesNotMatch');
      assert.equal(error.httpStatus, 400);
      assert.equal(error.requestId, 'GW-REQ-1');
      assert.equal(error.retryable, false);
      assert.match(error.message, /SignatureDoesNotMatch Specified signature is not matched with our calculation\./);
      assert.match(error.message, /RequestId GW-REQ-1/);
    });

    it('reports HTTP 404 InvalidAccessKeyId.NotFound as rejected credentials', () => {
      const error = thrown(() => interpret(404, gateway('InvalidAccessKeyId.NotFound', 'Specified access key is not found.')));
      assert.ok(error instanceof CredentialsRejectedError);
      assert.equal(error.code, 'InvalidAccessKeyId.NotFound');
      assert.match(error.message, /Specified access key is not found\./);
    });

    it('reports HTTP 403 Forbidden.RAM as access denied', () => {
      const error = thrown(() =>
        interpret(403, gateway('Forbidden.RAM', 'User not authorized to operate on the specified resource, or this API does not support RAM.')),
      );
      assert.ok(error instanceof ForbiddenError);
      assert.equal(error.code, 'Forbidden.RAM');
      assert.equal(error.retryable, false);
      assert.match(error.message, /^Access denied: Forbidden\.RAM User not authorized/);
    });

    it('reports HTTP 400 Throttling.User as throttled, with the x-acs-retry-after hint', () => {
      const error = thrown(() =>
        interpret(400, gateway('Throttling.User', 'Request was denied due to user flow control.'), { ...JSON_HEADERS, 'x-acs-retry-after': '2000' }),
      );
      assert.ok(error instanceof ThrottledError);
      assert.equal(error.retryAfterMs, 2000);
      assert.equal(error.retryable, true);
      assert.match(error.message, /Throttling\.User/);
    });

    it('reports HTTP 503 ServiceUnavailable as a retryable server error', () => {
      const error = thrown(() => interpret(503, gateway('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.')));
      assert.ok(error instanceof ServerError);
      assert.equal(error.retryable, true);
      assert.equal(error.httpStatus, 503);
      assert.match(error.message, /HTTP 503/);
      assert.match(error.message, /ServiceUnavailable/);
    });

    it('reports an error status whose JSON has no Code as a bad response', () => {
      const error = thrown(() => interpret(500, JSON.stringify({ RequestId: 'GW-REQ-2' })));
      assert.ok(error instanceof BadResponseError);
      assert.equal(error.retryable, true);
      assert.match(error.message, /HTTP 500/);
      assert.match(error.message, /GW-REQ-2/);
    });
  });

  describe('something that is not a DTS answer', () => {
    const html502 =
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

    it('explains an HTML 502 page from a proxy without a SyntaxError', () => {
      const error = thrown(() => interpret(502, html502, { 'content-type': 'text/html' }));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /HTTP 502/);
      assert.match(error.message, /HTML/);
      assert.match(error.message, /502 Bad Gateway/);
      assert.doesNotMatch(error.message, /SyntaxError|Unexpected token|JSON at position/);
      assert.equal(error.retryable, true);
    });

    it('recognizes an HTML page even when no content type was sent', () => {
      const error = thrown(() => interpret(502, html502, {}));
      assert.match(error.message, /HTML/);
    });

    it('explains truncated JSON', () => {
      const error = thrown(() => interpret(200, SEED_SAMPLE.slice(0, 120)));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /truncated or malformed/);
      assert.doesNotMatch(error.message, /SyntaxError|Unexpected/);
      assert.equal(error.retryable, false);
    });

    it('explains an empty body', () => {
      const error = thrown(() => interpret(200, ''));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /empty/);
    });

    it('rejects JSON that is not an object', () => {
      for (const body of ['[]', 'null', '"ok"', '42', 'true']) {
        const error = thrown(() => interpret(200, body));
        assert.ok(error instanceof BadResponseError, body);
        assert.match(error.message, /expected a JSON object/, body);
      }
    });

    it('rejects an object that has neither RequestId nor Success', () => {
      const error = thrown(() => interpret(200, JSON.stringify({ hello: 'world' })));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /not a DTS answer/);
    });

    it('rejects a job list that is not a list', () => {
      const error = thrown(() =>
        interpret(200, JSON.stringify({ RequestId: 'REQ-S1', Success: true, SynchronizationJobListStatusList: { SynchronizationJobId: 'dtsjob0001' } })),
      );
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /SynchronizationJobListStatusList is not a list/);
      assert.match(error.message, /REQ-S1/);
    });

    it('rejects a job entry without an ID', () => {
      const error = thrown(() =>
        interpret(
          200,
          JSON.stringify({ RequestId: 'REQ-S2', Success: true, SynchronizationJobListStatusList: [{ SynchronizationDirectionInfoList: [] }] }),
        ),
      );
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /no SynchronizationJobId/);
    });

    it('rejects directions that are not a list', () => {
      const error = thrown(() =>
        interpret(
          200,
          JSON.stringify({
            RequestId: 'REQ-S3',
            Success: true,
            SynchronizationJobListStatusList: [{ SynchronizationJobId: 'dtsjob0001', SynchronizationDirectionInfoList: 'Forward' }],
          }),
        ),
      );
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /directions of dtsjob0001 are not a list/);
    });

    it('rejects a direction entry that is not an object', () => {
      const error = thrown(() => interpret(200, okBody(['Synchronizing'])));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /direction entry is not an object/);
    });
  });
});
