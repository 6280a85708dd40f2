import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';
import { repoRoot } from './repo-root.fixture';

/**
 * The translation is complete and current: every `l10n.t` / `vscode.l10n.t` message in src is in the committed
 * bundle (run `npx @vscode/l10n-dev export --outDir ./l10n ./src` after changing one), every message and manifest
 * string has a zh-cn translation with the same placeholders, and nothing stale is left behind.
 */

const ROOT = repoRoot();

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : extname(entry.name) === '.ts' ? [path] : [];
  });
}

function placeholders(text: string): string[] {
  return [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();
}

/** Keys only in `a`, and keys only in `b`, for a message that names both. */
function difference(a: Iterable<string>, b: Iterable<string>): { missing: string[]; extra: string[] } {
  const setA = new Set(a);
  const setB = new Set(b);
  return { missing: [...setA].filter((k) => !setB.has(k)), extra: [...setB].filter((k) => !setA.has(k)) };
}

// Controls other than the newline (the CLI's help is one message of many lines), and bidi overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HAN = /\p{Script=Han}/u;

describe('l10n bundles', function () {
  this.timeout(60_000);
  const bundle = readJson('l10n/bundle.l10n.json');
  const zh = readJson('l10n/bundle.l10n.zh-cn.json');

  it('bundle.l10n.json holds exactly the messages the extractor finds in src', async () => {
    const files = sources(join(ROOT, 'src'));
    assert.ok(files.length > 20, `only ${files.length} source files found`);
    const extracted = await getL10nJson(files.map((f) => ({ contents: readFileSync(f, 'utf8'), extension: extname(f) })));
    const { missing, extra } = difference(Object.keys(extracted), Object.keys(bundle));
    assert.deepEqual(missing, [], 'messages in src but not in l10n/bundle.l10n.json: run npx @vscode/l10n-dev export --outDir ./l10n ./src');
    assert.deepEqual(extra, [], 'messages in l10n/bundle.l10n.json that src no longer uses');
    assert.ok(Object.keys(bundle).length > 200, 'the extractor found almost nothing');
  });

  it('bundle.l10n.zh-cn.json translates every message and nothing else', () => {
    const { missing, extra } = difference(Object.keys(bundle), Object.keys(zh));
    assert.deepEqual(missing, [], 'messages without a zh-cn translation');
    assert.deepEqual(extra, [], 'stale zh-cn translations');
  });

  it('each zh-cn message is Chinese text with the same placeholders and no control characters', () => {
    for (const [key, value] of Object.entries(zh)) {
      assert.equal(typeof value, 'string', key);
      const text = value as string;
      const english = bundle[key];
      const source = typeof english === 'string' ? english : (english as { message: string }).message;
      assert.deepEqual(placeholders(text), placeholders(source), `placeholders differ for ${JSON.stringify(key)}: ${text}`);
      assert.doesNotMatch(text, UNSAFE, key);
      assert.notEqual(text.trim(), '', key);
    }
    // Left as in English: only the binary units, which Chinese writes the same way.
    const untranslated = Object.keys(zh).filter((key) => zh[key] === key && !HAN.test(key));
    assert.deepEqual(untranslated.sort(), ['{0} KiB', '{0} MiB']);
  });
});

describe('manifest strings (package.nls)', () => {
  const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8');
  const nls = readJson('package.nls.json');
  const nlsZh = readJson('package.nls.zh-cn.json');
  const used = [...manifest.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]);

  it('every %key% in package.json is in package.nls.json, and every key there is used', () => {
    assert.ok(used.length > 25, `only ${used.length} %key% strings in package.json`);
    const { missing, extra } = difference(used, Object.keys(nls));
    assert.deepEqual(missing, [], 'package.json uses keys package.nls.json does not define');
    assert.deepEqual(extra, [], 'package.nls.json keys nothing uses');
  });

  it('the contributed commands, views, welcome content and settings are all %key% strings', () => {
    const pkg = JSON.parse(manifest) as {
      contributes: {
        commands: { title: string; category: string }[];
        views: Record<string, { name: string }[]>;
        viewsContainers: { activitybar: { title: string }[] };
        viewsWelcome: { contents: string }[];
        configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
      };
    };
    const c = pkg.contributes;
    const shown = [
      ...c.commands.flatMap((cmd) => [cmd.title, cmd.category]),
      ...Object.values(c.views).flat().map((v) => v.name),
      ...c.viewsContainers.activitybar.map((v) => v.title),
      ...c.viewsWelcome.map((w) => w.contents),
      ...Object.values(c.configuration.properties).map((p) => p.markdownDescription ?? p.description ?? ''),
    ];
    assert.deepEqual(shown.filter((s) => !/^%[^%]+%$/.test(s)), []);
  });

  it('package.nls.zh-cn.json translates every key, keeps command links and setting references', () => {
    const { missing, extra } = difference(Object.keys(nls), Object.keys(nlsZh));
    assert.deepEqual(missing, []);
    assert.deepEqual(extra, []);
    for (const [key, english] of Object.entries(nls)) {
      const text = nlsZh[key] as string;
      const kept = (s: string): string[] => [...s.matchAll(/\(command:[\w.]+\)|#[\w.]+#|`[^`]*`/g)].map((m) => m[0]).sort();
      assert.deepEqual(kept(text), kept(english as string), `links, setting references or code differ in ${key}`);
      assert.ok(HAN.test(text) || text === english, `${key} is not translated: ${text}`);
    }
  });
});
