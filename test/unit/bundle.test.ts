/**
 * The BUILT bundles (dist/, from `npm run build` or `vscode:prepublish`) use only the parts of undici that
 * esbuild.config.mjs keeps, a llhttp build shipped beside them and stubs for the rest. These tests run them, so a part
 * stripped that is needed after all fails here: the CLI against the emulator directly, through a CONNECT proxy and
 * through a SOCKS5 proxy, with both signature versions, and the extension bundle loading with its llhttp file.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';
import { repoRoot } from './repo-root.fixture';

const ROOT = repoRoot();
const CLI = join(ROOT, 'dist', 'cli.js');
const KEY = { accessKeyId: 'LTAI5tBundleTest0001', accessKeySecret: 'bundle-test-secret-0001' };
const JOBS = ['dtsbundle01x7k2', 'dtsbundle02x7k2'];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent', ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The jobs the CLI's --json document lists, with their health. */
function healthOf(result: Run): Map<string, string> {
  const doc = JSON.parse(result.stdout) as { jobs: { jobId: string; health: string }[] };
  return new Map(doc.jobs.map((j) => [j.jobId, j.health]));
}

describe('the built bundles (stripped undici, one llhttp build)', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let proxy: Server;
  let proxyUrl: string;
  let tunnels: string[];
  let socks: NetServer;
  let socksUrl: string;
  let socksTunnels: string[];
  const sockets = new Set<Socket>();

  before(async function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
    const scenario: Scenario = {
      accessKeys: [KEY],
      jobs: JOBS.map((id, i) => ({ id, region: 'cn-hangzhou', directions: [{ direction: 'Forward' as const, status: i === 0 ? 'Synchronizing' : 'Failed', lagSeconds: 2 }] })),
    };
    emu = await startEmulator({ scenario });
    // A CONNECT-only proxy, as corporate proxies are: every host it is asked for is the emulator.
    proxy = createServer((_req, res) => {
      res.writeHead(405).end();
    });
    proxy.on('connect', (req, socket: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const upstream = connect(Number(new URL(emu.url).port), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // A SOCKS5 proxy (RFC 1928, no authentication, CONNECT only): every host it is asked for is the emulator.
    socks = createNetServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      client.once('data', (greeting: Buffer) => {
        if (greeting[0] !== 5 || !greeting.subarray(2, 2 + greeting[1]).includes(0)) {
          client.end(Buffer.from([5, 0xff]));
          return;
        }
        client.write(Buffer.from([5, 0]));
        client.once('data', (request: Buffer) => {
          // VER CMD RSV ATYP DST.ADDR DST.PORT; a domain name (ATYP 3) is one length byte, then the name.
          const named = request[3] === 3;
          const host = named ? request.subarray(5, 5 + request[4]).toString('latin1') : request.subarray(4, 8).join('.');
          const port = request.readUInt16BE(named ? 5 + request[4] : 8);
          socksTunnels.push(`${host}:${port}`);
          const upstream = connect(Number(new URL(emu.url).port), '127.0.0.1', () => {
            client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
            upstream.pipe(client);
            client.pipe(upstream);
          });
          upstream.on('error', () => client.destroy());
        });
      });
    });
    await new Promise<void>((resolve) => socks.listen(0, '127.0.0.1', resolve));
    socksUrl = `socks5://127.0.0.1:${(socks.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    tunnels = [];
    socksTunnels = [];
    emu.clearRequests();
  });

  after(async () => {
    for (const socket of sockets) {
      socket.destroy();
    }
    await new Promise((resolve) => proxy.close(resolve));
    await new Promise((resolve) => socks.close(resolve));
    await emu.close();
  });

  for (const version of ['v3', 'v2'] as const) {
    it(`dist/cli.js asks the emulator directly (${version}) and prints both jobs`, async () => {
      const result = await run(['--endpoint', emu.url, '--signature-version', version, '--json', ...JOBS]);
      assert.equal(result.code, 1, `exit ${result.code} (1: a job failed)\n${result.stderr}`);
      assert.deepEqual(healthOf(result), new Map([[JOBS[0], 'ok'], [JOBS[1], 'error']]));
      assert.ok(emu.requests.length >= 1 && emu.requests.every((r) => r.outcome === 'ok' && r.signatureVersion === version), JSON.stringify(emu.requests));
    });

    it(`dist/cli.js goes through an HTTP CONNECT proxy from HTTPS_PROXY (${version})`, async () => {
      // A name that is not loopback (loopback never goes through a proxy), which only the proxy can reach.
      const endpoint = emu.url.replace('127.0.0.1', 'dts.bundle-test.invalid');
      const result = await run(['--endpoint', endpoint, '--allow-insecure-http', '--signature-version', version, '--json', ...JOBS], {
        HTTPS_PROXY: proxyUrl,
        HTTP_PROXY: proxyUrl,
      });
      assert.equal(result.code, 1, `exit ${result.code}\n${result.stderr}`);
      assert.deepEqual(healthOf(result), new Map([[JOBS[0], 'ok'], [JOBS[1], 'error']]));
      assert.ok(tunnels.length >= 1 && tunnels.every((t) => t.startsWith('dts.bundle-test.invalid:')), `tunnels: ${JSON.stringify(tunnels)}`);
      assert.ok(emu.requests.every((r) => r.outcome === 'ok'), JSON.stringify(emu.requests));
    });

    it(`dist/cli.js goes through a SOCKS5 proxy from HTTPS_PROXY (${version})`, async () => {
      const endpoint = emu.url.replace('127.0.0.1', 'dts.bundle-test.invalid');
      const result = await run(['--endpoint', endpoint, '--allow-insecure-http', '--signature-version', version, '--json', ...JOBS], {
        HTTPS_PROXY: socksUrl,
        HTTP_PROXY: socksUrl,
      });
      assert.equal(result.code, 1, `exit ${result.code}\n${result.stderr}`);
      assert.deepEqual(healthOf(result), new Map([[JOBS[0], 'ok'], [JOBS[1], 'error']]));
      assert.ok(socksTunnels.length >= 1 && socksTunnels.every((t) => t.startsWith('dts.bundle-test.invalid:')), `SOCKS5 tunnels: ${JSON.stringify(socksTunnels)}`);
      assert.deepEqual(tunnels, [], 'not through the HTTP proxy');
      assert.ok(emu.requests.length >= 1 && emu.requests.every((r) => r.outcome === 'ok'), JSON.stringify(emu.requests));
    });
  }

  it('dist/cli.js --help prints the usage', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: dts-sync-status/);
  });

  it('dist/extension.js loads (vscode stubbed) and its llhttp build is beside it and listed for the .vsix', () => {
    const script = `
      const Module = require('node:module');
      const load = Module._load;
      Module._load = function (request, ...rest) { return request === 'vscode' ? {} : load.call(this, request, ...rest); };
      const ext = require(${JSON.stringify(join(ROOT, 'dist', 'extension.js'))});
      process.stdout.write(typeof ext.activate);
    `;
    return new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        try {
          assert.equal(code, 0);
          assert.equal(out, 'function');
          assert.ok(existsSync(join(ROOT, 'dist', 'llhttp_simd.wasm.br')));
          assert.match(readFileSync(join(ROOT, '.vscodeignore'), 'utf8'), /^!dist\/llhttp_simd\.wasm\.br$/m);
          resolve();
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  });
});
