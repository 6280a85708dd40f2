import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DtsClient, type AttemptEvent, type ClientOptions } from '../../src/core/api/client';
import {
  BadResponseError,
  CredentialsRejectedError,
  NetworkError,
  ServerError,
  ThrottledError,
  TimeoutError,
} from '../../src/core/api/errors';

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
});
