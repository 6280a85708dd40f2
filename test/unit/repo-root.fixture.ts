import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest folder above this file with a tsconfig.json and src/core (works from test/ and
 * out/test/; out/ has a copy of package.json and compiled src/core, but no tsconfig.json).
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'tsconfig.json')) || !existsSync(join(dir, 'src', 'core'))) {
    const parent = dirname(dir);
    assert.notEqual(parent, dir, `no repository root above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
