import * as assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { DtsClient, defaultDispatcher, describeProxy } from '../../src/core/api/client';

const OK_BODY = JSON.stringify({ RequestId: 'req-proxy', Success: true, SynchronizationJobListStatusList: [] });

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('requests through a proxy', () => {
  let target: Server;
  let proxy: Server;
  let targetUrl: string;
  let proxyUrl: string;
  let seen: { method: string; url: string; auth?: string }[];
  let client: DtsClient | undefined;

  beforeEach(async () => {
    seen = [];
    target = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(OK_BODY);
    });
    // A forward proxy for http:// targets and a CONNECT tunnel for https:// ones, like a corporate proxy.
    proxy = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      // Every host is served from loopback here, so tests can use a name that is not loopback.
      const url = new URL(req.url ?? '');
      url.hostname = '127.0.0.1';
      const upstream = httpRequest(url, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    proxy.on('connect', (req, socket, head) => {
      seen.push({ method: 'CONNECT', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const port = Number((req.url ?? '').split(':').pop());
      const upstream = connect(port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
    });
    targetUrl = await listen(target);
    proxyUrl = await listen(proxy);
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    for (const server of [target, proxy]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const credentials = { accessKeyId: 'LTAI5tProxyTest0001', accessKeySecret: 'proxy-test-secret' };

  it('goes through the proxy it is given (VS Code http.proxy), with its credentials', async () => {
    client = new DtsClient({ credentials, endpoint: targetUrl, proxy: proxyUrl.replace('http://', 'http://user:pa55@'), maxAttempts: 1 });
    const result = await client.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(result.requestId, 'req-proxy');
    assert.equal(seen.length, 1);
    assert.match(seen[0].url, new RegExp(`^${targetUrl}/\\?|^127\\.0\\.0\\.1:\\d+$`));
    assert.equal(seen[0].auth, `Basic ${Buffer.from('user:pa55').toString('base64')}`);
  });

  /** The target under a name only the proxy can resolve. */
  const remoteEndpoint = (): string => targetUrl.replace('127.0.0.1', 'dts.proxy-test.invalid');

  it('goes through HTTP_PROXY from the environment when no proxy is given', async () => {
    client = new DtsClient({ credentials, endpoint: remoteEndpoint(), allowInsecureHttp: true, dispatcher: defaultDispatcher(undefined, { HTTP_PROXY: proxyUrl }), maxAttempts: 1 });
    const result = await client.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(result.requestId, 'req-proxy');
    assert.equal(seen.length, 1);
  });

  it('skips the environment proxy for hosts in NO_PROXY', async () => {
    const dispatcher = defaultDispatcher(undefined, { HTTP_PROXY: proxyUrl, NO_PROXY: 'dts.proxy-test.invalid' });
    client = new DtsClient({ credentials, endpoint: remoteEndpoint(), allowInsecureHttp: true, dispatcher, maxAttempts: 1 });
    await assert.rejects(client.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), /Host not found|Network error/);
    assert.equal(seen.length, 0, 'the proxy was not asked');
    await dispatcher.close();
  });

  it('never sends loopback (a local emulator) through the environment proxy', async () => {
    const dispatcher = defaultDispatcher(undefined, { HTTP_PROXY: proxyUrl });
    client = new DtsClient({ credentials, endpoint: targetUrl, dispatcher, maxAttempts: 1 });
    await client.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(seen.length, 0);
    await dispatcher.close();
  });

  it('connects directly when no proxy is configured anywhere', async () => {
    client = new DtsClient({ credentials, endpoint: targetUrl, dispatcher: defaultDispatcher(undefined, {}), maxAttempts: 1 });
    await client.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou');
    assert.equal(seen.length, 0);
  });

  it('names a proxy in the log by host and port only, never its password', () => {
    assert.equal(describeProxy('http://user:pa55@proxy.corp:3128'), 'http://proxy.corp:3128');
    assert.equal(describeProxy('not a url'), '(an unreadable proxy URL)');
  });
});
