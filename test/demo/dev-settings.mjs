// Writes the user settings of the F5 profile (.vscode/launch.json "Run Extension (emulator)"), which runs the
// Extension Development Host with --user-data-dir .vscode-test/dev-user-data.
//
// Why a profile of its own: dtsSync.endpoint has "scope": "machine", so VS Code ignores it in workspace settings
// (.vscode/settings.json) and only reads it from user settings. Pointing the developer's own user settings at the
// emulator would leak into their everyday VS Code; a dedicated --user-data-dir keeps it to the dev host.
//
//   node test/demo/dev-settings.mjs [--emulator-url http://127.0.0.1:8765] [--scenario test/emulator/demo.json]
//
// Other keys already in that settings.json (a theme, a changed interval) are kept.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SCENARIO, ROOT } from '../e2e/environment.mjs';

const DEV_USER_DATA = join(ROOT, '.vscode-test', 'dev-user-data');

const { values: args } = parseArgs({
  options: {
    'emulator-url': { type: 'string', default: 'http://127.0.0.1:8765' },
    scenario: { type: 'string', default: DEMO_SCENARIO },
  },
});

const file = join(DEV_USER_DATA, 'User', 'settings.json');
let current = {};
if (existsSync(file)) {
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.warn(`${file} is not plain JSON (comments?): rewriting it`);
  }
}
const scenario = JSON.parse(readFileSync(resolve(args.scenario), 'utf8'));
const settings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  ...current,
  'dtsSync.endpoint': args['emulator-url'],
  'dtsSync.jobs': scenario.jobs.map((j) => ({ id: j.id, region: j.region, ...(j.name ? { name: j.name } : {}) })),
};
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`);
console.log(`dev profile settings: ${file}`);
console.log(`  dtsSync.endpoint = ${settings['dtsSync.endpoint']}; ${settings['dtsSync.jobs'].length} jobs from ${args.scenario}`);
