// The pieces a browser test or the demo needs: the compiled emulator, the packaged .vsix installed into a fresh
// extensions dir, code-server with user settings and a clean environment.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix } from '../codeserver/server.mjs';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const VSIX = join(ROOT, 'dts-sync-status.vsix');
export const EXTENSION_ID = 'dts-tools.dts-sync-status';
export const DEMO_SCENARIO = join(ROOT, 'test/emulator/demo.json');

const require = createRequire(import.meta.url);

/** The compiled emulator (out/test/emulator): { startEmulator, loadScenario }. */
export function emulatorModule() {
  const server = join(ROOT, 'out/test/emulator/server.js');
  if (!existsSync(server)) {
    throw new Error(`${server} is missing: compile first (npx tsc -p . or npm run compile)`);
  }
  return { ...require(server), ...require(join(ROOT, 'out/test/emulator/scenario.js')) };
}

export function readDemoScenario() {
  return JSON.parse(readFileSync(DEMO_SCENARIO, 'utf8'));
}

/** How many demo jobs the status bar counts as failed: a direction in a failed state (the demo's own data). */
export function demoFailedJobCount() {
  return readDemoScenario().jobs.filter((j) => j.directions.some((d) => /failed|^locked$/i.test(d.status))).length;
}

/** Fails early with the command to run when the package is missing. */
export function checkVsix(vsix = VSIX) {
  if (!existsSync(vsix)) {
    throw new Error(`${vsix} is missing: run npm run package first`);
  }
  const built = statSync(vsix).mtime;
  return { path: vsix, builtAt: built, ageMinutes: (Date.now() - built.getTime()) / 60_000 };
}

/** Installs the packaged extension into a fresh extensions dir (whatever was there before is removed). */
export async function installPackagedExtension(extensionsDir, vsix = VSIX) {
  await rm(extensionsDir, { recursive: true, force: true });
  await mkdir(extensionsDir, { recursive: true });
  const output = await installVsix(vsix, extensionsDir);
  if (!/successfully installed/i.test(output)) {
    throw new Error(`Installing ${vsix} printed no success message:\n${output}`);
  }
  return output;
}

/** This process's environment with every ALIBABA_CLOUD_* / ALICLOUD_* variable blanked, plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const name of Object.keys(process.env)) {
    if (/^(ALIBABA_CLOUD|ALICLOUD)_/.test(name)) env[name] = '';
  }
  return { ...env, ...extra };
}

export function seconds(since) {
  return (performance.now() - since) / 1000;
}

/**
 * Writes the remote ("Machine") settings of a code-server user-data dir. code-server's workbench is always a
 * remote window, and there settings with `"scope": "machine"` such as dtsSync.endpoint are read only from
 * <user-data-dir>/Machine/settings.json: the same key in User/settings.json is ignored.
 */
export async function writeMachineSettings(userDataDir, settings) {
  const dir = join(userDataDir, 'Machine');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}
