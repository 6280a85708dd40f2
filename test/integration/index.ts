import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** Entry point the extension host calls (test-electron's and code-server's `extensionTestsPath`). */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000, reporter: 'spec' });
  // Runs a single test (or a few) on its own: each test sets up what it needs, so any one can run alone.
  const grep = process.env['DTS_TEST_GREP'];
  if (grep) {
    mocha.grep(grep);
  }
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
