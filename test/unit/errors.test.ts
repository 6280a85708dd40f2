import * as assert from 'node:assert/strict';
import {
  BadInputError,
  BadResponseError,
  classifyApiError,
  CredentialsNotFoundError,
  CredentialsRejectedError,
  DtsError,
  ForbiddenError,
  NetworkError,
  RequestRejectedError,
  ServerError,
  ThrottledError,
  TimeoutError,
} from '../../src/core/api/errors';

type ErrorClass = abstract new (...args: never[]) => DtsError;

describe('errors', () => {
  describe('classifyApiError', () => {
    const table: readonly [code: string, httpStatus: number | undefined, expected: ErrorClass, retryable: boolean][] = [
      ['SignatureDoesNotMatch', 400, CredentialsRejectedError, false],
      ['SignatureDoesNotMatch', 403, CredentialsRejectedError, false],
      ['IncompleteSignature', 400, CredentialsRejectedError, false],
      ['InvalidAccessKeyId.NotFound', 404, CredentialsRejectedError, false],
      ['InvalidAccessKeyId.NotFound', 400, CredentialsRejectedError, false],
      ['InvalidAccessKeyId.Inactive', 400, CredentialsRejectedError, false],
      ['InvalidSecurityToken.Expired', 400, CredentialsRejectedError, false],
      ['Forbidden.RAM', 403, ForbiddenError, false],
      ['NoPermission', 403, ForbiddenError, false],
      ['Forbidden', 403, ForbiddenError, false],
      ['Throttling', 400, ThrottledError, true],
      ['Throttling.User', 400, ThrottledError, true],
      ['Throttling.Api', 429, ThrottledError, true],
      ['SomethingNew', 429, ThrottledError, true],
      ['InternalError', 500, ServerError, true],
      ['InternalError', 200, ServerError, true],
      ['ServiceUnavailable', 503, ServerError, true],
      ['SomethingNew', 502, ServerError, true],
      ['MissingParameter', 400, RequestRejectedError, false],
      ['InvalidTimeStamp.Expired', 400, RequestRejectedError, false],
      ['InvalidTimeStamp.Format', 400, RequestRejectedError, false],
      ['InvalidApi.NotFound', 404, RequestRejectedError, false],
      ['InvalidParameter', 200, RequestRejectedError, false],
    ];
    for (const [code, httpStatus, expected, retryable] of table) {
      it(`classifies ${code} (HTTP ${httpStatus ?? '-'}) as ${expected.name}${retryable ? ', retryable' : ''}`, () => {
        const error = classifyApiError({ code, httpStatus, apiMessage: 'msg', requestId: 'R-1' });
        assert.ok(error instanceof expected, `got ${error.name}`);
        assert.equal(error.retryable, retryable);
        assert.equal(error.code, code);
        assert.equal(error.httpStatus, httpStatus);
      });
    }

    it('never lets a retry-after hint turn a signature error into throttling', () => {
      const error = classifyApiError({ code: 'SignatureDoesNotMatch', httpStatus: 400, retryAfterMs: 1 });
      assert.ok(error instanceof CredentialsRejectedError, `got ${error.name}`);
      assert.equal(error.retryable, false);
      assert.match(error.message, /^The AccessKey was rejected: SignatureDoesNotMatch/);
    });

    it('keeps a retry-after hint on a server error, which stays a server error', () => {
      const error = classifyApiError({ code: 'ServiceUnavailable', httpStatus: 503, retryAfterMs: 1000 });
      assert.ok(error instanceof ServerError);
      assert.equal(error.retryAfterMs, 1000);
    });

    it('calls any code with a segment starting with Throttling throttling, and nothing else', () => {
      for (const code of ['Dts.Throttling.Api', 'Dts.ThrottlingUser', 'ThrottlingException', 'throttling']) {
        assert.ok(classifyApiError({ code, httpStatus: 400 }) instanceof ThrottledError, code);
      }
      for (const code of ['NotThrottling', 'Dts.AntiThrottling', 'InvalidParameter.Throttle']) {
        assert.ok(classifyApiError({ code, httpStatus: 400 }) instanceof RequestRejectedError, code);
      }
    });

    it('never retries a credential or signature error, even with HTTP 429', () => {
      for (const code of ['SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound', 'InvalidSecurityToken.Expired']) {
        const error = classifyApiError({ code, httpStatus: 429, retryAfterMs: 500 });
        assert.ok(error instanceof CredentialsRejectedError, code);
        assert.equal(error.retryable, false);
      }
    });

    it('reads a code named like an object member as an unknown code', () => {
      for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const error = classifyApiError({ code, httpStatus: 400 });
        assert.ok(error instanceof RequestRejectedError, code);
        assert.equal(error.code, code);
      }
    });

    it('matches codes case-insensitively', () => {
      assert.ok(classifyApiError({ code: 'throttling.user', httpStatus: 400 }) instanceof ThrottledError);
      assert.ok(classifyApiError({ code: 'signaturedoesnotmatch', httpStatus: 400 }) instanceof CredentialsRejectedError);
    });
  });

  describe('messages', () => {
    it('include the code, the API message and the RequestId', () => {
      const error = classifyApiError({
        code: 'Forbidden.RAM',
        apiMessage: 'User not authorized to operate on the specified resource.',
        requestId: '1413460B-138A-48D1-836C-B24EDDC1AAAA',
        httpStatus: 403,
      });
      assert.equal(
        error.message,
        'Access denied: Forbidden.RAM User not authorized to operate on the specified resource. (RequestId 1413460B-138A-48D1-836C-B24EDDC1AAAA)',
      );
    });

    it('name what the user can do about each kind', () => {
      const details = { code: 'X', apiMessage: 'y', httpStatus: 400 };
      assert.match(new CredentialsRejectedError(details).message, /^The AccessKey was rejected: X y$/);
      assert.match(new ForbiddenError(details).message, /^Access denied: X y$/);
      assert.match(new ThrottledError(details).message, /^Throttled by Alibaba Cloud: X y$/);
      assert.match(new RequestRejectedError(details).message, /^DTS rejected the request: X y$/);
      assert.match(new ServerError({ code: 'InternalError', httpStatus: 500 }).message, /^DTS server error \(HTTP 500\): InternalError$/);
    });

    it('flatten a multi-line API message onto one line', () => {
      const error = classifyApiError({ code: 'InvalidParameter', apiMessage: 'first line\n  second\tline  ' });
      assert.equal(error.message, 'DTS rejected the request: InvalidParameter first line second line');
    });

    it('shorten a very long API message', () => {
      const error = classifyApiError({ code: 'InvalidParameter', apiMessage: 'x'.repeat(1000) });
      assert.ok(error.message.length < 400, `length ${error.message.length}`);
      assert.match(error.message, /\.\.\.$/);
    });

    it('do not show local codes for local errors', () => {
      assert.equal(new BadInputError('Give at least one job ID').message, 'Give at least one job ID');
      assert.equal(new CredentialsNotFoundError('No credentials').message, 'No credentials');
      assert.equal(new NetworkError('Connection refused').message, 'Connection refused');
    });

    it('say how long a timeout waited', () => {
      const error = new TimeoutError(10);
      assert.equal(error.message, 'No answer within 10 s');
      assert.equal(error.code, 'Timeout');
      assert.equal(error.retryable, true);
      assert.equal(error.kind, 'timeout');
      assert.ok(error instanceof NetworkError);
      assert.equal(new TimeoutError(2.5).message, 'No answer within 2.5 s');
    });

    it('say which deadline ended a request and what its last attempt got', () => {
      const last = classifyApiError({ code: 'Throttling.User', apiMessage: 'slow down', httpStatus: 400, requestId: 'R-7' });
      const error = new TimeoutError(60, { deadline: true, last });
      assert.equal(error.message, 'No answer within the 60 s deadline (last attempt: Throttled by Alibaba Cloud: Throttling.User slow down (RequestId R-7))');
      assert.equal(error.kind, 'timeout');
      assert.equal(error.retryable, false, 'the deadline is over: no retry can help');
      assert.equal(new TimeoutError(60, { deadline: true }).message, 'No answer within the 60 s deadline');
    });

    it('mark a bad response with its HTTP status and RequestId', () => {
      const error = new BadResponseError('the body is empty', { httpStatus: 502, requestId: 'R-9', retryable: true });
      assert.equal(error.message, 'Bad response (HTTP 502): the body is empty (RequestId R-9)');
      assert.equal(error.retryable, true);
      assert.equal(new BadResponseError('x').retryable, false);
    });

    it('carry the class name as the error name', () => {
      assert.equal(new ForbiddenError({ code: 'Forbidden' }).name, 'ForbiddenError');
      assert.equal(new TimeoutError(1).name, 'TimeoutError');
    });
  });

  describe('retryable flags', () => {
    it('retries only throttling, network, timeout and server errors', () => {
      const d = { code: 'C' };
      assert.equal(new ThrottledError(d).retryable, true);
      assert.equal(new NetworkError('reset').retryable, true);
      assert.equal(new TimeoutError(1).retryable, true);
      assert.equal(new ServerError(d).retryable, true);
      assert.equal(new CredentialsRejectedError(d).retryable, false);
      assert.equal(new ForbiddenError(d).retryable, false);
      assert.equal(new RequestRejectedError(d).retryable, false);
      assert.equal(new BadInputError('bad').retryable, false);
      assert.equal(new CredentialsNotFoundError('none').retryable, false);
    });

    it('lets a network error say a retry cannot help (a rejected certificate, an unknown host)', () => {
      const error = new NetworkError('TLS certificate rejected (certificate has expired)', { retryable: false });
      assert.equal(error.retryable, false);
      assert.equal(error.kind, 'network');
      assert.equal(error.code, 'NetworkError');
    });
  });
});

describe('errors: texts from the server', () => {
  const KNOWN = { accessKeyId: 'STS.NErrorsTestKey0002', accessKeySecret: 'errors-Secret-0002', securityToken: 'CAIS+errorsToken/Zq8w+3xK7pV/Lm9Nb2Vc4Xz6As8Df0Gh1Jk3Lq5We7Rt9Yu1Io3Pa5Sd7Fg9Hj=0002' };

  it('removes a whole token the server put in RequestId, Code or Message, however long, before cutting them to length', () => {
    const error = new RequestRejectedError({ code: KNOWN.securityToken, apiMessage: `echo ${KNOWN.securityToken}`, requestId: KNOWN.securityToken }).redact(KNOWN);
    for (const text of [error.message, error.code, error.requestId ?? '', error.apiMessage ?? '']) {
      assert.ok(!text.includes(KNOWN.securityToken.slice(0, 16)), text);
      assert.ok(!text.includes(KNOWN.securityToken.slice(-16)), text);
    }
    assert.equal(error.requestId, '[redacted]');
  });

  it('masks the AccessKey ID the server echoes and strips control characters from every field', () => {
    const error = new ForbiddenError({
      code: 'Forbidden.RAM\u001b[2J',
      apiMessage: `User ${KNOWN.accessKeyId} denied\r\n[error] forged`,
      requestId: 'REQ\u0007-1',
      accessDenied: { authAction: 'dts:DescribeSynchronizationJobStatusList', noPermissionType: 'ImplicitDeny' },
    }).redact(KNOWN);
    assert.equal(
      error.message,
      'Access denied: Forbidden.RAM [2J User STS.****0002 denied [error] forged (the RAM policy does not allow dts:DescribeSynchronizationJobStatusList: ImplicitDeny) (RequestId REQ -1)',
    );
  });
});
