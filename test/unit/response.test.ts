import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
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
  readCheckpoint,
  xmlTagText,
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

    it('treats an empty job list as no jobs returned', () => {
      const result = interpret(200, JSON.stringify({ RequestId: 'REQ-1', Success: true, SynchronizationJobListStatusList: [] }));
      assert.equal(result.jobs.size, 0);
      assert.deepEqual(result.notes, []);
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

    it('reads the same header again as the same time, in a Date of its own, and the next header as its own', () => {
      const first = parseServerDate('Tue, 12 Jan 2021 08:00:00 GMT');
      const again = parseServerDate('Tue, 12 Jan 2021 08:00:00 GMT');
      assert.ok(first && again && first !== again);
      first.setTime(0);
      assert.equal(again.toISOString(), '2021-01-12T08:00:00.000Z', 'a caller changing its Date changes no other');
      assert.equal(parseServerDate('Tue, 12 Jan 2021 08:00:00 GMT')?.toISOString(), '2021-01-12T08:00:00.000Z');
      assert.equal(parseServerDate('Tue, 12 Jan 2021 08:00:01 GMT')?.toISOString(), '2021-01-12T08:00:01.000Z');
      assert.equal(parseServerDate('not a date'), undefined);
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

  describe('object-prototype names from the server', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      it(`keeps a direction and a status named ${name} as plain text`, () => {
        const result = interpret(200, okBody([{ Status: name, SynchronizationDirection: name, Checkpoint: '1714564800' }]));
        const [d] = result.jobs.get('dtsjob0001') ?? [];
        assert.equal(d.direction, name);
        assert.equal(d.status, name);
        assert.equal(typeof d.direction, 'string');
      });
    }

    it('reads an answer whose job ID is "constructor" like any other', () => {
      const body = JSON.stringify({
        RequestId: 'REQ-P1',
        Success: true,
        SynchronizationJobListStatusList: [{ SynchronizationJobId: 'constructor', SynchronizationDirectionInfoList: [{ Status: 'Failed' }] }],
      });
      assert.deepEqual(interpret(200, body).jobs.get('constructor'), [{ direction: 'Forward', status: 'Failed', checkpoint: null }]);
    });
  });

  describe('text from the server loses its control characters', () => {
    it('strips ESC, BEL and newlines from the status, the direction and the job ID', () => {
      const body = JSON.stringify({
        RequestId: 'REQ-C1',
        Success: true,
        SynchronizationJobListStatusList: [
          {
            SynchronizationJobId: 'dtsjob0001\n',
            SynchronizationDirectionInfoList: [{ Status: 'Fail\u001b]0;pwned\u0007ed\r\nx', SynchronizationDirection: 'Side\u001b[2Jways' }],
          },
        ],
      });
      const [d] = interpret(200, body).jobs.get('dtsjob0001') ?? [];
      assert.equal(d.status, 'Fail ]0;pwned ed x');
      assert.equal(d.direction, 'Side [2Jways');
    });

    it('cuts a status of thousands of characters to 200', () => {
      const [d] = interpret(200, okBody([{ Status: 'S'.repeat(5000) }])).jobs.get('dtsjob0001') ?? [];
      assert.equal(d.status.length, 200);
      assert.ok(d.status.endsWith('…'));
    });

    it('reads a direction of only control characters as Forward', () => {
      const [d] = interpret(200, okBody([{ Status: 'Synchronizing', SynchronizationDirection: '\u0000\u001b' }])).jobs.get('dtsjob0001') ?? [];
      assert.equal(d.direction, 'Forward');
    });
  });

  describe('impossible checkpoints', () => {
    const oneCheckpoint = (checkpoint: unknown): StatusListResult =>
      interpret(200, okBody([{ Status: 'Synchronizing', SynchronizationDirection: 'Forward', Checkpoint: checkpoint }]));

    for (const raw of ['99999999999999999', '1610524457000000', '123456789', '4102444800', '-1610524457', '2024-05-01T12:00:00Z']) {
      it(`reads ${JSON.stringify(raw)} as no checkpoint and keeps it raw`, () => {
        const [d] = oneCheckpoint(raw).jobs.get('dtsjob0001') ?? [];
        assert.equal(d.checkpoint, null);
        assert.equal(d.checkpointRaw, raw);
      });
    }

    it('keeps the last plausible times: 1999 is not one, 2099 is', () => {
      assert.equal(readCheckpoint('946684799').checkpoint, null);
      assert.equal(readCheckpoint('946684800').checkpoint?.toISOString(), '2000-01-01T00:00:00.000Z');
      assert.equal(readCheckpoint('4102444799').checkpoint?.toISOString(), '2099-12-31T23:59:59.000Z');
      assert.equal(readCheckpoint('4102444799999').checkpoint?.toISOString(), '2099-12-31T23:59:59.999Z');
    });

    it('reads a number too large for a time as no checkpoint', () => {
      const [d] = oneCheckpoint(1e21).jobs.get('dtsjob0001') ?? [];
      assert.equal(d.checkpoint, null);
      assert.equal(d.checkpointRaw, '1e+21');
    });

    it('keeps a raw checkpoint without control characters and at most 40 characters', () => {
      assert.equal(readCheckpoint('16105\u001b[2J24457').raw, '16105 [2J24457');
      const long = readCheckpoint('9'.repeat(100_000)).raw ?? '';
      assert.equal(long.length, 40);
      assert.match(long, /^9+…$/);
    });

    it('keeps no raw value for an absent, empty or zero checkpoint', () => {
      for (const value of [undefined, null, '', '0', '0000', 0]) {
        assert.deepEqual(readCheckpoint(value), { checkpoint: null }, `for ${JSON.stringify(value)}`);
      }
    });

    it('never fails the batch: the other job of the answer is read', () => {
      const body = JSON.stringify({
        RequestId: 'REQ-K1',
        Success: true,
        SynchronizationJobListStatusList: [
          { SynchronizationJobId: 'dtsodd00001', SynchronizationDirectionInfoList: [{ Status: 'Synchronizing', Checkpoint: '9'.repeat(30) }] },
          { SynchronizationJobId: 'dtsgood0001', SynchronizationDirectionInfoList: [{ Status: 'Synchronizing', Checkpoint: '1714564800' }] },
        ],
      });
      const result = interpret(200, body);
      assert.equal(result.jobs.get('dtsodd00001')?.[0].checkpoint, null);
      assert.equal(result.jobs.get('dtsgood0001')?.[0].checkpoint?.toISOString(), '2024-05-01T12:00:00.000Z');
    });
  });

  describe('a job or a direction answered more than once', () => {
    const twice = (first: unknown[], second: unknown[]): string =>
      JSON.stringify({
        RequestId: 'REQ-D1',
        Success: true,
        SynchronizationJobListStatusList: [
          { SynchronizationJobId: 'dtsjob0001', SynchronizationDirectionInfoList: first },
          { SynchronizationJobId: 'dtsjob0001', SynchronizationDirectionInfoList: second },
        ],
      });

    it('shows one row per direction, the worst status, and notes it', () => {
      const result = interpret(200, twice([{ Status: 'Synchronizing', SynchronizationDirection: 'Forward' }], [{ Status: 'Failed', SynchronizationDirection: 'Forward' }]));
      assert.deepEqual(result.jobs.get('dtsjob0001'), [{ direction: 'Forward', status: 'Failed', checkpoint: null }]);
      assert.deepEqual(result.notes, ['dtsjob0001 Forward was answered 2 times (Synchronizing, Failed); showing the worst']);
    });

    it('keeps the worst whichever order it came in', () => {
      const result = interpret(200, twice([{ Status: 'Failed' }], [{ Status: 'Synchronizing' }]));
      assert.deepEqual(result.jobs.get('dtsjob0001')?.map((d) => d.status), ['Failed']);
    });

    it('compares directions whatever their case, within one entry too', () => {
      const result = interpret(
        200,
        okBody([
          { Status: 'Synchronizing', SynchronizationDirection: 'forward' },
          { Status: 'Suspending', SynchronizationDirection: 'FORWARD' },
          { Status: 'Synchronizing', SynchronizationDirection: 'Reverse' },
        ]),
      );
      assert.deepEqual(
        result.jobs.get('dtsjob0001')?.map((d) => [d.direction, d.status]),
        [
          ['Forward', 'Suspending'],
          ['Reverse', 'Synchronizing'],
        ],
      );
      assert.deepEqual(result.notes, ['dtsjob0001 Forward was answered 2 times (Synchronizing, Suspending); showing the worst']);
    });

    it('between equal statuses keeps the older checkpoint, the one that lags most', () => {
      const result = interpret(200, twice([{ Status: 'Synchronizing', Checkpoint: '1714564800' }], [{ Status: 'Synchronizing', Checkpoint: '1714560000' }]));
      assert.equal(result.jobs.get('dtsjob0001')?.[0].checkpoint?.toISOString(), '2024-05-01T10:40:00.000Z');
    });

    it('joins a job answered once per direction without a note', () => {
      const result = interpret(200, twice([{ Status: 'Synchronizing', SynchronizationDirection: 'Forward' }], [{ Status: 'Failed', SynchronizationDirection: 'Reverse' }]));
      assert.deepEqual(result.jobs.get('dtsjob0001')?.map((d) => d.direction), ['Forward', 'Reverse']);
      assert.deepEqual(result.notes, []);
    });

    it('writes the note without the control characters of the statuses', () => {
      const result = interpret(200, twice([{ Status: 'Ok\u001b[2J' }], [{ Status: 'Bad\nrow' }]));
      assert.deepEqual(result.notes, ['dtsjob0001 Forward was answered 2 times (Ok [2J, Bad row); showing the worst']);
    });

    it('shows at most 8 directions of one job and notes the rest', () => {
      const directions = Array.from({ length: 50 }, (_, i) => ({ Status: 'Synchronizing', SynchronizationDirection: `Way${i}` }));
      const result = interpret(200, okBody(directions));
      assert.equal(result.jobs.get('dtsjob0001')?.length, 8);
      assert.deepEqual(result.notes, ['dtsjob0001 was answered with 42 more directions than the 8 shown; the rest are ignored']);
    });

    it('has no notes for an ordinary answer', () => {
      assert.deepEqual(interpret(200, SEED_SAMPLE).notes, []);
    });
  });

  describe('TotalRecordCount', () => {
    it('notes a total above the jobs listed', () => {
      for (const total of [5, '5']) {
        const result = interpret(200, SEED_SAMPLE.replace('"TotalRecordCount": 2', `"TotalRecordCount": ${JSON.stringify(total)}`));
        assert.deepEqual(result.notes, ['the answer counts 5 jobs (TotalRecordCount) but lists 2; jobs not listed are shown as not found']);
      }
    });

    it('says nothing when the total matches or is not a count', () => {
      for (const total of [2, 1, 'many', -3, 2.5]) {
        const result = interpret(200, SEED_SAMPLE.replace('"TotalRecordCount": 2', `"TotalRecordCount": ${JSON.stringify(total)}`));
        assert.deepEqual(result.notes, [], `for ${JSON.stringify(total)}`);
      }
    });
  });

  describe('an answer without its job list', () => {
    for (const success of [true, 'true']) {
      it(`is a bad response with Success ${JSON.stringify(success)}, not "every job not found"`, () => {
        const error = thrown(() => interpret(200, JSON.stringify({ RequestId: 'REQ-M1', Success: success })));
        assert.ok(error instanceof BadResponseError);
        assert.match(error.message, /Success is true but SynchronizationJobListStatusList is missing/);
        assert.match(error.message, /REQ-M1/);
      });
    }

    it('is a bad response when the list is null', () => {
      const error = thrown(() => interpret(200, JSON.stringify({ RequestId: 'REQ-M2', Success: true, SynchronizationJobListStatusList: null })));
      assert.match(error.message, /SynchronizationJobListStatusList is missing/);
    });

    it('is the error it names when it carries a Code at HTTP 200', () => {
      const error = thrown(() => interpret(200, JSON.stringify({ RequestId: 'REQ-M3', Code: 'Forbidden.RAM', Message: 'not allowed' })));
      assert.ok(error instanceof ForbiddenError);
      assert.match(error.message, /Forbidden\.RAM not allowed/);
    });
  });

  describe('error bodies the official SDK reads', () => {
    it('reads a lowercase {code, message, requestId} body', () => {
      const body = JSON.stringify({ code: 'SignatureDoesNotMatch', message: 'Specified signature is not matched.', requestId: 'LC-REQ-1' });
      const error = thrown(() => interpret(400, body));
      assert.ok(error instanceof CredentialsRejectedError);
      assert.equal(error.code, 'SignatureDoesNotMatch');
      assert.equal(error.requestId, 'LC-REQ-1');
      assert.match(error.message, /SignatureDoesNotMatch Specified signature is not matched\..*RequestId LC-REQ-1/);
    });

    const xmlError = (code: string, message: string, root = 'Error'): string =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n  <RequestId>XML-REQ-1</RequestId>\n  <HostId/>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=${code}]]></Recommend>\n</${root}>\n`;

    it('reads an XML <Error> document (text/xml) like the JSON shape', () => {
      const error = thrown(() =>
        interpret(400, xmlError('SignatureDoesNotMatch', 'Specified signature &lt;is&gt; not &quot;matched&quot; &amp; &apos;so&apos; &amp;lt;'), {
          'content-type': 'text/xml;charset=utf-8',
        }),
      );
      assert.ok(error instanceof CredentialsRejectedError);
      assert.equal(error.code, 'SignatureDoesNotMatch');
      assert.equal(error.apiMessage, `Specified signature <is> not "matched" & 'so' &lt;`);
      assert.equal(error.requestId, 'XML-REQ-1');
      assert.doesNotMatch(error.message, /Bad response/);
    });

    it('reads an XML error whatever its root, as application/xml', () => {
      const error = thrown(() => interpret(503, xmlError('ServiceUnavailable', 'Try later.', 'Response'), { 'content-type': 'application/xml' }));
      assert.ok(error instanceof ServerError);
      assert.equal(error.retryable, true);
      assert.match(error.message, /ServiceUnavailable Try later\./);
    });

    it('reads an XML error sent without a content type, and one at HTTP 200', () => {
      const error = thrown(() => interpret(200, xmlError('Forbidden.RAM', 'No.'), {}));
      assert.ok(error instanceof ForbiddenError);
      assert.equal(error.requestId, 'XML-REQ-1');
    });

    it('still explains XML that is no error document, with its request ID', () => {
      const error = thrown(() => interpret(502, '<Response><RequestId>XML-REQ-2</RequestId></Response>', { 'content-type': 'text/xml' }));
      assert.ok(error instanceof BadResponseError);
      assert.match(error.message, /expected JSON, got XML/);
      assert.equal(error.requestId, 'XML-REQ-2');
    });

    it('reads a 403 AccessDeniedDetail object: the denied action and why', () => {
      const body = JSON.stringify({
        RequestId: 'AD-REQ-1',
        Code: 'NoPermission',
        Message: 'You are not authorized to do this action.',
        AccessDeniedDetail: {
          AuthAction: 'dts:DescribeSynchronizationJobStatusList',
          NoPermissionType: 'ImplicitDeny',
          PolicyType: 'AccountLevelIdentityBasedPolicy',
          AuthPrincipalDisplayName: 'watcher',
        },
      });
      const error = thrown(() => interpret(403, body));
      assert.ok(error instanceof ForbiddenError);
      assert.deepEqual(error.accessDenied, {
        authAction: 'dts:DescribeSynchronizationJobStatusList',
        noPermissionType: 'ImplicitDeny',
        policyType: 'AccountLevelIdentityBasedPolicy',
      });
      assert.match(error.message, /the RAM policy does not allow dts:DescribeSynchronizationJobStatusList: ImplicitDeny/);
    });

    it('reads an AccessDeniedDetail sent as a JSON string', () => {
      const detail = JSON.stringify({ AuthAction: 'dts:DescribeSynchronizationJobStatusList', NoPermissionType: 'ExplicitDeny' });
      const error = thrown(() => interpret(403, JSON.stringify({ RequestId: 'AD-REQ-2', Code: 'Forbidden.RAM', AccessDeniedDetail: detail })));
      assert.equal(error.accessDenied?.authAction, 'dts:DescribeSynchronizationJobStatusList');
      assert.equal(error.accessDenied?.noPermissionType, 'ExplicitDeny');
    });

    it('reads an AccessDeniedDetail in an XML error', () => {
      const body =
        '<Error><RequestId>AD-REQ-3</RequestId><Code>NoPermission</Code><Message>denied</Message><AccessDeniedDetail>' +
        '<AuthAction>dts:DescribeSynchronizationJobStatusList</AuthAction><NoPermissionType>ImplicitDeny</NoPermissionType>' +
        '</AccessDeniedDetail></Error>';
      const error = thrown(() => interpret(403, body, { 'content-type': 'text/xml' }));
      assert.match(error.message, /the RAM policy does not allow dts:DescribeSynchronizationJobStatusList: ImplicitDeny/);
    });

    it('ignores an AccessDeniedDetail that is garbled', () => {
      for (const detail of ['{not json', 42, [], { Other: 1 }]) {
        const error = thrown(() => interpret(403, JSON.stringify({ Code: 'Forbidden.RAM', AccessDeniedDetail: detail })));
        assert.ok(error instanceof ForbiddenError);
        assert.equal(error.accessDenied, undefined);
      }
    });

    it('reads the request ID from x-acs-request-id when the body has none', () => {
      const headers = { ...JSON_HEADERS, 'x-acs-request-id': 'HDR-REQ-1' };
      assert.equal(thrown(() => interpret(400, JSON.stringify({ Code: 'MissingParameter', Message: 'x' }), headers)).requestId, 'HDR-REQ-1');
      assert.equal(thrown(() => interpret(200, JSON.stringify({ Success: false, ErrCode: 'InvalidParameter' }), headers)).requestId, 'HDR-REQ-1');
      assert.equal(thrown(() => interpret(200, '[]', headers)).requestId, 'HDR-REQ-1');
      assert.equal(thrown(() => interpret(502, '<html>bad</html>', headers)).requestId, 'HDR-REQ-1');
      assert.equal(interpret(200, JSON.stringify({ Success: true, SynchronizationJobListStatusList: [] }), headers).requestId, 'HDR-REQ-1');
    });

    it('prefers the request ID of the body to the header', () => {
      const headers = { ...JSON_HEADERS, 'x-acs-request-id': 'HDR-REQ-2' };
      assert.equal(interpret(200, SEED_SAMPLE, headers).requestId, '1413460B-138A-48D1-836C-B24EDDC1****');
    });

    it('says a gzip body was not asked for, from the header or the magic bytes', () => {
      const gzipped = gzipSync(Buffer.from(SEED_SAMPLE)).toString('utf8');
      for (const headers of [{ ...JSON_HEADERS, 'content-encoding': 'gzip' }, JSON_HEADERS]) {
        const error = thrown(() => interpret(200, gzipped, headers));
        assert.ok(error instanceof BadResponseError);
        assert.match(error.message, /the body is gzip-compressed, which was not asked for/);
        assert.ok(!error.message.includes('\uFFFD') && !error.message.includes('\u001f'), error.message);
      }
    });

    it('names a Brotli or deflate body from its content-encoding', () => {
      assert.match(thrown(() => interpret(200, '\u000b\u0002\uFFFD', { 'content-encoding': 'br' })).message, /Brotli-compressed/);
      assert.match(thrown(() => interpret(200, 'x\uFFFD', { 'content-encoding': 'deflate' })).message, /deflate-compressed/);
    });

    it('honours x-acs-retry-after on a 429 with a plain-text body', () => {
      const error = thrown(() => interpret(429, 'Too Many Requests', { 'content-type': 'text/plain', 'x-acs-retry-after': '1500', 'x-acs-request-id': 'HDR-429' }));
      assert.ok(error instanceof ThrottledError);
      assert.equal(error.retryAfterMs, 1500);
      assert.equal(error.requestId, 'HDR-429');
    });

    it('reads the code of a 429 in XML, with the retry hint', () => {
      const error = thrown(() =>
        interpret(429, '<Error><Code>Throttling.User</Code><Message>slow down</Message></Error>', { 'content-type': 'text/xml', 'x-acs-retry-after': '900' }),
      );
      assert.ok(error instanceof ThrottledError);
      assert.equal(error.code, 'Throttling.User');
      assert.equal(error.retryAfterMs, 900);
    });

    it('searches a huge XML body in linear time', () => {
      const started = Date.now();
      const error = thrown(() => interpret(500, '<Code'.repeat(200_000), { 'content-type': 'text/xml' }));
      assert.ok(error instanceof BadResponseError);
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    it('explains a huge page of unclosed <title tags quickly', () => {
      const started = Date.now();
      const error = thrown(() => interpret(502, `<html>${'<title'.repeat(200_000)}`, { 'content-type': 'text/html' }));
      assert.match(error.message, /HTML page/);
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });
  });

  describe('key material a hostile server echoes', () => {
    const TOKEN = `CAIS${'Zq8w+3xK7pV/Lm9Nb2Vc4Xz6As8Df0Gh1J'.repeat(20)}`;
    const known = { accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Ey2', accessKeySecret: 'hostile-secret-0001', securityToken: TOKEN };
    /** Whether any 16-character piece of the token is in `text`: a cut token is still a leak. */
    const leaks = (text: string): boolean => Array.from({ length: TOKEN.length - 15 }, (_, i) => TOKEN.slice(i, i + 16)).some((p) => text.includes(p));

    it('removes the caller\'s token from a status, a direction and a checkpoint before cutting them to length', () => {
      const body = okBody([{ Status: `Synchronizing ${TOKEN}`, SynchronizationDirection: `x${TOKEN}`, Checkpoint: TOKEN }]);
      const [d] = interpretStatusListResponse(200, JSON_HEADERS, body, known).jobs.get('dtsjob0001') ?? [];
      assert.equal(d.status, 'Synchronizing [redacted]');
      assert.equal(d.direction, 'x[redacted]');
      assert.equal(d.checkpointRaw, '[redacted]');
    });

    it('hands an error its whole message, so the caller\'s redaction still finds a long token', () => {
      const body = JSON.stringify({ RequestId: 'R-1', Code: 'InvalidParameter', Message: `${'x'.repeat(150)} token ${TOKEN}` });
      const error = thrown(() => interpret(400, body)).redact(known);
      assert.equal(leaks(error.message), false, error.message);
      assert.equal(leaks(error.apiMessage ?? ''), false);
    });
  });

  describe('xmlTagText', () => {
    it('finds an element by its exact name, with attributes or empty', () => {
      const xml = '<Error><CodeX>no</CodeX><Code a="1">Yes</Code><HostId/><Empty></Empty></Error>';
      assert.equal(xmlTagText(xml, 'Code'), 'Yes');
      assert.equal(xmlTagText(xml, 'HostId'), '');
      assert.equal(xmlTagText(xml, 'Empty'), '');
      assert.equal(xmlTagText(xml, 'Missing'), undefined);
      assert.equal(xmlTagText('<Code>unclosed', 'Code'), undefined);
      assert.equal(xmlTagText('<Code', 'Code'), undefined);
    });
  });

  describe('the server clock', () => {
    it('ignores a Date header outside 2000–2100', () => {
      assert.equal(parseServerDate('Sat, 01 Jan 3000 00:00:00 GMT'), undefined);
      assert.equal(parseServerDate('Thu, 01 Jan 1970 00:00:00 GMT'), undefined);
    });
  });
});
