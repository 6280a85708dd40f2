import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iconLegend } from '../../src/core/views/health';

function repoFile(name: string): string {
  // Compiled tests run from out/test/unit; sources sit three levels up.
  return readFileSync(join(__dirname, '..', '..', '..', name), 'utf8');
}

describe('README', () => {
  const readme = repoFile('README.md');

  it('explains every icon the tree draws, with the words the tooltips use', () => {
    for (const { icon, words } of iconLegend()) {
      assert.ok(readme.includes(`\`$(${icon.id})\``), `README shows $(${icon.id})`);
      assert.ok(readme.includes(`| ${words} |`), `README names "${words}"`);
    }
  });

  it('documents every setting the manifest contributes', () => {
    const manifest = JSON.parse(repoFile('package.json')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    for (const key of Object.keys(manifest.contributes.configuration.properties)) {
      assert.ok(readme.includes(`\`${key}\``), `README documents ${key}`);
    }
  });

  it('gives the test command CI runs', () => {
    assert.match(readme, /^npm test\b/m);
    assert.match(repoFile('.ci/run'), /^npm test$/m);
  });
});
