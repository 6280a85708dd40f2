// Browser end-to-end tests: the packaged extension (dts-sync-status.vsix) installed in code-server, driven in
// Chromium against the in-process DTS emulator. Builds nothing: run `npm run compile && npm run package` first.
//
//   node test/e2e/run.mjs [--update-screenshot] [--keep] [--only en|zh-cn]
//
// --update-screenshot  also writes media/screenshot.png (the README's) from the tree + status bar step
// --keep               keep the temp dir (user data, code-server logs) instead of deleting it
// --only en|zh-cn      run one of the two runs below
//
// Two runs, each with its own emulator, code-server and user data, one after the other in the same browser:
// 1. English (dts-sync.e2e.mjs): a person sets an AccessKey, adds jobs and uses every part of the view.
// 2. Simplified Chinese (dts-sync.zh-cn.e2e.mjs): code-server with the zh-cn display language and the world of
//    `npm start` (the demo jobs and key, set up beforehand); the tree, the status bar and a tooltip in Chinese.
// Screenshots: test-results/e2e/NN-step.png (English) and zh-cn-*.png. Exit status 0 = both passed.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { ensureCodeServer } from '../codeserver/install.mjs';
import { closePage, launchBrowser, startCodeServer } from '../codeserver/server.mjs';
import { e2e } from './context.mjs';
import {
  checkVsix, cleanEnv, DEMO_SCENARIO, emulatorModule, installPackagedExtension, ROOT, seconds, writeMachineSettings,
} from './environment.mjs';
import { initialScenario } from './scenario.mjs';

const PREFIX = '[e2e]';
const VIEWPORT = { width: 1280, height: 800 };

const { values: flags } = parseArgs({
  options: { 'update-screenshot': { type: 'boolean' }, keep: { type: 'boolean' }, only: { type: 'string' } },
});
if (flags.only && !['en', 'zh-cn'].includes(flags.only)) {
  console.error(`${PREFIX} --only takes en or zh-cn`);
  process.exit(2);
}
const runs = (name) => !flags.only || flags.only === name;

const started = performance.now();
const log = (message) => console.log(`${PREFIX} ${message} (${seconds(started).toFixed(1)}s)`);

let tempDir;
let browser;
const worlds = [];

/** Ends one run's page, code-server and emulator (each at most once). */
function stopWorld(world) {
  world.stopping ??= (async () => {
    await closePage(world.page);
    await world.server?.stop();
    await world.emulator?.close();
  })();
  return world.stopping;
}

let cleaning;
const cleanup = () => {
  cleaning ??= (async () => {
    for (const world of worlds) await stopWorld(world);
    await browser?.close().catch(() => {});
    if (tempDir && !flags.keep) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
  })();
  return cleaning;
};
const onSignal = (signal) => {
  console.error(`${PREFIX} ${signal}: cleaning up`);
  cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
// `on`, not `once`: a repeated signal must not end this process halfway through cleaning up (cleanup runs once).
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/**
 * One run's world under tempDir/name: the packaged extension in a fresh extensions dir, an emulator playing
 * `scenario`, code-server on an empty folder of its own (so no workspace settings of this repo reach the extension)
 * with `settings` and `env`, and a page of the shared browser. Returns { page, emulator, server, userDataDir,
 * workbenchUrl }.
 */
async function startWorld(name, { vsix, scenario, settings = {}, env = {}, locale }) {
  const { startEmulator } = emulatorModule();
  const dir = join(tempDir, name);
  const home = join(dir, 'home');
  const workspace = join(dir, 'workspace');
  const extensionsDir = join(dir, 'extensions');
  const userDataDir = join(dir, 'user-data');
  await mkdir(home, { recursive: true });
  await mkdir(workspace, { recursive: true });
  const world = { userDataDir };
  worlds.push(world);

  await installPackagedExtension(extensionsDir, vsix);
  world.emulator = await startEmulator({ scenario });
  // dtsSync.endpoint is machine-scoped: in code-server (a remote window) only the Machine settings count.
  await writeMachineSettings(userDataDir, { 'dtsSync.endpoint': world.emulator.url });
  world.server = await startCodeServer({
    userDataDir,
    extensionsDir,
    folder: workspace,
    locale,
    env: cleanEnv({ HOME: home, ...env }),
    settings: { 'dtsSync.endpoint': world.emulator.url, 'workbench.startupEditor': 'none', ...settings },
  });
  log(`${name}: emulator at ${world.emulator.url}, code-server at ${world.server.url} (log: ${world.server.logFile})`);
  world.workbenchUrl = `${world.server.url}/?folder=${encodeURIComponent(workspace)}`;
  world.page = await browser.context.newPage();
  return world;
}

/** Runs one suite file with mocha; resolves to its number of failures. */
async function runSuite(file) {
  // bail: a suite's steps build on each other, so the first failure is the one worth reading.
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 45_000, bail: true, color: true });
  mocha.addFile(join(ROOT, 'test/e2e', file));
  await mocha.loadFilesAsync();
  return new Promise((resolve) => mocha.run(resolve));
}

let failures = 1;
try {
  const vsix = checkVsix();
  if (vsix.ageMinutes > 60) {
    console.warn(`${PREFIX} note: ${vsix.path} was packaged ${Math.round(vsix.ageMinutes)} min ago (npm run package)`);
  }
  await ensureCodeServer();
  tempDir = await mkdtemp(join(tmpdir(), 'dts-e2e-'));
  e2e.resultsDir = join(ROOT, 'test-results', 'e2e');
  await rm(e2e.resultsDir, { recursive: true, force: true });
  if (flags['update-screenshot']) e2e.readmeScreenshot = join(ROOT, 'media', 'screenshot.png');

  browser = await launchBrowser({ viewport: VIEWPORT, handleSignals: false });
  // Copy Job ID writes the browser's clipboard, which the test reads back.
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);

  let englishFailures = 0;
  if (runs('en')) {
    // 1. English: starts with no key and no jobs, a person adds them; refreshes only when asked to.
    const english = await startWorld('en', {
      vsix: vsix.path, scenario: initialScenario(), settings: { 'dtsSync.refreshIntervalSeconds': 0 },
    });
    Object.assign(e2e, english);
    const englishStarted = performance.now();
    englishFailures = await runSuite('dts-sync.e2e.mjs');
    log(
      `English: ${englishFailures === 0 ? 'passed' : `${englishFailures} failed`}; page load ` +
        `${e2e.timings.pageLoadSeconds?.toFixed(1) ?? '?'}s, steps ${seconds(englishStarted).toFixed(1)}s` +
        (e2e.readmeScreenshot && englishFailures === 0 ? `; updated ${e2e.readmeScreenshot}` : ''),
    );
    if (englishFailures > 0) console.error(`${PREFIX} code-server log: ${english.server.logFile}${flags.keep ? '' : ' (rerun with --keep to keep it)'}`);
    // Its extension host would otherwise keep a core busy while the next workbench loads.
    await stopWorld(english);
  }

  let zhCnFailures = 0;
  if (runs('zh-cn')) {
    // 2. Simplified Chinese, in the demo's world: its jobs in the user settings, its key in the environment.
    const demo = emulatorModule().loadScenario(DEMO_SCENARIO);
    const [key] = demo.accessKeys;
    const zhCn = await startWorld('zh-cn', {
      vsix: vsix.path,
      scenario: demo,
      locale: 'zh-cn',
      settings: { 'dtsSync.jobs': demo.jobs.map(({ id, region, name }) => ({ id, region, name })) },
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret },
    });
    e2e.zhCn = { ...zhCn, scenario: demo };
    const zhCnStarted = performance.now();
    zhCnFailures = await runSuite('dts-sync.zh-cn.e2e.mjs');
    log(
      `zh-cn: ${zhCnFailures === 0 ? 'passed' : `${zhCnFailures} failed`}; page load ` +
        `${e2e.timings.zhCnPageLoadSeconds?.toFixed(1) ?? '?'}s, steps ${seconds(zhCnStarted).toFixed(1)}s`,
    );
    if (zhCnFailures > 0) console.error(`${PREFIX} code-server log: ${zhCn.server.logFile}${flags.keep ? '' : ' (rerun with --keep to keep it)'}`);
  }

  failures = englishFailures + zhCnFailures;
  log(`${failures === 0 ? 'passed' : `${failures} failed`}; screenshots in ${e2e.resultsDir}`);
  for (const note of e2e.notes) console.warn(`${PREFIX} note: ${note}`);
} catch (error) {
  console.error(`${PREFIX} ${error.stack ?? error}`);
  failures = Math.max(failures, 1);
} finally {
  await cleanup();
  log('cleaned up');
}
process.exit(failures === 0 ? 0 : 1);
