// Bundles the extension and the CLI into dist/, with what the .vsix ships beside the extension: the llhttp build,
// the translations of the extension's own messages (dist/l10n) and, with `--production`, its README (dist/README.md).
// `--watch` rebuilds on change; `--production` minifies. `--recompress FILE.vsix` recompresses a package (advzip).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
 * dispatchers, without fetch, WebSocket, EventSource, caches, mocks and interceptors (about 60 % of
 * undici). Deep paths are not undici's public API, so package.json pins undici's exact version, and
 * test/unit/bundle.test.ts runs the built bundles directly and through a proxy.
 *
 * - The project sends through `dispatch` with its own handler (src/core/api/exchange.ts), so none of the five API
 *   methods undici's index.js puts on Dispatcher.prototype is kept but `connect`, which ProxyAgent's CONNECT tunnel
 *   uses.
 * - llhttp: undici compiles the SIMD build and falls back to the plain one only where SIMD fails (ppc64 before
 *   Node 24, or UNDICI_NO_WASM_SIMD=1). Every platform VS Code and Node 20 ship for runs SIMD, so one build is shipped
 *   (as a file beside the bundle, loaded on the first connection) and both names resolve to it.
 * - HTTP/2 (client-h2.js) only runs with `allowH2`, which the project never sets: replaced by a stub that throws.
 * - llhttp/constants.js (11 KB of tables): client-h1.js reads only a few of its enums; those are copied from it here.
 * - web/fetch/body.js is only read for a FormData body, which the project never sends: replaced by a stub that throws.
 * - core/diagnostics.js: the same diagnostics channels (read from its source), without its NODE_DEBUG=undici logger,
 *   which would print each request's path, and with it a V2-signed query's signature, to stderr.
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
// As undici's index.js does for its five API methods: ProxyAgent opens its tunnel with the proxy client's connect().
Dispatcher.prototype.connect = require('./lib/api/api-connect.js');
module.exports = { Agent, Pool, ProxyAgent, EnvHttpProxyAgent };
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
    build.onResolve({ filter: /^\.{1,2}\/(core\/)?diagnostics(\.js)?$/ }, (args) =>
      args.importer.startsWith(join(root, 'lib')) && resolve(args.resolveDir, args.path.replace(/(\.js)?$/, '.js')) === join(root, 'lib/core/diagnostics.js')
        ? { path: 'diagnostics', namespace: 'undici-lite' }
        : undefined,
    );
    build.onLoad({ filter: /^diagnostics$/, namespace: 'undici-lite' }, () => {
      const source = readFileSync(join(root, 'lib/core/diagnostics.js'), 'utf8');
      const block = /\nconst channels = \{([^}]*)\}/.exec(source)?.[1] ?? '';
      const channels = [...block.matchAll(/^\s*(\w+): diagnosticsChannel\.channel\('([\w:]+)'\)/gm)].map(([, key, name]) => [key, name]);
      if (channels.length < 10 || !/module\.exports = \{\s*channels\s*\}/.test(source)) {
        throw new Error(`undici-lite: core/diagnostics.js is not shaped as expected (${channels.length} channels found)`);
      }
      return {
        loader: 'js',
        contents:
          `const dc = require('node:diagnostics_channel');\n` +
          `module.exports = { channels: { ${channels.map(([key, name]) => `${key}: dc.channel(${JSON.stringify(name)})`).join(', ')} } };`,
      };
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
  writeIfChanged(join('dist', LLHTTP_FILE), compressed);
}

/**
 * The README the .vsix shows in the Extensions view: README.md for someone who installed the extension, without what
 * is only for working on it or only about the command line (which the .vsix does not carry). In README.md:
 *   <!-- vsix:omit --> … <!-- /vsix:omit -->   left out of the package's README
 *   <!-- vsix:only … -->                       only in the package's README (GitHub shows nothing)
 * Markers stand on lines of their own; an unclosed, nested or unknown one fails the build.
 */
export function vsixReadme(text) {
  const out = [];
  let omitting = false;
  let only = false;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const where = `README.md:${index + 1}`;
    const marker = /^<!-- (\/?)vsix:(\w+)/.exec(line.trim());
    if (marker) {
      const [, closing, kind] = marker;
      if (kind === 'omit' && !closing && line.trim() === '<!-- vsix:omit -->' && !omitting && !only) {
        omitting = true;
      } else if (kind === 'omit' && closing && line.trim() === '<!-- /vsix:omit -->' && omitting) {
        omitting = false;
      } else if (kind === 'only' && !closing && line.trim() === '<!-- vsix:only' && !omitting && !only) {
        only = true;
      } else {
        throw new Error(`${where}: unexpected marker ${line.trim()}`);
      }
      return;
    }
    if (only && line.trim() === '-->') {
      only = false;
      return;
    }
    if (/<!--\s*\/?vsix:/.test(line)) {
      throw new Error(`${where}: a vsix: marker must stand on a line of its own`);
    }
    if (!omitting) {
      out.push(line);
    }
  });
  if (omitting || only) {
    throw new Error(`README.md: a vsix:${omitting ? 'omit' : 'only'} block is never closed`);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** The languages the extension is translated into: l10n/bundle.l10n.<language>.json. */
function translatedLanguages() {
  return readdirSync('l10n').flatMap((f) => /^bundle\.l10n\.([a-z-]+)\.json$/.exec(f)?.[1] ?? []);
}

/**
 * dist/l10n/bundle.l10n.<language>.json, which package.json's `l10n` names: of l10n/bundle.l10n.<language>.json
 * (every message, which the CLI reads), only the messages in the sources the extension bundle is made of, as found by
 * @vscode/l10n-dev's extractor (the one `npx @vscode/l10n-dev export` runs), without indentation.
 */
async function writeExtensionTranslations(metafile) {
  const { getL10nJson } = await import('@vscode/l10n-dev');
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === 'src/extension.ts');
  const sources = Object.keys(output.inputs).filter((f) => /^src\/.*\.ts$/.test(f));
  const messages = await getL10nJson(sources.map((f) => ({ contents: readFileSync(f, 'utf8'), extension: extname(f) })));
  mkdirSync(join('dist', 'l10n'), { recursive: true });
  for (const language of translatedLanguages()) {
    const all = JSON.parse(readFileSync(join('l10n', `bundle.l10n.${language}.json`), 'utf8'));
    const missing = Object.keys(messages).filter((key) => !Object.hasOwn(all, key));
    if (missing.length > 0) {
      throw new Error(`l10n/bundle.l10n.${language}.json has no translation for ${JSON.stringify(missing.slice(0, 3))}`);
    }
    const used = Object.fromEntries(Object.keys(all).filter((key) => Object.hasOwn(messages, key)).map((key) => [key, all[key]]));
    writeIfChanged(join('dist', 'l10n', `bundle.l10n.${language}.json`), JSON.stringify(used));
  }
}

/** The details panel's script and stylesheet (media/details.*), minified into dist/webview/, which the panel loads. */
async function writeWebviewAssets() {
  mkdirSync(join('dist', 'webview'), { recursive: true });
  for (const [file, loader] of [['details.js', 'js'], ['details.css', 'css']]) {
    const { code } = await esbuild.transform(readFileSync(join('media', file), 'utf8'), { loader, minify: true, target: loader === 'js' ? 'es2022' : undefined, legalComments: 'none' });
    writeIfChanged(join('dist', 'webview', file), code);
  }
}

/** Writes `contents` (text or bytes) unless the file already holds them: an unchanged output keeps its time. */
function writeIfChanged(target, contents) {
  const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
  if (!existsSync(target) || !readFileSync(target).equals(bytes)) {
    writeFileSync(target, bytes);
  }
}

/**
 * Recompresses a .vsix in place with advzip (AdvanceCOMP's zopfli deflate, Debian package `advancecomp`): the same
 * files, about 3 % smaller. vsce writes zlib's default deflate. Without advzip the package stays as vsce wrote it.
 */
function recompress(file) {
  const before = statSync(file).size;
  const found = spawnSync('advzip', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    console.warn(`advzip not found (Debian: apt-get install advancecomp): ${file} left as vsce wrote it, ${before} bytes`);
    return;
  }
  const run = spawnSync('advzip', ['--recompress', '-4', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) {
    throw new Error(`advzip --recompress ${file} failed (${run.error?.message ?? `exit ${run.status}`})`);
  }
  const test = spawnSync('advzip', ['--test', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (test.status !== 0) {
    throw new Error(`advzip --test ${file} failed after recompressing it`);
  }
  console.log(`${file}: ${before} -> ${statSync(file).size} bytes (advzip)`);
}

/**
 * A second minifier over the production extension bundle: terser, after esbuild. Its names compress better (the
 * .vsix holds the bundle deflated), about 5 KB less in the package. The CLI, which the .vsix does not carry, stays
 * esbuild's alone.
 */
async function shrink(file) {
  const { minify } = await import('terser');
  const result = await minify(readFileSync(file, 'utf8'), { toplevel: true, compress: { passes: 2 }, mangle: { toplevel: true }, format: { comments: false } });
  if (!result.code) {
    throw new Error(`terser returned nothing for ${file}`);
  }
  writeFileSync(file, result.code);
}

/** The extension's translations and webview assets follow every build, --watch's rebuilds included. */
const extensionAssets = {
  name: 'extension-assets',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length === 0) {
        await Promise.all([writeExtensionTranslations(result.metafile), writeWebviewAssets()]);
      }
    });
  },
};

async function main() {
  const recompressAt = process.argv.indexOf('--recompress');
  if (recompressAt >= 0) {
    const file = process.argv[recompressAt + 1];
    if (!file || !existsSync(file)) {
      throw new Error(`--recompress needs an existing .vsix, got ${JSON.stringify(file)}`);
    }
    recompress(file);
    return;
  }
  const entries = [
    { in: 'src/cli/index.ts', out: 'cli', banner: '#!/usr/bin/env node' },
    { in: 'src/extension.ts', out: 'extension', plugins: [extensionAssets] },
  ].filter((e) => existsSync(e.in));

  writeLlhttp();
  if (production) {
    writeIfChanged(join('dist', 'README.md'), vsixReadme(readFileSync('README.md', 'utf8')));
  }
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
        plugins: [silentDebug, noHttpx, undiciLite, ...(e.plugins ?? [])],
        metafile: meta || e.plugins !== undefined,
      }),
    ),
  );

  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    const results = await Promise.all(contexts.map((c) => c.rebuild()));
    await Promise.all(contexts.map((c) => c.dispose()));
    if (production) {
      await shrink(join('dist', 'extension.js'));
    }
    if (meta) {
      mkdirSync('test-results', { recursive: true });
      results.forEach((r, i) => writeFileSync(join('test-results', `esbuild-meta.${entries[i].out}.json`), JSON.stringify(r.metafile)));
    }
  }
}

// Builds only when run (`node esbuild.config.mjs`), not when a test imports vsixReadme.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
