// Bundles the extension and the CLI into dist/. `--watch` rebuilds on change; `--production` minifies.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
/** Writes esbuild's metafile per bundle to test-results/ (what each input adds to the bundle). */
const meta = process.argv.includes('--metafile');
const require = createRequire(import.meta.url);

/**
 * `debug` (pulled in by @alicloud/credentials and httpx) prints request headers, bodies and the AssumeRole
 * string-to-sign when DEBUG=sign or DEBUG=httpx:* is set: replaced by a logger that never prints (and is 8 KB smaller).
 */
const silentDebug = {
  name: 'silent-debug',
  setup(build) {
    build.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'silent-debug' }));
    build.onLoad({ filter: /.*/, namespace: 'silent-debug' }, () => ({
      contents:
        'function debug() { const log = () => {}; log.enabled = false; log.extend = debug; return log; }\n' +
        'debug.enable = () => {}; debug.disable = () => ""; debug.enabled = () => false; debug.default = debug;\n' +
        'module.exports = debug;',
      loader: 'js',
    }));
  },
};

/**
 * httpx is @alicloud/credentials' default HTTP client (providers/http.js `doRequest`), which src/core/credentials/
 * library.ts replaces on every provider with our transport (proxy, deadline, size cap): a stub that throws, so a
 * provider that kept the default fails loudly instead of going around the proxy.
 */
const noHttpx = {
  name: 'no-httpx',
  setup(build) {
    build.onResolve({ filter: /^httpx$/ }, () => ({ path: 'httpx', namespace: 'no-httpx' }));
    build.onLoad({ filter: /.*/, namespace: 'no-httpx' }, () => ({
      loader: 'js',
      contents:
        'const refuse = () => { throw new Error("httpx is not bundled: credential requests go through the project\'s transport"); };\n' +
        'module.exports = { request: refuse, read: refuse };',
    }));
  },
};

/** The llhttp build undici runs on Node 20 (WebAssembly SIMD), shipped next to the bundles, brotli-compressed. */
export const LLHTTP_FILE = 'llhttp_simd.wasm.br';

/**
 * Only the parts of undici the project calls (src/core/api/client.ts, src/core/credentials/transport.ts): its
 * dispatchers and `request`, without fetch, WebSocket, EventSource, caches, mocks and interceptors (about 60 % of
 * undici). Deep paths are not undici's public API, so package.json pins undici's exact version, and
 * test/unit/bundle.test.ts runs the built bundles directly and through a proxy.
 *
 * - `request` is undici's own (lib/api/api-request.js) bound to the dispatcher the caller passes (the project always
 *   passes one; undici's top-level `request` would fall back to a global dispatcher). Of the five methods undici's
 *   index.js puts on Dispatcher.prototype, `request` and `connect` (ProxyAgent's CONNECT tunnel) are kept.
 * - llhttp: undici compiles the SIMD build and falls back to the plain one only where SIMD fails (ppc64 before
 *   Node 24, or UNDICI_NO_WASM_SIMD=1). Every platform VS Code and Node 20 ship for runs SIMD, so one build is shipped
 *   (as a file beside the bundle, loaded on the first connection) and both names resolve to it.
 * - HTTP/2 (client-h2.js) only runs with `allowH2`, which the project never sets: replaced by a stub that throws.
 * - llhttp/constants.js (11 KB of tables): client-h1.js reads only a few of its enums; those are copied from it here.
 * - web/fetch/body.js is only read for a FormData body, which the project never sends: replaced by a stub that throws.
 */
const undiciLite = {
  name: 'undici-lite',
  setup(build) {
    const root = dirname(require.resolve('undici/package.json'));
    build.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-lite' }));
    build.onLoad({ filter: /^undici$/, namespace: 'undici-lite' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: `
const Agent = require('./lib/dispatcher/agent.js');
const Pool = require('./lib/dispatcher/pool.js');
const ProxyAgent = require('./lib/dispatcher/proxy-agent.js');
const EnvHttpProxyAgent = require('./lib/dispatcher/env-http-proxy-agent.js');
const Dispatcher = require('./lib/dispatcher/dispatcher.js');
const apiRequest = require('./lib/api/api-request.js');
const { InvalidArgumentError } = require('./lib/core/errors.js');
// As undici's index.js does for all five: ProxyAgent opens its tunnel with the proxy client's connect().
Object.assign(Dispatcher.prototype, { request: apiRequest, connect: require('./lib/api/api-connect.js') });
function request(url, opts) {
  if (!opts || !opts.dispatcher) {
    throw new InvalidArgumentError('this build of undici needs opts.dispatcher');
  }
  const u = typeof url === 'string' ? new URL(url) : url;
  return apiRequest.call(opts.dispatcher, { ...opts, origin: u.origin, path: u.search ? u.pathname + u.search : u.pathname, method: opts.method || 'GET' });
}
module.exports = { Agent, Pool, ProxyAgent, EnvHttpProxyAgent, request };
`,
    }));
    build.onResolve({ filter: /\/llhttp\/llhttp(_simd)?-wasm\.js$/ }, () => ({ path: 'llhttp', namespace: 'undici-lite' }));
    build.onLoad({ filter: /^llhttp$/, namespace: 'undici-lite' }, () => ({
      loader: 'js',
      contents:
        `const { readFileSync } = require('node:fs'); const { join } = require('node:path'); const { brotliDecompressSync } = require('node:zlib');\n` +
        `module.exports = brotliDecompressSync(readFileSync(join(__dirname, ${JSON.stringify(LLHTTP_FILE)})));`,
    }));
    build.onResolve({ filter: /\/llhttp\/constants(\.js)?$/ }, () => ({ path: 'llhttp-constants', namespace: 'undici-lite' }));
    build.onLoad({ filter: /^llhttp-constants$/, namespace: 'undici-lite' }, () => {
      const source = readFileSync(join(root, 'lib/dispatcher/client-h1.js'), 'utf8');
      const users = readdirSync(join(root, 'lib'), { recursive: true }).filter((f) => /\.js$/.test(f) && readFileSync(join(root, 'lib', f), 'utf8').includes('llhttp/constants'));
      if (users.join() !== join('dispatcher', 'client-h1.js')) {
        throw new Error(`undici-lite: llhttp/constants is read by ${users.join(', ')}; expected only dispatcher/client-h1.js`);
      }
      const constants = require('undici/lib/llhttp/constants.js');
      const used = Object.fromEntries([...new Set(source.match(/(?<=\bconstants\.)[A-Za-z_]\w*/g) ?? [])].filter((n) => n !== 'js').map((n) => [n, constants[n]]));
      if (!used.ERROR || !used.TYPE || Object.values(used).includes(undefined)) {
        throw new Error(`undici-lite: unexpected use of llhttp constants in client-h1.js: ${Object.keys(used).join(', ')}`);
      }
      return { loader: 'js', contents: `module.exports = ${JSON.stringify(used)};` };
    });
    build.onResolve({ filter: /\/client-h2(\.js)?$/ }, () => ({ path: 'client-h2', namespace: 'undici-lite' }));
    build.onLoad({ filter: /^client-h2$/, namespace: 'undici-lite' }, () => ({
      loader: 'js',
      contents: `module.exports = function connectH2() { throw new Error('HTTP/2 is not part of this build of undici'); };`,
    }));
    build.onResolve({ filter: /\/web\/fetch\/body(\.js)?$/ }, () => ({ path: 'fetch-body', namespace: 'undici-lite' }));
    build.onLoad({ filter: /^fetch-body$/, namespace: 'undici-lite' }, () => ({
      loader: 'js',
      contents: `module.exports = { extractBody() { throw new Error('FormData bodies are not part of this build of undici'); } };`,
    }));
  },
};

/** The llhttp WebAssembly module undici would otherwise carry as 72 KB of base64 in the bundle. */
function writeLlhttp() {
  const wasm = require('undici/lib/llhttp/llhttp_simd-wasm.js');
  mkdirSync('dist', { recursive: true });
  const compressed = brotliCompressSync(wasm, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: wasm.length } });
  const target = join('dist', LLHTTP_FILE);
  if (!existsSync(target) || !readFileSync(target).equals(compressed)) {
    writeFileSync(target, compressed);
  }
}

const entries = [
  { in: 'src/cli/index.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/extension.ts', out: 'extension' },
].filter((e) => existsSync(e.in));

writeLlhttp();
const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      entryPoints: { [e.out]: e.in },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outdir: 'dist',
      external: ['vscode'],
      sourcemap: !production,
      minify: production,
      legalComments: 'none',
      logLevel: 'warning',
      banner: e.banner ? { js: e.banner } : undefined,
      plugins: [silentDebug, noHttpx, undiciLite],
      metafile: meta,
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  const results = await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (meta) {
    mkdirSync('test-results', { recursive: true });
    results.forEach((r, i) => writeFileSync(join('test-results', `esbuild-meta.${entries[i].out}.json`), JSON.stringify(r.metafile)));
  }
}
