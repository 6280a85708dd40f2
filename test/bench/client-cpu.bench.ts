/**
 * Client CPU per query (`npm run bench`): what one DescribeSynchronizationJobStatusList costs the calling process,
 * for this project's DtsClient (V3 and V2), Alibaba's @alicloud/pop-core, bare undici plus the project's signV3, and
 * the floor (bare undici replaying a pre-signed request, plus JSON.parse). See test/bench/contenders.ts.
 *
 * - The server answers a fixed body from its own process (test/bench/fixed-server.ts), so its work is not counted.
 * - Each segment runs in a fresh process: `--warmup` queries (JIT, connections), then `--queries` timed ones, one at a
 *   time; the figure is that process's `process.cpuUsage()` (user + system) over the timed queries, per query.
 * - Rounds alternate the implementations (the order rotates each round); the result is each one's median over rounds.
 * - Before that, every implementation sends one request to the emulator (test/emulator), which checks the signature:
 *   a contender that is fast because it is wrong fails the run.
 *
 *   npm run bench -- --rounds 10 --queries 2000 --warmup 1000 --jobs 10 [--only dts-v3,floor]
 *
 * Prints a table and the ratios, and writes test-results/bench.json. Not part of `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Credentials } from '../../src/core/api/signing';
import type { Scenario } from '../emulator/scenario';
import { startEmulator } from '../emulator/server';
import { createContender, IMPLEMENTATIONS, type Implementation } from './contenders';
import { BENCH_REGION, benchJobIds } from './fixed-server';

const ROOT = resolve(__dirname, '../../..');
const KEY: Credentials = { accessKeyId: 'LTAI5tBenchClientCpu01', accessKeySecret: 'bench-secret-client-cpu-01' };

interface Config {
  readonly rounds: number;
  readonly queries: number;
  readonly warmup: number;
  readonly jobs: number;
  readonly only: readonly Implementation[];
  readonly out: string;
}

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function readConfig(argv: readonly string[]): Config & { worker?: Implementation; url?: string } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      rounds: { type: 'string' },
      queries: { type: 'string' },
      warmup: { type: 'string' },
      jobs: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      worker: { type: 'string' },
      url: { type: 'string' },
    },
  });
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...IMPLEMENTATIONS];
  for (const name of only) {
    if (!(IMPLEMENTATIONS as readonly string[]).includes(name)) {
      throw new Error(`unknown implementation ${name}; expected ${IMPLEMENTATIONS.join(', ')}`);
    }
  }
  if (values.worker !== undefined && !(IMPLEMENTATIONS as readonly string[]).includes(values.worker)) {
    throw new Error(`unknown implementation ${values.worker}`);
  }
  return {
    rounds: int('rounds', values.rounds, 10, 1),
    queries: int('queries', values.queries, 2000, 1),
    warmup: int('warmup', values.warmup, 1000, 0),
    jobs: int('jobs', values.jobs, 10, 1),
    only: only as Implementation[],
    out: resolve(ROOT, values.out ?? 'test-results/bench.json'),
    worker: values.worker as Implementation | undefined,
    url: values.url,
  };
}

interface Segment {
  readonly impl: Implementation;
  readonly cpuUsPerQuery: number;
  readonly wallUsPerQuery: number;
}

/** One segment, in this (fresh) process: warm-up, then the timed queries. Prints one JSON line. */
async function runWorker(impl: Implementation, url: string, config: Config): Promise<void> {
  const contender = createContender(impl, url, benchJobIds(config.jobs), KEY);
  try {
    for (let i = 0; i < config.warmup; i++) {
      await contender.query();
    }
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < config.queries; i++) {
      await contender.query();
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    const segment: Segment = { impl, cpuUsPerQuery: (cpu.user + cpu.system) / config.queries, wallUsPerQuery: (wallMs * 1000) / config.queries };
    process.stdout.write(`${JSON.stringify(segment)}\n`);
  } finally {
    await contender.close();
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    if (!child.stdout) {
      reject(new Error('no stdout'));
      return;
    }
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    lines.once('line', (line) => resolvePromise(line));
    child.once('exit', (code) => reject(new Error(`exited with ${code} before answering: ${stderr.slice(0, 2000)}`)));
  });
}

async function segment(impl: Implementation, url: string, config: Config): Promise<Segment> {
  const args = [__filename, '--worker', impl, '--url', url, '--queries', String(config.queries), '--warmup', String(config.warmup), '--jobs', String(config.jobs)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await firstLine(child);
  await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
  return JSON.parse(line) as Segment;
}

/** Every implementation's request is accepted by the emulator, which checks signatures (V3 or V2) and nonces. */
async function preflight(config: Config): Promise<void> {
  const ids = benchJobIds(config.jobs);
  const scenario: Scenario = {
    accessKeys: [{ accessKeyId: KEY.accessKeyId, accessKeySecret: KEY.accessKeySecret }],
    jobs: ids.map((id) => ({ id, region: BENCH_REGION, directions: [{ direction: 'Forward' as const, status: 'Synchronizing', lagSeconds: 3 }] })),
  };
  const emu = await startEmulator({ scenario });
  try {
    for (const impl of config.only) {
      const contender = createContender(impl, emu.url, ids, KEY);
      try {
        await contender.query();
      } finally {
        await contender.close();
      }
      const logged = emu.requests;
      const last = logged[logged.length - 1];
      if (!last || last.outcome !== 'ok') {
        throw new Error(`${impl}: the emulator refused its request: ${JSON.stringify(last)}`);
      }
      process.stdout.write(`# ${impl}: accepted by the emulator (${(last.signatureVersion ?? 'unsigned').toUpperCase()}, ${last.method})\n`);
    }
  } finally {
    await emu.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2));
  if (config.worker) {
    await runWorker(config.worker, config.url ?? '', config);
    return;
  }
  await preflight(config);
  const server = spawn(process.execPath, [join(__dirname, 'fixed-server.js'), '--jobs', String(config.jobs)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const loadBefore = loadavg();
  try {
    const url = (await firstLine(server)).replace(/^listening /, '');
    const samples = new Map<Implementation, Segment[]>(config.only.map((i) => [i, []]));
    for (let round = 0; round < config.rounds; round++) {
      const order = config.only.map((_, i) => config.only[(i + round) % config.only.length]);
      const cells: string[] = [];
      for (const impl of order) {
        const s = await segment(impl, url, config);
        samples.get(impl)?.push(s);
        cells.push(`${impl} ${s.cpuUsPerQuery.toFixed(0)}`);
      }
      process.stdout.write(`# round ${round + 1}/${config.rounds}: ${cells.join(', ')} µs\n`);
    }
    const rows = config.only.map((impl) => {
      const s = samples.get(impl) ?? [];
      return {
        impl,
        cpuUsPerQuery: median(s.map((x) => x.cpuUsPerQuery)),
        minCpuUs: Math.min(...s.map((x) => x.cpuUsPerQuery)),
        maxCpuUs: Math.max(...s.map((x) => x.cpuUsPerQuery)),
        wallUsPerQuery: median(s.map((x) => x.wallUsPerQuery)),
        rounds: s.map((x) => Math.round(x.cpuUsPerQuery)),
      };
    });
    const cpuOf = (impl: Implementation): number | undefined => rows.find((r) => r.impl === impl)?.cpuUsPerQuery;
    const floor = cpuOf('floor');
    const pop = cpuOf('pop-core');
    const loadAfter = loadavg();
    const header = ['implementation', 'CPU µs/query', 'min', 'max', 'wall µs/query', 'x floor', 'x pop-core'];
    const table = [
      header,
      ...rows.map((r) => [
        r.impl,
        r.cpuUsPerQuery.toFixed(0),
        r.minCpuUs.toFixed(0),
        r.maxCpuUs.toFixed(0),
        r.wallUsPerQuery.toFixed(0),
        floor ? `${(r.cpuUsPerQuery / floor).toFixed(2)}x` : '-',
        pop ? `${(r.cpuUsPerQuery / pop).toFixed(2)}x` : '-',
      ]),
    ];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    process.stdout.write(
      `\nDescribeSynchronizationJobStatusList, ${config.jobs} jobs: CPU of the calling process per query, median of ${config.rounds} rounds ` +
        `(fresh process each, ${config.warmup} warm-up + ${config.queries} timed queries, server in its own process)\n` +
        `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')} -> ${loadAfter.map((l) => l.toFixed(2)).join(' ')}\n\n` +
        table.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n') +
        '\n',
    );
    const v3 = cpuOf('dts-v3');
    if (v3 !== undefined && floor !== undefined && pop !== undefined) {
      process.stdout.write(
        `\nGoal (issue 12): DtsClient V3 <= 1.25x the floor and <= 0.65x pop-core: ${(v3 / floor).toFixed(2)}x the floor, ${(v3 / pop).toFixed(2)}x pop-core\n`,
      );
    }
    mkdirSync(dirname(config.out), { recursive: true });
    writeFileSync(
      config.out,
      `${JSON.stringify(
        {
          benchmark: 'client CPU per DescribeSynchronizationJobStatusList query',
          date: new Date().toISOString(),
          config: { rounds: config.rounds, queries: config.queries, warmup: config.warmup, jobs: config.jobs },
          environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
          results: rows,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`wrote ${config.out}\n`);
  } finally {
    server.stdin?.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
