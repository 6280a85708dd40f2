// Bundles the extension and the CLI into dist/. `--watch` rebuilds on change; `--production` minifies.
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
