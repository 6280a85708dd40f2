// Start-up cost of the bundles (`npm run bench:startup`, after a production build):
//  - `require` of dist/extension.js, timed inside a fresh process (with `vscode` replaced by an empty stand-in);
//  - `node dist/cli.js --help` against `node -e 0`, wall time of whole processes, run alternately.
// Medians of --runs runs (default 30). `--dist DIR` measures another build (a baseline) instead of dist/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string' }, dist: { type: 'string' } } });
const runs = Number(values.runs ?? 30);
const dist = resolve(values.dist ?? 'dist');
for (const file of ['extension.js', 'cli.js']) {
  if (!existsSync(resolve(dist, file))) {
    throw new Error(`${resolve(dist, file)} is missing: build first (node esbuild.config.mjs --production)`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const requireScript = `
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? {} : load.call(this, request, ...rest); };
const t0 = performance.now();
require(${JSON.stringify(resolve(dist, 'extension.js'))});
process.stdout.write(String(performance.now() - t0));
`;

function wall(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  }
  return { ms, stdout: r.stdout };
}

const requireMs = [];
const helpMs = [];
const emptyMs = [];
for (let i = 0; i < runs; i++) {
  requireMs.push(Number(wall(['-e', requireScript]).stdout));
  // Alternating, so load on the machine hits both alike.
  if (i % 2 === 0) {
    helpMs.push(wall([resolve(dist, 'cli.js'), '--help']).ms);
    emptyMs.push(wall(['-e', '0']).ms);
  } else {
    emptyMs.push(wall(['-e', '0']).ms);
    helpMs.push(wall([resolve(dist, 'cli.js'), '--help']).ms);
  }
}
const help = median(helpMs);
const empty = median(emptyMs);
process.stdout.write(
  `${dist}, node ${process.version}, medians of ${runs} runs\n` +
    `require of extension.js: ${median(requireMs).toFixed(1)} ms (goal, issue 12: <= 30 ms)\n` +
    `node cli.js --help: ${help.toFixed(1)} ms; node -e 0: ${empty.toFixed(1)} ms; ratio ${(help / empty).toFixed(2)}x (goal: <= 1.5x)\n`,
);
