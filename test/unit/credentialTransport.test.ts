import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createCredentialTransport, CredentialRequestError, MAX_CREDENTIAL_RESPONSE_BYTES, type CredentialTransport } from '../../src/core/credentials/transport';

/**
 * The transport every credential provider sends through (src/core/credentials/transport.ts), against a local server:
 * what reaches the server, what comes back, and the limits (64 KiB, the timeout) a hostile endpoint meets.
 */
describe('credential transport', () => {
  let server: Server;
  let origin: string;
  let handle: (req: IncomingMessage, res: ServerResponse, body: string) => void;
  let transport: CredentialTransport;
  const sockets = new Set<Socket>();

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => handle(req, res, body));
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    transport = createCredentialTransport({ env: {}, timeoutMs: 300 });
  });

  afterEach(async () => {
    await transport.close();
  });

  after(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the method, path, query, headers and form body, and returns status, headers and body bytes', async () => {
    let seen: { method?: string; url?: string; type?: string; token?: string; body?: string } = {};
    handle = (req, res, body) => {
      seen = { method: req.method, url: req.url, type: req.headers['content-type'], token: req.headers['x-token'] as string, body };
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request': 'abc' });
      res.end(JSON.stringify({ Code: 'OK', RequestId: 'r-1' }));
    };
    const response = await transport.doRequest({
      method: 'post',
      url: `${origin}/sts?Action=AssumeRole`,
      headers: { 'x-token': 't' },
      bodyForm: { RoleArn: 'acs:ram::1:role/a b', DurationSeconds: '3600' },
    });
    assert.deepEqual(seen, {
      method: 'POST',
      url: '/sts?Action=AssumeRole',
      type: 'application/x-www-form-urlencoded',
      token: 't',
      body: 'RoleArn=acs%3Aram%3A%3A1%3Arole%2Fa%20b&DurationSeconds=3600',
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-request'], 'abc');
    assert.ok(Buffer.isBuffer(response.body));
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), { Code: 'OK', RequestId: 'r-1' });
    assert.deepEqual(transport.lastAnswer, { host: origin.slice(7), status: 200, code: 'OK', requestId: 'r-1' });
  });

  it('refuses an answer over 64 KiB, declared or streamed, naming only the host', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(MAX_CREDENTIAL_RESPONSE_BYTES + 1) });
      res.end('x'.repeat(MAX_CREDENTIAL_RESPONSE_BYTES + 1));
    };
    const declared = await transport.doRequest({ method: 'GET', url: `${origin}/secret-path?token=s3cr3t` }).catch((e: unknown) => e);
    assert.ok(declared instanceof CredentialRequestError);
    assert.equal(declared.problem, 'too-large');
    assert.equal(declared.message, `too-large (${origin.slice(7)})`);
    handle = (_req, res) => {
      res.writeHead(200); // chunked: the size is only known as it arrives
      for (let i = 0; i < 5; i++) {
        res.write('y'.repeat(16 * 1024));
      }
      res.end();
    };
    const streamed = await transport.doRequest({ method: 'GET', url: `${origin}/` }).catch((e: unknown) => e);
    assert.ok(streamed instanceof CredentialRequestError);
    assert.equal(streamed.problem, 'too-large');
  });

  it('gives up on an endpoint that never answers at the timeout, as a timeout (a hang would fail the test at mocha\'s own timeout)', async () => {
    handle = () => undefined; // never answers
    const error = await transport.doRequest({ method: 'GET', url: `${origin}/hang` }).catch((e: unknown) => e);
    assert.ok(error instanceof CredentialRequestError);
    assert.equal(error.problem, 'timeout');
  });

  it('a connection refused is a network error with its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await transport.doRequest({ method: 'GET', url: `http://127.0.0.1:${port}/` }).catch((e: unknown) => e);
    assert.ok(error instanceof CredentialRequestError);
    assert.equal(error.problem, 'network');
    assert.equal(error.code, 'ECONNREFUSED');
  });
});
