import * as assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { DtsClient, defaultDispatcher, type ClientOptions } from '../../src/core/api/client';
import { NetworkError, TimeoutError } from '../../src/core/api/errors';
import { RateLimiter } from '../../src/core/api/rateLimiter';

/** How a hostile proxy treats a CONNECT. */
type ProxyMode = 'drop' | 'ok-then-close' | 'hang';

interface HostileProxy {
  readonly url: string;
  /** TCP connections the proxy accepted. */
  readonly accepted: () => number;
  /** Connections still open. */
  readonly open: () => number;
  readonly close: () => Promise<void>;
}

/** A proxy that reads the CONNECT line and then drops the connection, answers 200 and drops it, or never answers. */
async function hostileProxy(mode: ProxyMode): Promise<HostileProxy> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (mode === 'drop') {
        socket.destroy();
      } else if (mode === 'ok-then-close') {
        socket.end('HTTP/1.1 200 Connection established\r\n\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Fails the test instead of letting it hang when a request never ends. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const credentials = { accessKeyId: 'LTAI5tProxyKey0001', accessKeySecret: 'proxy-test-secret' };

describe('DtsClient through a hostile proxy or TLS peer', function () {
  // The bounds below (10 s for "did not hang") must fire before mocha's own timeout does.
  this.timeout(30_000);
  let proxy: HostileProxy | undefined;
  let client: DtsClient | undefined;
  let sleeps: number[];

  beforeEach(() => {
    sleeps = [];
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await proxy?.close();
    proxy = undefined;
  });

  /** A client of the official https endpoint (never reached: the proxy is in the way); retry waits skipped. */
  function makeClient(options: Partial<ClientOptions>): DtsClient {
    client = new DtsClient({
      credentials,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      rateLimiter: new RateLimiter(),
      ...options,
    });
    return client;
  }

  it('fails each attempt once when the proxy drops CONNECT, instead of reconnecting without end', async () => {
    proxy = await hostileProxy('drop');
    const c = makeClient({ proxy: proxy.url, timeoutMs: 2000, maxAttempts: 3 });
    await assert.rejects(within(10_000, c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), 'the request'), (e: unknown) => {
      assert.ok(e instanceof NetworkError, `got ${String(e)}`);
      assert.match(e.message, /^The proxy closed the connection \(/);
      assert.equal(e.retryable, true);
      return true;
    });
    const accepted = proxy.accepted();
    assert.ok(accepted >= 3 && accepted <= 6, `${accepted} connections for 3 attempts`);
    assert.equal(sleeps.length, 2, 'the retry policy decided: 3 attempts, 2 waits');
    await pause(300);
    assert.equal(proxy.accepted(), accepted, 'nothing reconnects after the request ended');
  });

  it('bounds the connections of the environment proxy (HTTPS_PROXY) the same way', async () => {
    proxy = await hostileProxy('drop');
    const dispatcher = defaultDispatcher(undefined, { HTTPS_PROXY: proxy.url });
    try {
      const c = makeClient({ dispatcher, timeoutMs: 2000, maxAttempts: 2 });
      await assert.rejects(within(10_000, c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), 'the request'), NetworkError);
      assert.ok(proxy.accepted() <= 4, `${proxy.accepted()} connections for 2 attempts`);
    } finally {
      await dispatcher.destroy();
    }
  });

  it('fails each attempt once when the proxy answers 200 and then closes the tunnel', async () => {
    proxy = await hostileProxy('ok-then-close');
    const c = makeClient({ proxy: proxy.url, timeoutMs: 2000, maxAttempts: 3 });
    await assert.rejects(within(10_000, c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), 'the request'), NetworkError);
    const accepted = proxy.accepted();
    assert.ok(accepted >= 3 && accepted <= 6, `${accepted} connections for 3 attempts`);
    await pause(300);
    assert.equal(proxy.accepted(), accepted);
  });

  it('ends an attempt at its timeout when the proxy never answers CONNECT, and lets go of the connection', async () => {
    proxy = await hostileProxy('hang');
    const c = makeClient({ proxy: proxy.url, timeoutMs: 300, maxAttempts: 2 });
    await assert.rejects(within(10_000, c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), 'the request'), (e: unknown) => {
      assert.ok(e instanceof TimeoutError, `got ${String(e)}`);
      assert.equal(e.message, 'No answer within 0.3 s');
      return true;
    });
    assert.ok(proxy.accepted() <= 4, `${proxy.accepted()} connections for 2 attempts`);
    // undici would keep the CONNECT waiting for 300 s; the client replaces and destroys that dispatcher instead.
    for (let waited = 0; proxy.open() > 0 && waited < 10_000; waited += 50) {
      await pause(50);
    }
    assert.equal(proxy.open(), 0, 'the hung connections were closed');
  });

  it('closes within a bounded time even while a request is stuck behind a silent proxy', async () => {
    proxy = await hostileProxy('hang');
    const c = makeClient({ proxy: proxy.url, timeoutMs: 60_000, maxAttempts: 1 });
    const controller = new AbortController();
    const pending = c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou', controller.signal);
    while (proxy.accepted() === 0) {
      await pause(10);
    }
    controller.abort(new Error('cancelled'));
    await assert.rejects(within(5_000, pending, 'the aborted request'), /cancelled/);
    await within(10_000, c.close(), 'close()');
    client = undefined;
    for (let waited = 0; proxy.open() > 0 && waited < 5_000; waited += 50) {
      await pause(50);
    }
    assert.equal(proxy.open(), 0);
  });

  describe('TLS', () => {
    let tls: HttpsServer;
    let connections: number;

    beforeEach(async () => {
      connections = 0;
      tls = createHttpsServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) => res.end('{}'));
      tls.on('connection', () => connections++);
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    });

    afterEach(async () => {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    });

    it('tries a server whose certificate is rejected once: "TLS certificate rejected"', async () => {
      const c = makeClient({ endpoint: `https://127.0.0.1:${(tls.address() as AddressInfo).port}`, maxAttempts: 3 });
      await assert.rejects(c.describeSynchronizationJobStatusList(['dtsjob0001'], 'cn-hangzhou'), (e: unknown) => {
        assert.ok(e instanceof NetworkError, `got ${String(e)}`);
        assert.match(e.message, /^TLS certificate rejected \(/);
        assert.equal(e.retryable, false);
        return true;
      });
      assert.equal(connections, 1);
      assert.deepEqual(sleeps, []);
    });
  });
});

// A throwaway self-signed certificate for localhost / 127.0.0.1 (P-256, 100 years): the point is that it is refused.
const SELF_SIGNED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3AI4LkH1GLViNShp
3N9E1gpcnzofkGk4qgdKrpqHNQKhRANCAASP09SpyeSmRUuFJsM8XJU+eJR7ddQf
82l4R7Z2nKsORRjUwQ9rZAgD+J25LDhNrEjx+139I85sQxowPR8lpipD
-----END PRIVATE KEY-----
`;
const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUB2cV5wQ5gZ8KN0Y1/G/fC6+UpcEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEzMDEyMTMyM1oYDzIxMjYxMTA2
MTIxMzIzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASP09SpyeSmRUuFJsM8XJU+eJR7ddQf82l4R7Z2nKsORRjUwQ9rZAgD
+J25LDhNrEjx+139I85sQxowPR8lpipDo28wbTAdBgNVHQ4EFgQUmQ5YXhBrBRx9
45P9pUk3k6r+DeswHwYDVR0jBBgwFoAUmQ5YXhBrBRx945P9pUk3k6r+DeswDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgfqoUdgxm5XHM/s2uuBA7XXYmg8NnCYRYA926lKWmrtICIQDc
5RveBAmg7iIEdi2YTv0iazRrkJ7jCEhsjPPU8oxlIg==
-----END CERTIFICATE-----
`;
