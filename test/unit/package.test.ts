/**
 * What the .vsix carries besides the bundle, as the build writes it (esbuild.config.mjs, after `npm run build`):
 * the README the Extensions view shows (README.md without the sections for developers and the CLI), the translations
 * of the extension's own messages (dist/l10n, which package.json's `l10n` names) and the details panel's minified
 * script and stylesheet. The packaged .vsix itself is installed and driven by the browser tests (test/e2e).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root.fixture';

const ROOT = repoRoot();

interface BuildScript {
  vsixReadme(text: string): string;
}

// Node 20.19+ loads an ES module with require() when it has no top-level await, as esbuild.config.mjs is written.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(join(ROOT, 'esbuild.config.mjs')) as BuildScript;

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;
}

describe('the package: README, translations and webview assets', () => {
  describe('vsixReadme', () => {
    it('leaves out vsix:omit blocks and uncomments vsix:only blocks', () => {
      const text = ['# T', '<!-- vsix:omit -->', '## Dev', 'npm test', '<!-- /vsix:omit -->', '<!-- vsix:only', 'See the [full README](README.md).', '-->', '## Use', 'Click.'].join('\n');
      assert.equal(build.vsixReadme(text), ['# T', 'See the [full README](README.md).', '## Use', 'Click.'].join('\n'));
    });

    it('fails on a block never closed, a nested or stray marker, or a marker inside a line', () => {
      assert.throws(() => build.vsixReadme('a\n<!-- vsix:omit -->\nb'), /README\.md: a vsix:omit block is never closed/);
      assert.throws(() => build.vsixReadme('<!-- vsix:only\nb'), /vsix:only block is never closed/);
      assert.throws(() => build.vsixReadme('<!-- vsix:omit -->\n<!-- vsix:omit -->\n<!-- /vsix:omit -->'), /README\.md:2: unexpected marker/);
      assert.throws(() => build.vsixReadme('a\n<!-- /vsix:omit -->'), /README\.md:2: unexpected marker/);
      assert.throws(() => build.vsixReadme('<!-- vsix:skip -->'), /README\.md:1: unexpected marker/);
      assert.throws(() => build.vsixReadme('text <!-- vsix:omit --> more'), /README\.md:1: a vsix: marker must stand on a line of its own/);
    });

    it("README.md gives the Extensions view the user's sections only, and points to the rest", () => {
      const full = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const shown = build.vsixReadme(full);
      const headings = shown.split('\n').filter((line) => line.startsWith('#'));
      assert.deepEqual(headings, [
        '# DTS Sync Status',
        '## Using the extension',
        '### Get started',
        '### Set an AccessKey',
        '### Credentials',
        '### Add a job',
        '### Watch whole regions',
        '### Accounts',
        '### What the icons mean',
        '### Why a job failed: reasons, precheck and the details panel',
        '### Settings',
        '## The command line and Prometheus',
        '## Security',
      ]);
      assert.match(shown, /\[full README\]\(README\.md#the-command-line-dts-sync-status\)/);
      assert.ok(full.includes('## The command line: `dts-sync-status`'), 'the anchor the pointer links to');
      for (const gone of ['npm test', 'Project layout', 'How it is tested', '| `dtsSync.jobs` |']) {
        assert.ok(!shown.includes(gone), `${gone} is not for the Extensions view`);
      }
      assert.ok(shown.length < full.length / 2, `${shown.length} of ${full.length} characters`);
    });

    it('is the README vsce packages: dist/README.md, which the production build writes', () => {
      const pkg = readJson('package.json') as { scripts: Record<string, string> };
      assert.match(pkg.scripts['package'] ?? '', /vsce package .*--readme-path dist\/README\.md/);
      assert.match(pkg.scripts['vscode:prepublish'] ?? '', /node esbuild\.config\.mjs --production/);
      assert.match(readFileSync(join(ROOT, 'esbuild.config.mjs'), 'utf8'), /writeIfChanged\(join\('dist', 'README\.md'\), vsixReadme\(readFileSync\('README\.md', 'utf8'\)\)\)/);
    });
  });

  describe('dist/l10n: the translations the extension loads', () => {
    const full = readJson('l10n/bundle.l10n.zh-cn.json');
    const shipped = readJson('dist/l10n/bundle.l10n.zh-cn.json');

    it("package.json's l10n names dist/l10n, and the .vsix carries it", () => {
      assert.equal(readJson('package.json')['l10n'], './dist/l10n');
      const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
      assert.match(ignore, /^!dist\/l10n\/bundle\.l10n\.\*\.json$/m);
      assert.doesNotMatch(ignore, /^!l10n\//m);
    });

    it('holds the extension messages with their translations, and not the CLI-only ones', () => {
      for (const [key, value] of Object.entries(shipped)) {
        assert.ok(Object.hasOwn(full, key), `not a message of l10n/bundle.l10n.zh-cn.json: ${key}`);
        assert.equal(value, full[key]);
      }
      // From src/vscode (Add Job, the region picker, notifications) and src/core (the status bar).
      for (const key of ['Enter a job ID…', 'Other region…', 'Show Log', '{0} jobs']) {
        assert.ok(Object.hasOwn(shipped, key), `missing: ${key}`);
      }
      for (const key of ['JOB', 'SOURCE → DESTINATION', 'Give at least one job ID (dts-sync-status --help for usage)']) {
        assert.ok(Object.hasOwn(full, key), `the CLI message ${key} is in the full bundle`);
        assert.ok(!Object.hasOwn(shipped, key), `the CLI message ${key} is not shipped`);
      }
      assert.ok(Object.keys(shipped).length > 300, `${Object.keys(shipped).length} messages`);
    });
  });

  it('the details panel loads its minified script and stylesheet from dist/webview, which the .vsix carries', () => {
    const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
    for (const file of ['details.js', 'details.css']) {
      const source = readFileSync(join(ROOT, 'media', file), 'utf8');
      const built = readFileSync(join(ROOT, 'dist', 'webview', file), 'utf8');
      assert.ok(built.length > 200 && built.length < source.length, `${file}: ${built.length} of ${source.length} characters`);
      assert.match(ignore, new RegExp(`^!dist/webview/${file.replace('.', '\\.')}$`, 'm'));
    }
    assert.match(readFileSync(join(ROOT, 'dist', 'webview', 'details.js'), 'utf8'), /postMessage/);
  });
});
