import { join } from 'node:path';
import { runCli } from './main';

// The bundle is dist/cli.js; the translations ship next to dist/ in l10n/ (the npm package and the .vsix alike).
const l10nDir = join(__dirname, '..', 'l10n');

void runCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, l10nDir }).then((code) => {
  process.exitCode = code;
});
