/**
 * What one save of the lag history costs (`npm run bench:history`): 50 two-way jobs refreshed every 60 s for a day,
 * then one more refresh and a save, and so on for an hour of refreshes. Three ways of saving, each with its own copy of
 * the same history, their saves alternating:
 *
 * - before: the whole history as one globalState value (version 2), as the previous version did;
 * - hour keys in globalState: this version's LagHistoryStorage over globalState;
 * - hour files: this version's LagHistoryStorage over LagHistoryFiles (a temporary folder), what the extension uses.
 *
 * globalState is modelled on VS Code 1.100's ExtensionMemento: `update` copies the value through JSON, then (once per
 * tick) the extension's whole state is sent to the main side, which stores it as one JSON value. "Bytes" are what goes
 * through IPC and into the state database per save (for files: the bytes of the files written). CPU is
 * `process.cpuUsage()` around the save, the state's serialization and the file writes included.
 *
 *   npm run bench:history -- --jobs 50 --rounds 60
 *
 * Not part of `npm test`; no timing is asserted anywhere.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { LagHistory } from '../../src/core/lagHistory';
import { LAG_HISTORY_LEGACY_KEY, LagHistoryStorage, type KeyValueState } from '../../src/core/lagHistoryStorage';
import { LagHistoryFiles } from '../../src/vscode/lagHistoryFiles';

/** VS Code's ExtensionMemento, as far as cost goes: the whole extension state is serialized once per flush. */
class MementoModel implements KeyValueState {
  private readonly value: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  private dirty = false;

  get(key: string): unknown {
    return this.value[key];
  }

  update(key: string, value: unknown): Promise<void> {
    this.value[key] = value !== null && typeof value === 'object' ? (JSON.parse(JSON.stringify(value)) as unknown) : value;
    this.dirty = true;
    return Promise.resolve();
  }

  keys(): readonly string[] {
    return Object.keys(this.value).filter((k) => this.value[k] !== undefined);
  }

  /** What the scheduled setValue sends: the whole state, as one JSON text. Bytes sent, 0 when nothing changed. */
  flush(): number {
    if (!this.dirty) {
      return 0;
    }
    this.dirty = false;
    return this.size();
  }

  /** The bytes any update of any other key (the status snapshot, at most refreshes) sends along. */
  size(): number {
    return Buffer.byteLength(JSON.stringify(this.value));
  }
}

/** Counts the bytes of every file written. */
class CountingFiles extends LagHistoryFiles {
  bytes = 0;
  override update(key: string, value: unknown): Promise<void> {
    if (value !== undefined) {
      this.bytes += Buffer.byteLength(JSON.stringify(value));
    }
    return super.update(key, value);
  }
}

interface Contender {
  readonly name: string;
  readonly history: LagHistory;
  /** Saves; resolves to the bytes written. */
  save(): Promise<number>;
  /** What the history adds to every other globalState update. */
  carried(): number;
  readonly cpu: number[];
  readonly bytes: number[];
}

/** A small seeded generator: every contender sees the same lags. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { jobs: { type: 'string' }, rounds: { type: 'string' } } });
  const jobCount = Number(values.jobs ?? 50);
  const rounds = Number(values.rounds ?? 60);
  const jobs = Array.from({ length: jobCount }, (_, i) => ({ id: `dtsbench${String(i).padStart(5, '0')}x7`, region: 'cn-hangzhou' }));
  // A day of refreshes ending just after an hour starts, as a window opened mid-morning would.
  let clock = Date.UTC(2026, 10, 29, 10, 0, 7);
  const next = random(12);
  /** One refresh: every direction's lag, at the refresh's time give or take the query's few hundred ms. */
  const refresh = (): { at: number; lags: (number | null)[] } => {
    clock += 60_000;
    const at = clock + Math.floor(next() * 400);
    return { at, lags: jobs.flatMap(() => [next() < 0.02 ? null : Math.floor(next() * 40), Math.floor(next() * 900)]) };
  };
  const apply = (history: LagHistory, r: { at: number; lags: (number | null)[] }): void => {
    jobs.forEach((job, i) => {
      history.record(job, 'Forward', new Date(r.at), r.lags[2 * i]);
      history.record(job, 'Reverse', new Date(r.at), r.lags[2 * i + 1]);
    });
    history.retain(jobs, new Date(r.at + 500));
  };

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dts-history-bench-'));
  const before = new MementoModel();
  const keys = new MementoModel();
  const legacy = new MementoModel();
  const files = new CountingFiles(path.join(folder, 'lagHistory'), legacy);
  const keysStorage = new LagHistoryStorage(keys);
  const filesStorage = new LagHistoryStorage(files);
  const contenders: Contender[] = [
    {
      name: 'before: one globalState value',
      history: new LagHistory(),
      async save() {
        await before.update(LAG_HISTORY_LEGACY_KEY, this.history.toPersisted());
        return before.flush();
      },
      carried: () => before.size(),
      cpu: [],
      bytes: [],
    },
    {
      name: 'hour keys in globalState',
      history: new LagHistory(),
      async save() {
        await keysStorage.save(this.history);
        return keys.flush();
      },
      carried: () => keys.size(),
      cpu: [],
      bytes: [],
    },
    {
      name: 'hour files (this version)',
      history: new LagHistory(),
      async save() {
        const start = files.bytes;
        await filesStorage.save(this.history);
        return files.bytes - start;
      },
      carried: () => legacy.size(),
      cpu: [],
      bytes: [],
    },
  ];

  for (let m = 0; m < 24 * 60; m++) {
    const r = refresh();
    for (const c of contenders) {
      apply(c.history, r);
    }
  }
  // The first save of each writes everything (a migration, for the hour files): not counted.
  for (const c of contenders) {
    await c.save();
  }
  const points = contenders[0].history.samples(jobs[0], 'Forward').length;
  for (let round = 0; round < rounds; round++) {
    const r = refresh();
    // Alternate who goes first: no contender always runs on a warmer or a colder machine.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      apply(c.history, r);
      const cpu = process.cpuUsage();
      const bytes = await c.save();
      const used = process.cpuUsage(cpu);
      c.cpu.push((used.user + used.system) / 1000);
      c.bytes.push(bytes);
    }
  }
  fs.rmSync(folder, { recursive: true, force: true });

  const base = contenders[0];
  const lines = [
    `${jobCount} two-way jobs, one refresh a minute for a day (${points} points a direction), then ${rounds} more refreshes, each followed by a save; node ${process.version}`,
    `${'contender'.padEnd(30)} ${'first save'.padStart(11)} ${'median save'.padStart(12)} ${'max save'.padStart(10)} ${'per day'.padStart(10)} ${'CPU median'.padStart(11)} ${'vs before'.padStart(10)} ${'in globalState'.padStart(15)}`,
    ...contenders.map((c) => {
      const mean = c.bytes.reduce((a, b) => a + b, 0) / c.bytes.length;
      return (
        `${c.name.padEnd(30)} ${kb(c.bytes[0]).padStart(11)} ${kb(median(c.bytes)).padStart(12)} ${kb(Math.max(...c.bytes)).padStart(10)} ` +
        `${`${((mean * 24 * 60) / 1024 / 1024).toFixed(1)} MB`.padStart(10)} ${`${median(c.cpu).toFixed(2)} ms`.padStart(11)} ` +
        `${`${(median(c.cpu) / median(base.cpu)).toFixed(2)}x`.padStart(10)} ${kb(c.carried()).padStart(15)}`
      );
    }),
    'bytes: through IPC and into the state database (globalState), or into files; per day: the mean save x 1,440;',
    'in globalState: what the history adds to every other globalState update (the status snapshot is saved at most refreshes)',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
