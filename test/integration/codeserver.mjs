// Runs the extension-host suites (out/test/integration) inside code-server, a real VS Code 1.100.3.
// Exit status = the suites' result. Part of `npm test`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from '../codeserver/install.mjs';
import { runExtensionTests } from '../codeserver/run-extension-tests.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
await ensureCodeServer();
// A private HOME and no ALIBABA_CLOUD_* variables: the suites decide every credential the extension sees.
const home = await mkdtemp(join(tmpdir(), 'dts-it-home-'));
const env = { HOME: home };
for (const name of Object.keys(process.env)) {
  if (/^(ALIBABA_CLOUD|ALICLOUD)_/.test(name)) env[name] = '';
}
let code = 1;
try {
  code = await runExtensionTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/integration/index.js'),
    env,
    timeoutMs: 300_000,
  });
} finally {
  await rm(home, { recursive: true, force: true });
}
process.exit(code);
