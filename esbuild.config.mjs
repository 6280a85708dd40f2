// Bundles the extension and the CLI into dist/. `--watch` rebuilds on change; `--production` minifies.
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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

const entries = [
  { in: 'src/cli/index.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/extension.ts', out: 'extension' },
].filter((e) => existsSync(e.in));

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
      plugins: [silentDebug],
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
