// Checks `npm start` as a person would use it: starts test/demo/start.mjs, waits for the URL it prints, fetches
// /healthz, opens the page once and sees the demo jobs in the DTS Sync view (test-results/demo/dts-view.png),
// then presses Ctrl-C (SIGINT) and expects a clean exit with the ports released.
//
//   node test/demo/smoke.mjs [-- extra args for start.mjs, e.g. --port 0 --emulator-port 0]
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closePage, launchBrowser } from '../codeserver/server.mjs';
import { demoFailedJobCount, readDemoScenario, ROOT } from '../e2e/environment.mjs';
import {
  jobsFromRows, openDtsView, openWorkbench, readRows, screenshotter, statusText, waitUntil,
} from '../e2e/workbench.mjs';

const PREFIX = '[demo-smoke]';
const started = performance.now();
const log = (message) => console.log(`${PREFIX} ${message} (${((performance.now() - started) / 1000).toFixed(1)}s)`);

function portFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

const extra = process.argv.slice(2).filter((a) => a !== '--');
const child = spawn(process.execPath, [join(ROOT, 'test/demo/start.mjs'), ...extra], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
child.stdout.on('data', (d) => (output += d));
child.stderr.on('data', (d) => (output += d));

let browser;
let page;
let ok = false;
try {
  const url = await waitUntil(
    'start.mjs to print the URL to open',
    async () => {
      if (child.exitCode !== null) throw new Error(`start.mjs exited (${child.exitCode}):\n${output}`);
      return /Open (http:\/\/127\.0\.0\.1:\d+)\/ in a browser/.exec(output)?.[1];
    },
    Boolean,
    { timeoutMs: 90_000, intervalMs: 200 },
  );
  log(`start.mjs ready at ${url}`);
  console.log(output.replace(/^/gm, '    | '));

  const health = await fetch(`${url}/healthz`);
  if (!health.ok) throw new Error(`/healthz answered ${health.status}`);
  log(`/healthz ${health.status} ${JSON.stringify(await health.json())}`);

  browser = await launchBrowser({ viewport: { width: 1280, height: 800 }, handleSignals: false });
  page = await browser.context.newPage();
  const loadSeconds = await openWorkbench(page, `${url}/`);
  log(`workbench loaded in ${loadSeconds.toFixed(1)}s`);
  await openDtsView(page);

  const names = readDemoScenario().jobs.map((j) => j.name);
  const jobs = await waitUntil(
    `the ${names.length} demo jobs with a status`,
    async () => jobsFromRows(await readRows(page)),
    (list) =>
      names.every((n) => list.some((j) => j.label === n)) &&
      list.every((j) => j.description && !/Waiting|No status/.test(j.description)),
    { timeoutMs: 30_000 },
  );
  const status = await waitUntil('the status bar item', () => statusText(page), Boolean);
  for (const j of jobs) console.log(`    ${j.label.padEnd(24)} ${j.description}`);
  console.log(`    status bar: ${status}`);
  const expected = `DTS: ${demoFailedJobCount()} failed`;
  if (status !== expected) throw new Error(`status bar "${status}", expected "${expected}"`);
  const dir = join(ROOT, 'test-results', 'demo');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const shot = screenshotter(page, dir);
  log(`screenshot ${await shot('dts-view')}`);
  ok = true;
} catch (error) {
  console.error(`${PREFIX} ${error.message}`);
  if (page) await screenshotter(page, join(ROOT, 'test-results', 'demo'))('failed').catch(() => {});
} finally {
  await closePage(page);
  await browser?.close().catch(() => {});
  const before = output.length;
  child.kill('SIGINT');
  const result = await Promise.race([exited, sleep(20_000).then(() => undefined)]);
  if (!result) {
    console.error(`${PREFIX} start.mjs did not exit within 20s of SIGINT`);
    child.kill('SIGKILL');
    ok = false;
  } else {
    log(`start.mjs exited (${result.signal ?? `code ${result.code}`}) after SIGINT: ${output.slice(before).trim().replace(/\n/g, ' / ')}`);
    if (result.code !== 0) ok = false;
    const ports = [...output.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    for (const port of new Set(ports)) {
      if (!(await portFree(port))) {
        console.error(`${PREFIX} port ${port} still in use after stop`);
        ok = false;
      }
    }
  }
}
log(ok ? 'passed' : 'FAILED');
process.exit(ok ? 0 : 1);
