/**
 * Heap growth per refresh (`npm run bench:memory`): 10,000 refreshes of 50 jobs through the real Refresher, query,
 * DtsClient and StatusStore against a fixed-answer server in its own process (test/bench/fixed-server.ts --echo). Every
 * `--every` refreshes the heap is measured after a full GC (node --expose-gc); the slope of a least-squares line over
 * the samples after the warm-up is the growth per refresh. Flat means under 10 bytes per refresh.
 *
 *   npm run bench:memory -- --refreshes 10000 --jobs 50 --every 500 --warmup 1000
 *
 * The client's rate limiter is one without a limit (10,000 refreshes at DTS's 20 calls/s would take 40 minutes);
 * everything else is the extension's own code. Not part of `npm test`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DtsClient } from '../../src/core/api/client';
import { RateLimiter } from '../../src/core/api/rateLimiter';
import type { Log } from '../../src/core/log';
import { Refresher } from '../../src/core/refresher';
import { parseSettings } from '../../src/core/settings';
import { StatusStore } from '../../src/core/store';
import { BENCH_REGION, benchJobIds } from './fixed-server';

const gc = (globalThis as { gc?: () => void }).gc;

function int(raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`expected a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function main(): Promise<void> {
  if (!gc) {
    throw new Error('run with node --expose-gc (npm run bench:memory does)');
  }
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { refreshes: { type: 'string' }, jobs: { type: 'string' }, every: { type: 'string' }, warmup: { type: 'string' } },
  });
  const refreshes = int(values.refreshes, 10_000);
  const jobCount = int(values.jobs, 50);
  const every = int(values.every, 500);
  const warmup = int(values.warmup, 1_000);

  const server = spawn(process.execPath, [join(__dirname, 'fixed-server.js'), '--echo'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', (line) => resolve(line.replace(/^listening /, '')));
    server.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const store = new StatusStore();
  const unlimited = new RateLimiter({ limit: Number.MAX_SAFE_INTEGER, windowMs: 5 });
  const refresher = new Refresher({ store, log: silent, createClient: (options) => new DtsClient({ ...options, rateLimiter: unlimited }) });
  const ids = benchJobIds(jobCount);
  const settings = parseSettings((key) =>
    key === 'dtsSync.jobs' || key === 'jobs' ? ids.map((id) => `${id}@${BENCH_REGION}`) : key === 'dtsSync.endpoint' || key === 'endpoint' ? url : undefined,
  );
  if (settings.jobs.length !== jobCount || settings.endpoint !== url) {
    throw new Error(`settings not read as expected: ${settings.jobs.length} jobs, endpoint ${String(settings.endpoint)}`);
  }
  store.setJobs(settings.jobs, settings.problems);
  const runs = [{ account: 'default', jobs: settings.jobs, resolved: { credentials: { accessKeyId: 'LTAI5tBenchMemory0001', accessKeySecret: 'bench-secret-memory-01' }, source: 'bench' } }];
  const samples: { x: number; y: number }[] = [];
  const started = performance.now();
  try {
    for (let i = 1; i <= refreshes; i++) {
      const result = await refresher.refresh('interval', settings, runs);
      if (result.outcome !== 'ok') {
        throw new Error(`refresh ${i} failed: ${JSON.stringify(store.state.jobs.find((j) => j.error)?.error ?? result)}`);
      }
      if (i % every === 0) {
        gc();
        gc();
        const heap = process.memoryUsage().heapUsed;
        if (i > warmup) {
          samples.push({ x: i, y: heap });
        }
        process.stdout.write(`# ${i} refreshes: heap ${(heap / 1024 / 1024).toFixed(2)} MB\n`);
      }
    }
  } finally {
    await refresher.dispose();
    server.stdin.end();
  }
  const answered = store.state.jobs.filter((j) => j.status?.found && !j.stale).length;
  if (answered !== jobCount) {
    throw new Error(`only ${answered} of ${jobCount} jobs were answered in the last refresh: ${JSON.stringify(store.state.jobs[0])}`);
  }
  const perRefresh = slope(samples);
  process.stdout.write(
    `\n${refreshes} refreshes of ${jobCount} jobs (${answered} answered in the last) in ${((performance.now() - started) / 1000).toFixed(1)} s, node ${process.version}\n` +
      `heap after GC: ${(samples[0].y / 1024 / 1024).toFixed(2)} MB at ${samples[0].x} -> ${(samples[samples.length - 1].y / 1024 / 1024).toFixed(2)} MB at ${samples[samples.length - 1].x}\n` +
      `slope: ${perRefresh.toFixed(1)} bytes per refresh (goal, issue 12: under 10)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
