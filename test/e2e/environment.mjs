// The pieces a browser test or the demo needs: the compiled emulator, the packaged .vsix installed into a fresh
// extensions dir, code-server with user settings and a clean environment.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
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
  checkInstalledFiles(extensionsDir);
  return output;
}

/** Every file the .vsix carries (.vscodeignore, vsce --readme-path), as VS Code installs it: nothing more, nothing less. */
const SHIPPED = [
  'LICENSE.txt', 'changelog.md', 'dist/extension.js', 'dist/l10n/bundle.l10n.zh-cn.json', 'dist/llhttp_simd.wasm.br',
  'dist/webview/details.css', 'dist/webview/details.js', 'media/dts-sync.svg', 'media/icon.png',
  'media/walkthrough/cli.svg', 'media/walkthrough/credentials.svg', 'media/walkthrough/pick-jobs.svg',
  'media/walkthrough/tree.svg', 'package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'readme.md',
];

/**
 * The installed copy holds exactly SHIPPED (no sources, maps, tests or the CLI), and its README is the Extensions
 * view's: the user's sections, with the link to the full README made absolute by vsce.
 */
function checkInstalledFiles(extensionsDir) {
  const installed = readdirSync(extensionsDir).filter((name) => name.startsWith(`${EXTENSION_ID}-`));
  if (installed.length !== 1) {
    throw new Error(`expected one installed ${EXTENSION_ID} in ${extensionsDir}, found ${JSON.stringify(installed)}`);
  }
  const dir = join(extensionsDir, installed[0]);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((file) => file !== '.vsixmanifest')
    .sort();
  if (files.join('\n') !== SHIPPED.join('\n')) {
    const extra = files.filter((f) => !SHIPPED.includes(f));
    const missing = SHIPPED.filter((f) => !files.includes(f));
    throw new Error(`the .vsix carries other files than expected: extra ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`);
  }
  const readme = readFileSync(join(dir, 'readme.md'), 'utf8');
  const problems = [
    readme.includes('## Project layout') && 'it has the developer sections',
    !readme.includes('## The command line and Prometheus') && 'it lacks the pointer to the command line',
    !readme.includes('(https://github.com/dts-tools/dts-sync-status/blob/HEAD/README.md#the-command-line-dts-sync-status)') &&
      'its link to the full README is not absolute',
    /<!--\s*\/?vsix:/.test(readme) && 'it still has vsix: markers',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`the installed readme.md is not the Extensions view's: ${problems.join('; ')}`);
  }
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
