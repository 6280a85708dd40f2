import { jobKey, type JobSpec } from './jobs';

/**
 * Each direction's lag over time, for the details panel's chart: one sample per refresh, the last 24 hours, at most
 * 2,000 points per direction. Past the cap the older part is thinned by time bucket, keeping each bucket's highest
 * lag, so a spike survives while the flat stretches around it are merged. Time comes in with each sample.
 */

export const LAG_HISTORY_WINDOW_MS = 24 * 3_600_000;
export const MAX_POINTS_PER_DIRECTION = 2_000;

export interface LagSample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Null when the lag was unknown (no checkpoint): a gap in the chart. */
  readonly lagSeconds: number | null;
}

export interface LagHistoryOptions {
  readonly windowMs?: number;
  readonly maxPoints?: number;
}

/**
 * The saved form (version 2): per job and direction, the first sample's time in milliseconds since the epoch, then
 * each sample's milliseconds after the one before (`t`, the first 0) and its lag in seconds or null (`lag`), oldest
 * first. About half the size of version 1's `[UNIX seconds, lag]` pairs (still read).
 */
export interface PersistedLagHistory {
  readonly version: 2;
  readonly jobs: readonly PersistedLagJob[];
}

interface PersistedLagJob {
  readonly id: string;
  readonly region: string;
  readonly directions: readonly {
    readonly direction: string;
    readonly start: number;
    readonly t: readonly number[];
    readonly lag: readonly (number | null)[];
  }[];
}

/** Longer direction names are not the API's and not worth keeping from a saved file. */
const MAX_DIRECTION_LENGTH = 64;
/** A job has two directions; a saved file claiming more is not trusted beyond a few. */
const MAX_DIRECTIONS_PER_JOB = 4;

export class LagHistory {
  private readonly windowMs: number;
  private readonly maxPoints: number;
  /** jobKey → direction → samples, oldest first. Maps, so a `__proto__` job or direction is only a name. */
  private readonly jobs = new Map<string, { readonly spec: Pick<JobSpec, 'id' | 'region'>; readonly directions: Map<string, LagSample[]> }>();

  constructor(options: LagHistoryOptions = {}) {
    this.windowMs = options.windowMs ?? LAG_HISTORY_WINDOW_MS;
    // Room for a recent half at full resolution and an older quarter of buckets (see compact).
    this.maxPoints = Math.max(4, Math.floor(options.maxPoints ?? MAX_POINTS_PER_DIRECTION));
  }

  /**
   * Adds one sample. A sample older than the newest one already kept is ignored (the history stays in time order);
   * one at the same time replaces it. A lag that is not a finite number of seconds is recorded as unknown.
   */
  record(job: Pick<JobSpec, 'id' | 'region'>, direction: string, at: Date, lagSeconds: number | null): void {
    const time = at.getTime();
    if (!Number.isFinite(time)) {
      return;
    }
    const lag = lagSeconds !== null && Number.isFinite(lagSeconds) && lagSeconds >= 0 ? lagSeconds : null;
    const key = jobKey(job);
    let entry = this.jobs.get(key);
    if (!entry) {
      entry = { spec: { id: job.id, region: job.region }, directions: new Map() };
      this.jobs.set(key, entry);
    }
    let samples = entry.directions.get(direction);
    if (!samples) {
      samples = [];
      entry.directions.set(direction, samples);
    }
    const last = samples[samples.length - 1];
    if (last && time < last.at) {
      return;
    }
    if (last && time === last.at) {
      samples.pop();
    }
    samples.push({ at: time, lagSeconds: lag });
    this.cut(samples, time);
    if (samples.length > this.maxPoints) {
      entry.directions.set(direction, this.compact(samples));
    }
  }

  /** A direction's samples, oldest first (empty when there are none). */
  samples(job: Pick<JobSpec, 'id' | 'region'>, direction: string): readonly LagSample[] {
    return this.jobs.get(jobKey(job))?.directions.get(direction) ?? [];
  }

  /** The directions a job has samples for, in the order they were first recorded. */
  directions(job: Pick<JobSpec, 'id' | 'region'>): readonly string[] {
    return [...(this.jobs.get(jobKey(job))?.directions.keys() ?? [])];
  }

  /** Forgets jobs no longer configured and samples older than the window before `now`. */
  retain(jobs: readonly Pick<JobSpec, 'id' | 'region'>[], now: Date): void {
    const keep = new Set(jobs.map(jobKey));
    for (const [key, entry] of this.jobs) {
      if (!keep.has(key)) {
        this.jobs.delete(key);
        continue;
      }
      for (const [direction, samples] of entry.directions) {
        this.cut(samples, now.getTime());
        if (samples.length === 0) {
          entry.directions.delete(direction);
        }
      }
    }
  }

  toPersisted(): PersistedLagHistory {
    return {
      version: 2,
      jobs: [...this.jobs.values()].map(({ spec, directions }) => ({
        id: spec.id,
        region: spec.region,
        directions: [...directions].filter(([, samples]) => samples.length > 0).map(([direction, samples]) => {
          return {
            direction,
            start: samples[0].at,
            t: samples.map((s, i) => (i === 0 ? 0 : s.at - samples[i - 1].at)),
            lag: samples.map((s) => s.lagSeconds),
          };
        }),
      })),
    };
  }

  /**
   * A history from a saved one (an older version, a hand-edited or truncated file): anything malformed is skipped,
   * the rest is put back through the same bounds as live samples. Never throws.
   */
  static parsePersisted(value: unknown, options: LagHistoryOptions = {}): LagHistory {
    const history = new LagHistory(options);
    if (!isRecord(value) || (value['version'] !== 1 && value['version'] !== 2) || !Array.isArray(value['jobs'])) {
      return history;
    }
    const version = value['version'];
    for (const job of value['jobs'] as unknown[]) {
      if (!isRecord(job) || typeof job['id'] !== 'string' || typeof job['region'] !== 'string' || !Array.isArray(job['directions'])) {
        continue;
      }
      const spec = { id: job['id'], region: job['region'] };
      for (const d of (job['directions'] as unknown[]).slice(0, MAX_DIRECTIONS_PER_JOB)) {
        if (!isRecord(d) || typeof d['direction'] !== 'string' || d['direction'].length > MAX_DIRECTION_LENGTH) {
          continue;
        }
        const pairs = version === 1 ? d['samples'] : fromDeltas(d['start'], d['t'], d['lag']);
        // Version 1 counts seconds, version 2 milliseconds.
        const scale = version === 1 ? 1000 : 1;
        if (!Array.isArray(pairs)) {
          continue;
        }
        const samples = (pairs as unknown[]).filter(isPersistedSample).sort((a, b) => a[0] - b[0]);
        for (const [time, lag] of samples) {
          history.record(spec, d['direction'], new Date(Math.round(time * scale)), lag);
        }
      }
    }
    return history;
  }

  /** Drops samples at or before the window's start: the window ends at `now`. */
  private cut(samples: LagSample[], now: number): void {
    const start = now - this.windowMs;
    let drop = 0;
    while (drop < samples.length && samples[drop].at <= start) {
      drop++;
    }
    if (drop > 0) {
      samples.splice(0, drop);
    }
  }

  /**
   * Keeps the newest half as it is and thins the older part to a quarter of the cap: equal time buckets, each
   * represented by its highest-lag sample (unknown only when all of it was unknown). Ending at three quarters of the
   * cap leaves room for a quarter of new samples before the next compaction, so recording stays cheap.
   */
  private compact(samples: readonly LagSample[]): LagSample[] {
    const recentCount = Math.floor(this.maxPoints / 2);
    const buckets = Math.floor(this.maxPoints / 4);
    const older = samples.slice(0, samples.length - recentCount);
    const recent = samples.slice(samples.length - recentCount);
    const first = older[0].at;
    const span = older[older.length - 1].at - first;
    // Width so that every older sample's bucket index is below `buckets`.
    const width = Math.floor(span / buckets) + 1;
    const kept: LagSample[] = [];
    let bucket = -1;
    for (const sample of older) {
      const index = Math.floor((sample.at - first) / width);
      if (index !== bucket) {
        kept.push(sample);
        bucket = index;
      } else if (higher(sample, kept[kept.length - 1])) {
        kept[kept.length - 1] = sample;
      }
    }
    return [...kept, ...recent];
  }
}

function higher(a: LagSample, b: LagSample): boolean {
  return a.lagSeconds !== null && (b.lagSeconds === null || a.lagSeconds > b.lagSeconds);
}

/** Version 2's columns back into `[ms since the epoch, lag]` pairs; undefined when they are not columns of one length. */
function fromDeltas(start: unknown, t: unknown, lag: unknown): unknown[] | undefined {
  if (typeof start !== 'number' || !Number.isFinite(start) || !Array.isArray(t) || !Array.isArray(lag) || t.length !== lag.length) {
    return undefined;
  }
  const pairs: unknown[] = [];
  let at = start;
  for (let i = 0; i < t.length; i++) {
    const delta: unknown = t[i];
    if (typeof delta !== 'number' || !Number.isFinite(delta) || delta < 0) {
      return pairs;
    }
    at += delta;
    pairs.push([at, lag[i]]);
  }
  return pairs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPersistedSample(value: unknown): value is [number, number | null] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    Number.isFinite(value[0]) &&
    Math.abs(value[0]) < 1e14 &&
    (value[1] === null || (typeof value[1] === 'number' && Number.isFinite(value[1]) && value[1] >= 0))
  );
}
