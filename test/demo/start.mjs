// `npm start`: a local demo of the packaged extension in a real VS Code (code-server) against the DTS emulator.
// Needs out/test/emulator (npm run compile) and dts-sync-status.vsix (npm run package); builds nothing itself.
//
//   node test/demo/start.mjs [--port 8080] [--emulator-port 8765] [--scenario test/emulator/demo.json] [--locale zh-cn]
//
// The emulator plays the scenario (reloaded when the file changes); code-server gets the freshly packaged .vsix in
// a dedicated extensions dir under the cache (~/.cache/dts-sync-status/demo, or $DTS_TEST_CACHE/demo), user
// settings listing the scenario's jobs, machine settings pointing dtsSync.endpoint at the emulator, and the
// scenario's AccessKey in ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET. --locale zh-cn shows it in Simplified Chinese
// (`npm start -- --locale zh-cn`). Ctrl-C stops everything.
import { unwatchFile, watchFile } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, ensureCodeServer } from '../codeserver/install.mjs';
import { freePort, startCodeServer } from '../codeserver/server.mjs';
import {
  checkVsix, cleanEnv, DEMO_SCENARIO, emulatorModule, installPackagedExtension, ROOT, writeMachineSettings,
} from '../e2e/environment.mjs';

const DEFAULT_PORT = 8080;
const DEFAULT_EMULATOR_PORT = 8765;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    'emulator-port': { type: 'string', default: String(DEFAULT_EMULATOR_PORT) },
    scenario: { type: 'string', default: DEMO_SCENARIO },
    locale: { type: 'string', default: 'en' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: node test/demo/start.mjs [--port 8080] [--emulator-port 8765] [--scenario file.json] [--locale zh-cn]');
  process.exit(0);
}

const tilde = (path) => (path.startsWith(homedir()) ? `~${path.slice(homedir().length)}` : path);
const shown = (path) => (path.startsWith(ROOT) ? relative(ROOT, path) : tilde(path));

/** `wanted` if nothing listens there on 127.0.0.1, else a free port (0 always means a free port). */
async function portOrFree(wanted) {
  if (wanted === 0) return freePort();
  const free = await new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(wanted, '127.0.0.1', () => probe.close(() => done(true)));
  });
  if (free) return wanted;
  const other = await freePort();
  console.log(`  (port ${wanted} is in use: using ${other})`);
  return other;
}

function portArg(name) {
  const port = Number(args[name]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${name} must be a port number`);
  return port;
}

let emulator;
let server;
let scenarioPath;
let stopping;
const stop = (code) => {
  stopping ??= (async () => {
    if (scenarioPath) unwatchFile(scenarioPath);
    console.log('\nStopping: code-server, emulator ...');
    await server?.stop();
    await emulator?.close();
    console.log('Stopped.');
    process.exit(code);
  })();
  return stopping;
};
// `on`, not `once`: a second Ctrl-C (or `timeout` passing the signal on to the group) must not end this process
// halfway through stopping, which would leave code-server running in its own process group.
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(args.locale)) throw new Error('--locale takes a language tag such as zh-cn');
  const vsix = checkVsix();
  const { startEmulator, loadScenario } = emulatorModule();
  scenarioPath = resolve(args.scenario);
  const scenario = loadScenario(scenarioPath);
  const key = scenario.accessKeys[0];
  if (!key) throw new Error(`${scenarioPath} has no accessKeys`);

  console.log('DTS Sync Status demo');
  await ensureCodeServer();

  emulator = await startEmulator({
    scenario,
    port: await portOrFree(portArg('emulator-port')),
    onRequest: (e) =>
      console.log(`  [emulator] ${e.time.slice(11, 19)} ${e.action ?? '-'} ${e.regionId ?? '-'} ${e.jobIds?.length ?? 0} job(s) → ${e.httpStatus ?? '-'} ${e.outcome}`),
  });
  // Like `npm run emulator`: edit the scenario file and the next refresh shows it.
  watchFile(scenarioPath, { interval: 500 }, (current, previous) => {
    if (current.mtimeMs === previous.mtimeMs) return;
    try {
      emulator.setScenario(loadScenario(scenarioPath));
      console.log(`  [emulator] scenario reloaded from ${shown(scenarioPath)}`);
    } catch (error) {
      console.log(`  [emulator] kept the previous scenario: ${error.message}`);
    }
  });

  const demoDir = join(cacheRoot(), 'demo');
  const extensionsDir = join(demoDir, 'extensions');
  // Kept across runs: code-server's half of the SecretStorage key lives here, so an AccessKey set with
  // "DTS: Set AccessKey…" in the browser stays readable after a restart.
  const userDataDir = join(demoDir, 'user-data');
  await installPackagedExtension(extensionsDir, vsix.path);

  const jobs = scenario.jobs.map((j) => ({ id: j.id, region: j.region, ...(j.name ? { name: j.name } : {}) }));
  // dtsSync.endpoint is machine-scoped, and code-server's window is a remote one: only Machine settings count.
  await writeMachineSettings(userDataDir, { 'dtsSync.endpoint': emulator.url });
  await mkdir(join(demoDir, 'workspace'), { recursive: true });
  await writeFile(
    join(demoDir, 'workspace', 'README.md'),
    '# DTS Sync Status demo\n\nClick the DTS Sync icon in the activity bar. The jobs come from the local emulator.\n',
  );
  const port = await portOrFree(portArg('port'));
  server = await startCodeServer({
    userDataDir,
    extensionsDir,
    folder: join(demoDir, 'workspace'),
    port,
    locale: args.locale,
    env: cleanEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret }),
    settings: { 'dtsSync.jobs': jobs, 'workbench.startupEditor': 'none' },
  });
  server.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`code-server exited unexpectedly (${signal ?? `exit code ${code}`}); log: ${server.logFile}`);
    stop(1);
  });

  const minutes = Math.round(vsix.ageMinutes);
  console.log(`
  emulator   ${emulator.url}   scenario ${shown(scenarioPath)} (${jobs.length} jobs; edits are picked up)
  extension  ${shown(vsix.path)} (packaged ${minutes < 1 ? 'just now' : `${minutes} min ago`}) in ${tilde(extensionsDir)}
  AccessKey  ${key.accessKeyId} from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (the demo key; "DTS: Set AccessKey…"
             in the workbench stores another one, which then takes precedence)
  settings   ${tilde(join(userDataDir, 'User', 'settings.json'))} (dtsSync.jobs)
             ${tilde(join(userDataDir, 'Machine', 'settings.json'))} (dtsSync.endpoint)
  language   ${args.locale}${args.locale === 'en' ? ' (npm start -- --locale zh-cn for Simplified Chinese)' : ''}
  log        ${tilde(server.logFile)}

  Open ${server.url}/ in a browser and click the DTS Sync icon in the activity bar.
  Press Ctrl-C to stop.
`);
} catch (error) {
  console.error(`Could not start the demo: ${error.message}`);
  await stop(1);
}
