import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './repo-root.fixture';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(path);
    }
    return /\.(c|m)?[jt]sx?$/.test(entry.name) ? [path] : [];
  });
}

/** `import … from 'vscode'`, `import 'vscode'`, `import('vscode')`, `require('vscode')`, `export … from 'vscode'`. */
const VSCODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"`])vscode(?:\/[^'"`]*)?\1/;

describe('src/core has no vscode dependency', () => {
  const root = repoRoot();
  const core = join(root, 'src', 'core');
  const files = sourceFiles(core);

  it('finds the core sources (so the check cannot pass on an empty folder)', () => {
    assert.ok(files.length >= 5, `only ${files.length} files under ${core}`);
    const names = files.map((f) => relative(core, f).replace(/\\/g, '/'));
    for (const expected of ['model.ts', 'api/errors.ts']) {
      assert.ok(names.includes(expected), `${expected} not found among ${names.join(', ')}`);
    }
  });

  it('recognizes every way of importing vscode', () => {
    for (const text of [
      "import * as vscode from 'vscode';",
      'import type { Uri } from "vscode";',
      "import 'vscode';",
      "const vscode = require('vscode');",
      "const vscode = await import('vscode');",
      "export { Uri } from 'vscode';",
      "import { x } from 'vscode/sub';",
      'import * as vscode from`vscode`;',
    ]) {
      assert.match(text, VSCODE_IMPORT, text);
    }
    for (const text of ["import { URI } from 'vscode-uri';", '// runs without vscode', "const name = 'vscode';"]) {
      assert.doesNotMatch(text, VSCODE_IMPORT, text);
    }
  });

  it('no file under src/core imports or requires vscode', () => {
    const offenders = files.filter((f) => VSCODE_IMPORT.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    assert.deepEqual(offenders, [], `these core files import vscode: ${offenders.join(', ')}`);
  });
});
