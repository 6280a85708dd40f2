/**
 * Status-query benchmark: N sequential `DescribeSynchronizationJobStatusList` queries of M jobs each, against the
 * in-process emulator, for three implementations side by side:
 *
 *   dts-client  this project's DtsClient (undici, keep-alive Agent, ACS3-HMAC-SHA256 / V3)
 *   pop-core    Alibaba's official Node SDK core @alicloud/pop-core RPCClient (V2 / HMAC-SHA1, POST form body,
 *               its own keep-alive http.Agent, which it always uses unless a request passes `agent`)
 *   floor       a bare undici `request` replaying V3 requests signed before the timed loop (the emulator rejects a
 *               reused nonce and has no switch to skip that check, so each round pre-signs one request per query)
 *
 * Fairness on a noisy machine: after a warm-up, the queries are split into R rounds; in each round every
 * implementation runs its share back to back, and the order rotates from round to round. Each implementation has its
 * own AccessKey, so the emulator's request log tells whose requests were accepted; the run fails unless all were.
 *
 *   npm run bench -- --queries 300 --jobs 10 --rounds 10 --warmup 100
 *
 * Prints a table and writes test-results/bench.json. Not part of `npm test`.
 */
import RPCClient from '@alicloud/pop-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { API_VERSION, DtsClient, STATUS_LIST_ACTION } from '../../src/core/api/client';
import { RateLimiter } from '../../src/core/api/rateLimiter';
import { canonicalQueryString, signV3, type Credentials } from '../../src/core/api/signing';
import type { Scenario } from '../emulator/scenario';
import { startEmulator, type Emulator } from '../emulator/server';

const ROOT = resolve(__dirname, '../../..');
const REGION = 'cn-hangzhou';
const USER_AGENT = 'dts-sync-status/bench';

interface Config {
  readonly queries: number;
  readonly jobs: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly out: string;
}

function positiveInt(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function readConfig(argv: readonly string[]): Config {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      queries: { type: 'string' },
      jobs: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('usage: node out/test/bench/status-query.bench.js [--queries N=300] [--jobs M=10] [--rounds R=10] [--warmup W=100] [--out test-results/bench.json]\n');
    process.exit(0);
  }
  const queries = positiveInt('queries', values.queries, 300, 1);
  const rounds = Math.min(queries, positiveInt('rounds', values.rounds, 10, 1));
  return {
    queries,
    jobs: positiveInt('jobs', values.jobs, 10, 1),
    rounds,
    warmup: positiveInt('warmup', values.warmup, 100, 0),
    out: resolve(ROOT, values.out ?? 'test-results/bench.json'),
  };
}

/** One contender: `prepare` runs outside the timed loop, `query` is what is timed. */
interface Contender {
  readonly name: string;
  readonly description: string;
  readonly key: Credentials;
  prepare(count: number): void;
  query(): Promise<void>;
  close(): Promise<void>;
}

function jobIds(m: number): string[] {
  return Array.from({ length: m }, (_, i) => `dtsbench${String(i).padStart(4, '0')}x7k2`);
}

function benchScenario(ids: readonly string[], keys: readonly Credentials[]): Scenario {
  return {
    accessKeys: keys.map((k) => ({ accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret })),
    jobs: ids.map((id, i) => ({
      id,
      region: REGION,
      directions: [{ direction: 'Forward' as const, status: 'Synchronizing', lagSeconds: i % 7 }],
    })),
  };
}

function dtsClientContender(emu: Emulator, ids: readonly string[], key: Credentials): Contender {
  // The client's own cost is measured, not DTS's 20 calls/s: the other contenders have no rate limit either.
  const unlimited = new RateLimiter({ limit: Number.MAX_SAFE_INTEGER });
  const client = new DtsClient({ credentials: key, endpoint: emu.url, signatureVersion: 'v3', timeoutMs: 10_000, userAgent: USER_AGENT, rateLimiter: unlimited });
  return {
    name: 'dts-client',
    description: "this project's DtsClient (undici keep-alive Agent, V3 ACS3-HMAC-SHA256)",
    key,
    prepare: () => undefined,
    async query() {
      const result = await client.describeSynchronizationJobStatusList(ids, REGION);
      if (result.jobs.size !== ids.length) {
        throw new Error(`dts-client: ${result.jobs.size} of ${ids.length} jobs returned`);
      }
    },
    close: () => client.close(),
  };
}

interface PopStatusList {
  readonly SynchronizationJobListStatusList?: readonly unknown[];
}

function popCoreContender(emu: Emulator, ids: readonly string[], key: Credentials): Contender {
  // keepAlive: pop-core builds its own http.Agent({ keepAlive: true, keepAliveMsecs: 3000 }) and uses it for every
  // request that does not pass `agent`; we leave that default as it is.
  const client = new RPCClient({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret, endpoint: emu.url, apiVersion: API_VERSION });
  const params = { SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: REGION };
  return {
    name: 'pop-core',
    description: '@alicloud/pop-core RPCClient (V2 HMAC-SHA1, POST form body, its default keep-alive http.Agent)',
    key,
    prepare: () => undefined,
    async query() {
      const result = await client.request<PopStatusList>(STATUS_LIST_ACTION, params, { method: 'POST', timeout: 10_000 });
      if (result.SynchronizationJobListStatusList?.length !== ids.length) {
        throw new Error(`pop-core: unexpected answer ${JSON.stringify(result).slice(0, 300)}`);
      }
    },
    async close() {
      // Nothing to close: pop-core does not expose its agent; its idle sockets time out on their own.
    },
  };
}

interface PresignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

function floorContender(emu: Emulator, ids: readonly string[], key: Credentials): Contender {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  const origin = new URL(emu.url);
  const params = { SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: REGION };
  const url = `${origin.origin}/?${canonicalQueryString(params)}`;
  let queue: PresignedRequest[] = [];
  let next = 0;
  return {
    name: 'floor',
    description: 'bare undici request() replaying V3 requests pre-signed outside the timed loop (same Agent settings)',
    key,
    prepare(count) {
      const date = new Date();
      queue = Array.from({ length: count }, () => {
        const signed = signV3({
          method: 'POST', host: origin.host, action: STATUS_LIST_ACTION, version: API_VERSION, query: params, credentials: key, date, nonce: randomUUID(),
        });
        return { url, headers: { ...signed.headers, accept: 'application/json', 'user-agent': USER_AGENT } };
      });
      next = 0;
    },
    async query() {
      const signed = queue[next++];
      if (!signed) {
        throw new Error('floor: ran out of pre-signed requests');
      }
      const res = await request(signed.url, { method: 'POST', headers: signed.headers, dispatcher: agent });
      const body = await res.body.text();
      if (res.statusCode !== 200) {
        throw new Error(`floor: HTTP ${res.statusCode} ${body.slice(0, 300)}`);
      }
    },
    close: () => agent.close(),
  };
}

interface Stats {
  readonly queries: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly totalMs: number;
  readonly queriesPerSecond: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function stats(latencies: readonly number[], totalMs: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    queries: sorted.length,
    medianMs: median(sorted),
    p95Ms: quantile(sorted, 0.95),
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    totalMs,
    queriesPerSecond: (sorted.length / totalMs) * 1000,
  };
}

/**
 * Counts the TCP connections the emulator accepts, to show whether a contender really reuses its connection. The
 * emulator does not expose its server, so this reaches for its private field; null when that is not there.
 */
function connectionCounter(emu: Emulator): { current(): number | null } {
  const server = (emu as unknown as { server?: Server }).server;
  let count = 0;
  server?.on('connection', () => count++);
  return { current: () => (server ? count : null) };
}

/** Runs `count` queries back to back; returns each latency and the segment's wall time. */
async function segment(c: Contender, count: number): Promise<{ latencies: number[]; wallMs: number }> {
  c.prepare(count);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await c.query();
    latencies.push(performance.now() - t0);
  }
  return { latencies, wallMs: performance.now() - started };
}

const fmt = (n: number, digits = 2): string => n.toFixed(digits);

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2));
  const ids = jobIds(config.jobs);
  const keys = {
    'dts-client': { accessKeyId: 'LTAI5tBenchDtsClient01', accessKeySecret: 'bench-secret-dts-client-01' },
    'pop-core': { accessKeyId: 'LTAI5tBenchPopCore0002', accessKeySecret: 'bench-secret-pop-core-0002' },
    floor: { accessKeyId: 'LTAI5tBenchFloor000003', accessKeySecret: 'bench-secret-floor-000003' },
  };
  const emu = await startEmulator({ scenario: benchScenario(ids, Object.values(keys)) });
  const contenders = [
    dtsClientContender(emu, ids, keys['dts-client']),
    popCoreContender(emu, ids, keys['pop-core']),
    floorContender(emu, ids, keys.floor),
  ];
  const connections = connectionCounter(emu);
  const opened = new Map<string, number>(contenders.map((c) => [c.name, 0]));
  const timed = async (c: Contender, count: number): Promise<{ latencies: number[]; wallMs: number }> => {
    const before = connections.current() ?? 0;
    const result = await segment(c, count);
    opened.set(c.name, (opened.get(c.name) ?? 0) + (connections.current() ?? 0) - before);
    return result;
  };
  const loadBefore = loadavg();
  try {
    // Warm-up (connections, JIT); also proves each contender is accepted by the emulator.
    for (let i = 0; i < contenders.length; i++) {
      await timed(contenders[i], Math.max(1, config.warmup));
    }
    const warm = emu.requests;
    for (const c of contenders) {
      const mine = warm.filter((q) => q.accessKeyId === c.key.accessKeyId);
      const refused = mine.filter((q) => q.outcome !== 'ok');
      if (mine.length === 0 || refused.length > 0) {
        throw new Error(`${c.name}: the emulator did not accept its requests: ${JSON.stringify(refused[0] ?? 'none seen')}`);
      }
      process.stdout.write(`# ${c.name}: accepted by the emulator (${(mine[0].signatureVersion ?? 'unsigned').toUpperCase()}, ${mine[0].method}, ${mine[0].jobIds?.length} job IDs read)\n`);
    }
    emu.clearRequests();

    const latencies = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    const wall = new Map<string, number>(contenders.map((c) => [c.name, 0]));
    const perRound: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < config.rounds; round++) {
      const count = Math.floor(config.queries / config.rounds) + (round < config.queries % config.rounds ? 1 : 0);
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
      for (const c of order) {
        const { latencies: l, wallMs } = await timed(c, count);
        latencies.get(c.name)?.push(...l);
        wall.set(c.name, (wall.get(c.name) ?? 0) + wallMs);
        perRound[c.name].push(median([...l].sort((a, b) => a - b)));
      }
    }

    const log = emu.requests;
    for (const c of contenders) {
      const mine = log.filter((q) => q.accessKeyId === c.key.accessKeyId);
      const bad = mine.filter((q) => q.outcome !== 'ok');
      if (mine.length !== config.queries || bad.length > 0) {
        throw new Error(`${c.name}: ${mine.length} requests logged (expected ${config.queries}), ${bad.length} not ok: ${JSON.stringify(bad[0])}`);
      }
    }

    const results = contenders.map((c) => ({ name: c.name, description: c.description, ...stats(latencies.get(c.name) ?? [], wall.get(c.name) ?? 0) }));
    const floor = results.find((r) => r.name === 'floor') ?? results[results.length - 1];
    const rows = results.map((r) => ({
      ...r,
      medianVsFloor: r.medianMs / floor.medianMs,
      p95VsFloor: r.p95Ms / floor.p95Ms,
      throughputVsFloor: r.queriesPerSecond / floor.queriesPerSecond,
      roundMediansMs: perRound[r.name],
      tcpConnectionsOpened: connections.current() === null ? null : opened.get(r.name) ?? 0,
    }));

    const header = ['implementation', 'median ms', 'p95 ms', 'mean ms', 'queries/s', 'median x floor', 'throughput x floor'];
    const table = [
      header,
      ...rows.map((r) => [
        r.name, fmt(r.medianMs, 3), fmt(r.p95Ms, 3), fmt(r.meanMs, 3), fmt(r.queriesPerSecond, 0), `${fmt(r.medianVsFloor)}x`, `${fmt(r.throughputVsFloor)}x`,
      ]),
    ];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    const lines = table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    const loadAfter = loadavg();
    process.stdout.write(
      `\nDescribeSynchronizationJobStatusList: ${config.queries} queries x ${config.jobs} jobs per implementation, ` +
        `${config.rounds} interleaved rounds, ${config.warmup} warm-up queries each\n` +
        `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadBefore.map((l) => fmt(l)).join(' ')} -> ${loadAfter.map((l) => fmt(l)).join(' ')}\n\n` +
        `${lines.join('\n')}\n\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `  ${r.name.padEnd(widths[0])}  ${r.description}\n` +
          `    TCP connections opened (warm-up + rounds): ${r.tcpConnectionsOpened ?? 'not measured'}; ` +
          `per-round medians ms: ${r.roundMediansMs.map((m) => fmt(m, 3)).join(' ')}\n`,
      );
    }

    mkdirSync(join(config.out, '..'), { recursive: true });
    writeFileSync(
      config.out,
      `${JSON.stringify(
        {
          benchmark: 'DescribeSynchronizationJobStatusList status query',
          date: new Date().toISOString(),
          config: { queries: config.queries, jobs: config.jobs, rounds: config.rounds, warmup: config.warmup },
          environment: {
            node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model,
            loadAverageBefore: loadBefore, loadAverageAfter: loadAfter,
            emulator: 'in-process (same event loop as the clients), http://127.0.0.1',
          },
          results: rows,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`\nwrote ${config.out}\n`);
  } finally {
    await Promise.all(contenders.map((c) => c.close()));
    await emu.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
