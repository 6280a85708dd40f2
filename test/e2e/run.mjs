// Browser end-to-end test: the packaged extension (dts-sync-status.vsix) installed in code-server, driven in
// Chromium against the in-process DTS emulator. Builds nothing: run `npm run compile && npm run package` first.
//
//   node test/e2e/run.mjs [--update-screenshot] [--keep]
//
// --update-screenshot  also writes media/screenshot.png (the README's) from the tree + status bar step
// --keep               keep the temp dir (user data, code-server log) instead of deleting it
// Screenshots of every step: test-results/e2e/NN-step.png. Exit status 0 = pass.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { ensureCodeServer } from '../codeserver/install.mjs';
import { closePage, launchBrowser, startCodeServer } from '../codeserver/server.mjs';
import { e2e } from './context.mjs';
import {
  checkVsix, cleanEnv, emulatorModule, installPackagedExtension, ROOT, seconds, writeMachineSettings,
} from './environment.mjs';
import { initialScenario } from './scenario.mjs';

const PREFIX = '[e2e]';
const VIEWPORT = { width: 1280, height: 800 };

const { values: flags } = parseArgs({
  options: { 'update-screenshot': { type: 'boolean' }, keep: { type: 'boolean' } },
});

const started = performance.now();
const log = (message) => console.log(`${PREFIX} ${message} (${seconds(started).toFixed(1)}s)`);

let tempDir;
let browser;
let cleaning;
const cleanup = () => {
  cleaning ??= (async () => {
    await closePage(e2e.page);
    await browser?.close().catch(() => {});
    await e2e.server?.stop();
    await e2e.emulator?.close();
    if (tempDir && !flags.keep) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
  })();
  return cleaning;
};
const onSignal = (signal) => {
  console.error(`${PREFIX} ${signal}: cleaning up`);
  cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let failures = 1;
try {
  const vsix = checkVsix();
  if (vsix.ageMinutes > 60) {
    console.warn(`${PREFIX} note: ${vsix.path} was packaged ${Math.round(vsix.ageMinutes)} min ago (npm run package)`);
  }
  const { startEmulator } = emulatorModule();
  await ensureCodeServer();

  tempDir = await mkdtemp(join(tmpdir(), 'dts-e2e-'));
  const home = join(tempDir, 'home');
  const extensionsDir = join(tempDir, 'extensions');
  // An empty folder of its own, so no workspace settings of this repo reach the extension.
  const workspace = join(tempDir, 'workspace');
  await mkdir(home, { recursive: true });
  await mkdir(workspace, { recursive: true });
  await installPackagedExtension(extensionsDir, vsix.path);
  log(`installed ${vsix.path} into ${extensionsDir}`);

  e2e.emulator = await startEmulator({ scenario: initialScenario() });
  log(`emulator at ${e2e.emulator.url}`);

  const userDataDir = join(tempDir, 'user-data');
  e2e.userDataDir = userDataDir;
  // dtsSync.endpoint is machine-scoped: in code-server (a remote window) only the Machine settings count.
  await writeMachineSettings(userDataDir, { 'dtsSync.endpoint': e2e.emulator.url });
  e2e.server = await startCodeServer({
    userDataDir,
    extensionsDir,
    folder: workspace,
    env: cleanEnv({ HOME: home }),
    settings: {
      'dtsSync.endpoint': e2e.emulator.url,
      'dtsSync.refreshIntervalSeconds': 0,
      'workbench.startupEditor': 'none',
    },
  });
  log(`code-server at ${e2e.server.url} (log: ${e2e.server.logFile})`);

  browser = await launchBrowser({ viewport: VIEWPORT, handleSignals: false });
  // Copy Job ID writes the browser's clipboard, which the test reads back.
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  e2e.page = await browser.context.newPage();
  e2e.workbenchUrl = `${e2e.server.url}/?folder=${encodeURIComponent(workspace)}`;
  e2e.resultsDir = join(ROOT, 'test-results', 'e2e');
  await rm(e2e.resultsDir, { recursive: true, force: true });
  if (flags['update-screenshot']) e2e.readmeScreenshot = join(ROOT, 'media', 'screenshot.png');

  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 45_000, bail: true, color: true });
  mocha.addFile(join(ROOT, 'test/e2e/dts-sync.e2e.mjs'));
  await mocha.loadFilesAsync();
  const suiteStarted = performance.now();
  failures = await new Promise((resolve) => mocha.run(resolve));
  const t = e2e.timings;
  log(
    `${failures === 0 ? 'passed' : `${failures} failed`}; page load ${t.pageLoadSeconds?.toFixed(1) ?? '?'}s, ` +
      `steps ${seconds(suiteStarted).toFixed(1)}s; screenshots in ${e2e.resultsDir}` +
      (e2e.readmeScreenshot && failures === 0 ? `; updated ${e2e.readmeScreenshot}` : ''),
  );
  for (const note of e2e.notes) console.warn(`${PREFIX} note: ${note}`);
  if (failures > 0) console.error(`${PREFIX} code-server log: ${e2e.server.logFile}${flags.keep ? '' : ' (rerun with --keep to keep it)'}`);
} catch (error) {
  console.error(`${PREFIX} ${error.stack ?? error}`);
  failures = Math.max(failures, 1);
} finally {
  await cleanup();
  log('cleaned up');
}
process.exit(failures === 0 ? 0 : 1);
