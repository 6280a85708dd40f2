import * as assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, Dispatcher } from 'undici';
import { DtsClient, networkError, type AttemptEvent, type ClientOptions, type Deadline } from '../../src/core/api/client';
import {
  BadResponseError,
  CredentialsRejectedError,
  DtsError,
  NetworkError,
  ServerError,
  ThrottledError,
  TimeoutError,
} from '../../src/core/api/errors';
import { rateLimitKey, RateLimiter, sharedRateLimiter, type AcquireOptions, type ReleaseSlot } from '../../src/core/api/rateLimiter';
import { FakeClock } from './fake-clock.fixture';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const OK_BODY = JSON.stringify({
  RequestId: 'req-ok',
  Success: 'true',
  SynchronizationJobListStatusList: [
    { SynchronizationJobId: 'dtsjob0001', SynchronizationDirectionInfoList: [{ Status: 'Synchronizing', SynchronizationDirection: 'Forward', Checkpoint: '1700000000' }] },
  ],
});

describe('DtsClient', () => {
  let server: Server;
  let handler: Handler;
  let requests: IncomingMessage[];
  let connections: number;
  let client: DtsClient | undefined;
  let sleeps: number[];
  let events: AttemptEvent[];

  beforeEach(async () => {
    requests = [];
    connections = 0;
    sleeps = [];
    events = [];
    server = createServer((req, res) => {
      requests.push(req);
      handler(req, res, requests.length);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function makeClient(options: Partial<ClientOptions> = {}): DtsClient {
    client = new DtsClient({
      credentials: { accessKeyId: 'LTAI5tTestKey0001', accessKeySecret: 'super-secret-value-xyz' },
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      onAttempt: (e) => events.push(e),
      // Its own budget, so the tests of this file do not wait on each other's requests.
      rateLimiter: new RateLimiter(),
      ...options,
    });
    return client;
  }

  function reply(res: ServerResponse, status: number, body: object | string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', date: 'Tue, 14 Nov 2023 22:13:20 GMT', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  it('sends a V3-signed POST with the job IDs as a JSON array and parses the answer', async () => {
    handler = (_req, res) => reply(res, 200, OK_BODY);
    const result = await makeClient().describeSynchronizationJobStatusList(['dtsjob0001', 'dtsjob0002'], 'cn-hangzhou');
    const req = requests[0];
    assert.equal(req.method, 'POST');
    assert.match(req.url ?? '', /SynchronizationJobIdListJsonStr=%5B%22dtsjob0001%22%2C%22dtsjob0002%22%5D/);
    assert.match(req.url ?? '', /RegionId=cn-hangzhou/);
    assert.equal(req.headers['x-acs-action'], 'DescribeSynchronizationJobStatusList');
    assert.equal(req.headers['x-acs-version'], '2020-01-01');
    assert.match(String(req.headers['authorization']), /^ACS3-HMAC-SHA256 Credential=LTAI5tTestKey0001,SignedHeaders=host;/);
    assert.equal(result.requestId, 'req-ok');
    assert.equal(result.serverDate?.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.deepEqual(result.jobs.get('dtsjob0001')?.[0].status, 'Synchronizing');
  });

  it('reads header names in any case, joins a repeated header and ignores one named __proto__', async () => {
    const body = JSON.stringify({ Success: true, SynchronizationJobListStatusList: [] });
    handler = (_req, res) => {
      res.writeHead(200, [
        ['Content-Type', 'application/json'],
        ['DATE', 'Tue, 14 Nov 2023 22:13:20 GMT'],
        ['X-Acs-Request-Id', 'first'],
        ['x-ACS-request-id', 'second'],
        ['__proto__', 'polluted'],
      ].flat());
      res.end(body);
    };
    const result = await makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(result.requestId, 'first, second');
    assert.equal(result.serverDate?.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it('asks for the IDs of each call, also when the caller changed its array in place since the last one', async () => {
    handler = (_req, res) => reply(res, 200, OK_BODY);
    const dts = makeClient();
    const ids = ['dtsjob0001', 'dtsjob0002'];
    await dts.describeSynchronizationJobStatusList(ids, 'cn-hangzhou');
    ids[1] = 'dtsjob0003';
    await dts.describeSynchronizationJobStatusList(ids, 'cn-hangzhou');
    await dts.describeSynchronizationJobStatusList(ids, 'cn-shanghai');
    await dts.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    const asked = requests.map((req) => new URL(req.url ?? '/', 'http://x').searchParams);
    assert.deepEqual(
      asked.map((q) => [q.get('SynchronizationJobIdListJsonStr'), q.get('RegionId')]),
      [
        ['["dtsjob0001","dtsjob0002"]', 'cn-hangzhou'],
        ['["dtsjob0001","dtsjob0003"]', 'cn-hangzhou'],
        ['["dtsjob0001","dtsjob0003"]', 'cn-shanghai'],
        ['["dtsjob0001"]', 'cn-hangzhou'],
      ],
    );
    assert.equal(new Set(requests.map((req) => req.headers['x-acs-signature-nonce'])).size, 4, 'a fresh nonce each time');
  });

  it('sends V2 common parameters and a Signature in the query when asked for v2', async () => {
    handler = (_req, res) => reply(res, 200, OK_BODY);
    await makeClient({ signatureVersion: 'v2' }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    const url = requests[0].url ?? '';
    for (const p of ['Action=DescribeSynchronizationJobStatusList', 'SignatureMethod=HMAC-SHA1', 'SignatureVersion=1.0', 'Format=JSON', 'Signature=']) {
      assert.ok(url.includes(p), `${p} in ${url}`);
    }
    assert.equal(requests[0].headers['authorization'], undefined);
  });

  it('retries a 503 with a freshly signed request and a new nonce, then succeeds', async () => {
    handler = (_req, res, n) => (n < 3 ? reply(res, 503, { Code: 'ServiceUnavailable', Message: 'busy', RequestId: `r${n}` }) : reply(res, 200, OK_BODY));
    await makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(requests.length, 3);
    const nonces = new Set(requests.map((r) => r.headers['x-acs-signature-nonce']));
    assert.equal(nonces.size, 3);
    assert.deepEqual(sleeps, [375, 750], 'exponential backoff with jitter');
    assert.deepEqual(events.map((e) => e.outcome), ['ServiceUnavailable', 'ServiceUnavailable', 'ok']);
    assert.match(events[0].retryReason ?? '', /ServiceUnavailable/);
  });

  it('gives up after the last attempt with the server error', async () => {
    handler = (_req, res, n) => reply(res, 500, { Code: 'InternalError', Message: 'boom', RequestId: `r${n}` });
    await assert.rejects(makeClient({ maxAttempts: 2 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
      assert.ok(e instanceof ServerError);
      assert.equal(e.requestId, 'r2');
      assert.match(e.message, /HTTP 500.*InternalError boom.*RequestId r2/);
      return true;
    });
    assert.equal(requests.length, 2);
  });

  it('does not retry a rejected signature, and the message never contains the secret', async () => {
    handler = (_req, res) => reply(res, 400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.', RequestId: 'r1' });
    await assert.rejects(makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
      assert.ok(e instanceof CredentialsRejectedError);
      assert.ok(!e.message.includes('super-secret-value-xyz'));
      return true;
    });
    assert.equal(requests.length, 1);
  });

  it('waits at least x-acs-retry-after milliseconds when throttled', async () => {
    handler = (_req, res, n) =>
      n === 1 ? reply(res, 400, { Code: 'Throttling.User', Message: 'slow down' }, { 'x-acs-retry-after': '1500' }) : reply(res, 200, OK_BODY);
    await makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.deepEqual(sleeps, [1500]);
  });

  it('leaves a long throttling hint to the caller instead of waiting it out', async () => {
    handler = (_req, res) => reply(res, 429, { Code: 'Throttling.Api', Message: 'slow down' }, { 'x-acs-retry-after': '60000' });
    await assert.rejects(makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
      assert.ok(e instanceof ThrottledError);
      assert.equal(e.retryAfterMs, 60000);
      return true;
    });
    assert.equal(requests.length, 1);
  });

  it('times out a hung attempt and retries it', async () => {
    handler = (_req, res, n) => (n === 1 ? undefined : reply(res, 200, OK_BODY));
    await makeClient({ timeoutMs: 200 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(requests.length, 2);
    assert.equal(events[0].outcome, 'Timeout');
  });

  it('reports a timeout when every attempt hangs', async () => {
    handler = () => undefined;
    await assert.rejects(makeClient({ timeoutMs: 100, maxAttempts: 2 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
      assert.ok(e instanceof TimeoutError);
      assert.equal(e.message, 'No answer within 0.1 s');
      return true;
    });
  });

  it('turns a reset connection into a network error after retrying', async () => {
    handler = (req) => req.socket.destroy();
    await assert.rejects(makeClient({ maxAttempts: 2 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), NetworkError);
    assert.equal(requests.length, 2);
  });

  it('refuses a response over the size cap', async () => {
    handler = (_req, res) => reply(res, 200, `{"RequestId":"${'x'.repeat(5000)}"}`);
    await assert.rejects(makeClient({ maxResponseBytes: 1000 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
      assert.ok(e instanceof BadResponseError);
      assert.match(e.message, /1000-byte limit/);
      return true;
    });
  });

  it('explains a proxy HTML page as a bad response and retries it as a 5xx', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
    };
    await assert.rejects(makeClient({ maxAttempts: 2 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
      assert.ok(e instanceof BadResponseError);
      assert.match(e.message, /^Bad response \(HTTP 502\): expected JSON, got an HTML page \("502 Bad Gateway"\)/);
      return true;
    });
    assert.equal(requests.length, 2);
  });

  it('reuses one keep-alive connection across calls', async () => {
    handler = (_req, res) => reply(res, 200, OK_BODY);
    const c = makeClient();
    for (let i = 0; i < 5; i++) {
      await c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    }
    assert.equal(requests.length, 5);
    // undici hands a socket back to its pool a tick after the body ends, so a back-to-back call may open one more.
    assert.ok(connections <= 2, `${connections} connections for 5 calls`);
  });

  it('stops at once when the caller aborts', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = makeClient({ timeoutMs: 10_000 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await assert.rejects(pending, /cancelled/);
    assert.equal(requests.length, 1);
  });

  describe('retry classification', () => {
    it('sends a rejected signature once even when it carries x-acs-retry-after', async () => {
      handler = (_req, res) =>
        reply(res, 400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' }, { 'x-acs-retry-after': '1' });
      await assert.rejects(makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
        assert.ok(e instanceof CredentialsRejectedError, `got ${String(e)}`);
        assert.match(e.message, /^The AccessKey was rejected: SignatureDoesNotMatch/);
        return true;
      });
      assert.equal(requests.length, 1);
      assert.deepEqual(sleeps, []);
    });

    it('waits out the retry-after hint of a 503 and retries it as a server error', async () => {
      handler = (_req, res, n) =>
        n === 1 ? reply(res, 503, { Code: 'ServiceUnavailable', Message: 'busy' }, { 'x-acs-retry-after': '1500' }) : reply(res, 200, OK_BODY);
      await makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
      assert.equal(requests.length, 2);
      assert.deepEqual(sleeps, [1500]);
    });

    it('retries a dotted throttling code such as Dts.Throttling.Api', async () => {
      handler = (_req, res, n) => (n === 1 ? reply(res, 400, { Code: 'Dts.Throttling.Api', Message: 'too fast' }) : reply(res, 200, OK_BODY));
      await makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
      assert.equal(requests.length, 2);
      assert.equal(events[0].outcome, 'Dts.Throttling.Api');
    });

    it('tries an unknown host once: "Host not found"', async () => {
      let connects = 0;
      const dispatcher = new Agent({
        connect: (_options, callback) => {
          connects++;
          callback(Object.assign(new Error('getaddrinfo ENOTFOUND dts.cn-nowhere.aliyuncs.com'), { code: 'ENOTFOUND' }), null);
        },
      });
      try {
        await assert.rejects(makeClient({ dispatcher }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
          assert.ok(e instanceof NetworkError);
          assert.equal(e.message, 'Host not found (getaddrinfo ENOTFOUND dts.cn-nowhere.aliyuncs.com)');
          assert.equal(e.retryable, false);
          return true;
        });
        assert.equal(connects, 1);
      } finally {
        await dispatcher.close();
      }
    });
  });

  describe('networkError', () => {
    const coded = (code: string, message: string, cause?: unknown): Error => Object.assign(new Error(message), { code }, cause ? { cause } : {});
    const table: readonly [what: string, caught: unknown, message: string, retryable: boolean][] = [
      ['an unknown host', coded('ENOTFOUND', 'getaddrinfo ENOTFOUND dts.example'), 'Host not found (getaddrinfo ENOTFOUND dts.example)', false],
      ['an expired certificate under undici', new Error('fetch failed', { cause: coded('CERT_HAS_EXPIRED', 'certificate has expired') }), 'TLS certificate rejected (certificate has expired)', false],
      ['a self-signed certificate', coded('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'TLS certificate rejected (self-signed certificate)', false],
      ['a self-signed root', coded('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'TLS certificate rejected (self-signed certificate in certificate chain)', false],
      ['an unverifiable chain', coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'TLS certificate rejected (unable to verify the first certificate)', false],
      [
        'a wrong host name behind a proxy',
        coded('UND_ERR_PRX_TLS', 'Secure Proxy Connection failed', coded('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames")),
        "TLS certificate rejected (Hostname/IP does not match certificate's altnames)",
        false,
      ],
      ['a reset', coded('ECONNRESET', 'read ECONNRESET'), 'Connection reset (read ECONNRESET)', true],
      ['a refused connection', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), 'Connection refused (connect ECONNREFUSED 127.0.0.1:9)', true],
      ['a code named like an object member', coded('constructor', 'odd failure'), 'Network error (odd failure)', true],
      ['__proto__ as a code', coded('__proto__', 'odder failure'), 'Network error (odder failure)', true],
      ['no code at all', new Error('socket hang up'), 'Network error (socket hang up)', true],
    ];
    for (const [what, caught, message, retryable] of table) {
      it(`words ${what} as "${message}"${retryable ? ', worth a retry' : ', not retried'}`, () => {
        const error = networkError(caught);
        assert.equal(error.message, message);
        assert.equal(error.retryable, retryable);
      });
    }
  });

  describe('redaction', () => {
    const STS = {
      accessKeyId: 'STS.NUecho1234567890abcd',
      accessKeySecret: 'echo-secret-value-0987654321',
      securityToken: 'CAIS' + 'tokenpartABCDEF0123456789'.repeat(4) + '+/=end',
    };

    /** The signature a request carried: V2 in the query, V3 in the Authorization header. */
    function signatureOf(req: IncomingMessage): string {
      const url = new URL(req.url ?? '/', 'http://x');
      const signature = url.searchParams.get('Signature') ?? /Signature=([0-9a-f]+)/.exec(String(req.headers['authorization']))?.[1];
      assert.ok(signature, 'a signature was sent');
      return signature;
    }

    /** Everything that must never reach a message: the full key ID, the secret, the token and the signature sent. */
    function secretsOf(req: IncomingMessage): string[] {
      const signature = signatureOf(req);
      const spellings = (v: string): string[] => [v, encodeURIComponent(v), encodeURIComponent(encodeURIComponent(v))];
      return [STS.accessKeyId, STS.accessKeySecret, STS.securityToken, signature].flatMap(spellings);
    }

    function assertClean(text: string | undefined, secrets: readonly string[]): void {
      for (const secret of secrets) {
        assert.ok(!text?.includes(secret), `${JSON.stringify(secret)} leaked into ${JSON.stringify(text)}`);
      }
    }

    /** A hostile endpoint: quotes the request URL, the Authorization header and the bare signature in its message. */
    const echo =
      (status: number, code: string, headers: Record<string, string> = {}): Handler =>
      (req, res) =>
        reply(
          res,
          status,
          { Code: code, Message: `got ${req.url} with Authorization: ${req.headers['authorization']}, signed ${signatureOf(req)}`, RequestId: `R-${STS.accessKeyId}` },
          headers,
        );

    for (const signatureVersion of ['v2', 'v3'] as const) {
      it(`keeps the ${signatureVersion.toUpperCase()} key ID, token and signature an endpoint echoes out of the error and the log`, async () => {
        handler = echo(503, 'ServiceUnavailable');
        await assert.rejects(makeClient({ credentials: STS, signatureVersion, maxAttempts: 2 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
          assert.ok(e instanceof ServerError);
          const secrets = requests.flatMap(secretsOf);
          assertClean(e.message, secrets);
          assertClean(e.apiMessage, secrets);
          assertClean(e.requestId, secrets);
          for (const event of events) {
            assertClean(event.retryReason, secrets);
            assertClean(event.requestId, secrets);
          }
          assert.match(e.message, /STS\.\*\*\*\*abcd/, 'the key ID shows masked');
          return true;
        });
        assert.equal(requests.length, 2);
      });
    }

    for (const signatureVersion of ['v2', 'v3'] as const) {
      it(`keeps the bare ${signatureVersion.toUpperCase()} signature an endpoint echoes in a header out of the error`, async () => {
        handler = (req, res) => reply(res, 503, { Code: 'ServiceUnavailable', Message: 'busy' }, { 'x-acs-request-id': `id-${signatureOf(req)}-end` });
        await assert.rejects(makeClient({ credentials: STS, signatureVersion, maxAttempts: 1 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
          assert.ok(e instanceof ServerError);
          assert.equal(e.requestId, 'id-[redacted]-end');
          return true;
        });
      });
    }

    it('keeps the signed URL out of a network error that quotes it', async () => {
      const seen: string[] = [];
      /** A transport whose failure quotes the full request, as some proxies and agents do. */
      class QuotingFailure extends Dispatcher {
        override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
          const full = `${String(options.origin)}${options.path}`;
          seen.push(full);
          const error = Object.assign(new Error(`connect ECONNRESET ${full} ${JSON.stringify(options.headers)}`), { code: 'ECONNRESET' });
          queueMicrotask(() => (handler as unknown as { onError(e: Error): void }).onError(error));
          return true;
        }
      }
      for (const signatureVersion of ['v2', 'v3'] as const) {
        seen.length = 0;
        await assert.rejects(
          makeClient({ credentials: STS, signatureVersion, dispatcher: new QuotingFailure(), maxAttempts: 1 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'),
          (e: unknown) => {
            assert.ok(e instanceof NetworkError);
            assert.match(e.message, /^Connection reset \(connect ECONNRESET/);
            assertClean(e.message, [STS.accessKeyId, STS.securityToken, encodeURIComponent(STS.securityToken), STS.accessKeySecret]);
            const signature = new URL(seen[0]).searchParams.get('Signature');
            if (signature) {
              assertClean(e.message, [signature, encodeURIComponent(signature)]);
            }
            return true;
          },
        );
      }
    });

    it('keeps echoed key material out of a deadline timeout that quotes the last attempt', async () => {
      handler = echo(503, 'ServiceUnavailable', { 'x-acs-retry-after': '5000' });
      const deadline: Deadline = { totalMs: 3000, remainingMs: () => 1000 };
      await assert.rejects(
        makeClient({ credentials: STS, signatureVersion: 'v2' }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', undefined, deadline),
        (e: unknown) => {
          assert.ok(e instanceof TimeoutError);
          assert.match(e.message, /^No answer within the 3 s deadline \(last attempt: DTS server error \(HTTP 503\): ServiceUnavailable got /);
          assertClean(e.message, requests.flatMap(secretsOf));
          return true;
        },
      );
    });
  });

  describe('deadline and rate limit', () => {
    /** A limiter that records each slot taken, at once or after a wait. */
    class RecordingLimiter extends RateLimiter {
      readonly keys: string[] = [];
      override tryAcquire(key: string): ReleaseSlot | undefined {
        const release = super.tryAcquire(key);
        if (release) {
          this.keys.push(key);
        }
        return release;
      }
      override acquire(key: string, options?: AcquireOptions): Promise<ReleaseSlot> {
        this.keys.push(key);
        return super.acquire(key, options);
      }
    }

    it('takes a rate-limit slot for every attempt, retries included, under the key ID and region', async () => {
      handler = (_req, res, n) => (n < 3 ? reply(res, 503, { Code: 'ServiceUnavailable' }) : reply(res, 200, OK_BODY));
      const limiter = new RecordingLimiter();
      await makeClient({ rateLimiter: limiter }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-shanghai');
      assert.equal(requests.length, 3);
      assert.deepEqual(limiter.keys, Array(3).fill(rateLimitKey('LTAI5tTestKey0001', 'cn-shanghai')));
    });

    it('gives its slot back when an attempt ends, failed or not, so it frees one window later', async () => {
      handler = (_req, res) => reply(res, 503, { Code: 'ServiceUnavailable' });
      const clock = new FakeClock();
      const limiter = new RateLimiter({ clock });
      const key = rateLimitKey('LTAI5tTestKey0001', 'cn-hangzhou');
      await assert.rejects(makeClient({ rateLimiter: limiter, maxAttempts: 2 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), ServerError);
      assert.equal(limiter.slotsTaken(key), 2);
      await clock.advance(1000);
      assert.equal(limiter.slotsTaken(key), 0);
    });

    it('shares one process-wide limiter between clients by default, so a recreated client keeps the count', async () => {
      handler = (_req, res) => reply(res, 200, OK_BODY);
      const credentials = { accessKeyId: 'LTAI5tSharedKey' + String(Date.now()), accessKeySecret: 's' };
      const key = rateLimitKey(credentials.accessKeyId, 'cn-hangzhou');
      for (let i = 0; i < 2; i++) {
        const c = new DtsClient({ credentials, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
        await c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
        await c.close();
      }
      assert.equal(sharedRateLimiter.slotsTaken(key), 2);
    });

    it('does not wait out a retry hint that would end after the deadline', async () => {
      handler = (_req, res) => reply(res, 400, { Code: 'Throttling.User', Message: 'slow down' }, { 'x-acs-retry-after': '15000' });
      const deadline: Deadline = { totalMs: 60_000, remainingMs: () => 10_000 };
      await assert.rejects(makeClient().describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', undefined, deadline), (e: unknown) => {
        assert.ok(e instanceof TimeoutError);
        assert.match(e.message, /^No answer within the 60 s deadline \(last attempt: Throttled by Alibaba Cloud: Throttling.User slow down\)$/);
        assert.equal(e.retryable, false);
        return true;
      });
      assert.equal(requests.length, 1);
      assert.deepEqual(sleeps, [], 'no wait started');
      assert.equal(events[0].retryInMs, undefined, 'the log does not announce a retry');
    });

    it('sends nothing when the next rate-limit slot comes after the deadline', async () => {
      handler = (_req, res) => reply(res, 200, OK_BODY);
      const clock = new FakeClock();
      const limiter = new RateLimiter({ clock });
      const key = rateLimitKey('LTAI5tTestKey0001', 'cn-hangzhou');
      const running = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire(key)));
      running.forEach((release) => release());
      const deadline: Deadline = { totalMs: 60_000, remainingMs: () => 500 };
      await assert.rejects(
        makeClient({ rateLimiter: limiter }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', undefined, deadline),
        (e: unknown) => e instanceof TimeoutError && e.message === 'No answer within the 60 s deadline',
      );
      assert.equal(requests.length, 0);
    });

    it('lets a 3,000,000 s timeout wait instead of firing after 1 ms, without a TimeoutOverflowWarning', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error): void => {
        warnings.push(w.name);
      };
      process.on('warning', onWarning);
      try {
        handler = (_req, res) => setTimeout(() => reply(res, 200, OK_BODY), 30);
        const result = await makeClient({ timeoutMs: 3_000_000_000 }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
        assert.equal(result.requestId, 'req-ok');
        assert.deepEqual(warnings, []);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('leaves no listener on a long-lived caller signal after its requests end', async () => {
      handler = (_req, res, n) => (n === 2 ? reply(res, 503, { Code: 'ServiceUnavailable' }) : reply(res, 200, OK_BODY));
      const shutdown = new AbortController();
      const c = makeClient();
      for (let i = 0; i < 3; i++) {
        await c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', shutdown.signal);
      }
      assert.equal(requests.length, 4);
      assert.equal(getEventListeners(shutdown.signal, 'abort').length, 0);
    });

    it('throws the caller\'s abort reason, not a DtsError, when the caller aborts during a retry wait', async () => {
      handler = (_req, res) => reply(res, 503, { Code: 'ServiceUnavailable' });
      const controller = new AbortController();
      const pending = makeClient({
        sleep: (_ms, signal) => {
          controller.abort(new Error('shutting down'));
          return Promise.reject(signal?.reason);
        },
      }).describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', controller.signal);
      await assert.rejects(pending, (e: unknown) => !(e instanceof DtsError) && /shutting down/.test(String(e)));
      assert.equal(requests.length, 1);
    });
  });
});
