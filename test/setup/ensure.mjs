// The first step of `npm test` and `npm start`: installs what they need on this machine, then gets out of the way.
// Only node: built-ins here, because on a fresh clone this runs before node_modules exists.
//
//   node test/setup/ensure.mjs
//
// 1. npm dependencies: `npm ci` when node_modules is missing or older than package-lock.json.
// 2. code-server 4.100.3 in the cache (~/.cache/dts-sync-status, or $DTS_TEST_CACHE) and, as root, the Debian
//    packages it and the browser tests need (Chromium among them) through apt-get: test/codeserver/install.mjs.
// Each step is skipped when already done, so a second run costs well under a second.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from '../codeserver/install.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const PREFIX = '[setup]';
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Why node_modules needs `npm ci`, or undefined when it is up to date with the lockfile. */
function dependenciesStale() {
  // npm writes node_modules/.package-lock.json last when it installs, so its age is the age of the install.
  const installed = mtimeMs(join(ROOT, 'node_modules', '.package-lock.json'));
  const lock = mtimeMs(join(ROOT, 'package-lock.json'));
  if (installed === undefined) return 'node_modules is missing';
  if (lock !== undefined && installed < lock) return 'package-lock.json is newer than node_modules';
  return undefined;
}

function npmCi() {
  // Under `npm test` npm_execpath is the npm that runs us; run that same npm rather than whichever is on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && /\.c?js$/.test(npmCli)
    ? [process.execPath, [npmCli, 'ci', '--no-audit', '--no-fund']]
    : ['npm', ['ci', '--no-audit', '--no-fund']];
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`npm ci failed (${result.signal ?? `exit ${result.status}`})`);
}

try {
  const [major] = process.versions.node.split('.').map(Number);
  if (major !== 20) {
    console.warn(`${PREFIX} Node ${process.versions.node}: code-server 4.100.3 (the VS Code the tests run in) needs Node 20`);
  }

  const stale = dependenciesStale();
  if (stale) {
    console.log(`${PREFIX} ${stale}: npm ci`);
    npmCi();
    console.log(`${PREFIX} npm dependencies installed (${elapsed()})`);
  } else {
    console.log(`${PREFIX} npm dependencies up to date`);
  }

  await ensureCodeServer();
  console.log(`${PREFIX} ready (${elapsed()})`);
} catch (error) {
  console.error(`${PREFIX} ${error.message}`);
  process.exit(1);
}
