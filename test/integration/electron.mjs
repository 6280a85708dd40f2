// Runs the same extension-host suites with @vscode/test-electron, for machines that can download VS Code or have one
// (VSCODE_EXECUTABLE_PATH). Where neither works it says so plainly and exits 1.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const home = await mkdtemp(join(tmpdir(), 'dts-it-home-'));
const extensionTestsEnv = { HOME: home };
for (const name of Object.keys(process.env)) {
  if (/^(ALIBABA_CLOUD|ALICLOUD)_/.test(name)) extensionTestsEnv[name] = '';
}
try {
  await runTests({
    version: '1.100.3',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/integration/index.js'),
    extensionTestsEnv,
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(home, 'user-data')],
  });
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  if (/download|ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED|fetch failed|Failed to get/i.test(message)) {
    console.error(
      `VS Code is unavailable here: it cannot be downloaded (${message.split('\n')[0]}).\n` +
        'Set VSCODE_EXECUTABLE_PATH to a VS Code binary, or run `npm run test:integration`, which uses code-server.',
    );
  } else {
    console.error(`Extension tests failed: ${message}`);
  }
  process.exit(1);
}
