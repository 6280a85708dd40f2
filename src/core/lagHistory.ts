import { field, isObject } from './api/response';
import { jobKey, type JobSpec } from './jobs';

/**
 * Each direction's lag over time, for the details panel's chart: one sample per refresh, the last 24 hours, at most
 * 2,000 points per direction. Past the cap the older part is thinned by time bucket, keeping each bucket's highest
 * lag, so a spike survives while the flat stretches around it are merged. Time comes in with each sample.
 */

export const LAG_HISTORY_WINDOW_MS = 24 * 3_600_000;
export const MAX_POINTS_PER_DIRECTION = 2_000;
/** The history is saved in segments of this span (see lagHistoryStorage.ts): segment n holds [n, n + 1) × this. */
export const LAG_SEGMENT_MS = 3_600_000;

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

/** What a saved value may add: only samples after `after` and before `before` (ms), at most `maxSamples` a direction. */
export interface ReadBounds {
  readonly after?: number;
  readonly before?: number;
  readonly maxSamples?: number;
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
export const MAX_DIRECTIONS_PER_JOB = 4;

export class LagHistory {
  private readonly windowMs: number;
  private readonly maxPoints: number;
  /** jobKey → direction → samples, oldest first. Maps, so a `__proto__` job or direction is only a name. */
  private readonly jobs = new Map<string, { readonly spec: Pick<JobSpec, 'id' | 'region'>; readonly directions: Map<string, LagSample[]> }>();
  /** Segments (LAG_SEGMENT_MS) whose samples changed since `takeChangedSegments`: what a save has to write again. */
  private readonly changed = new Set<number>();
  /** Samples at or before this time (ms) have been dropped; a saved segment may still hold them. */
  private cutBefore = Number.NEGATIVE_INFINITY;
  /** No sample is older than this: moving the window's start up to it drops nothing, so no direction is looked at. */
  private earliest = Number.POSITIVE_INFINITY;

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
    // Before the window's start is ignored, as if it had been cut.
    if (!Number.isFinite(time) || time <= this.cutBefore) {
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
    this.earliest = Math.min(this.earliest, time);
    this.changed.add(segmentOf(time));
    this.advanceWindow(time - this.windowMs);
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
        for (const samples of entry.directions.values()) {
          this.markSegments(samples);
        }
        this.jobs.delete(key);
      }
    }
    this.advanceWindow(now.getTime() - this.windowMs);
  }

  /** The whole history in the saved form. */
  toPersisted(): PersistedLagHistory {
    return this.persisted(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  /** One segment's samples (those at or after `index` × LAG_SEGMENT_MS, before the next) in the saved form. */
  segment(index: number): PersistedLagHistory {
    return this.persisted(index * LAG_SEGMENT_MS, (index + 1) * LAG_SEGMENT_MS);
  }

  /** The segments changed since the last call, oldest first; the set starts empty again. */
  takeChangedSegments(): number[] {
    const changed = [...this.changed].sort((a, b) => a - b);
    this.changed.clear();
    return changed;
  }

  /** Marks segments as changed again (a save that failed). */
  markChanged(segments: Iterable<number>): void {
    for (const index of segments) {
      this.changed.add(index);
    }
  }

  /** Samples at or before this time (ms since the epoch) are gone, in every direction: the window's start. */
  get windowStart(): number {
    return this.cutBefore;
  }

  /** Moves the window's start to `time` (a saved one): what is at or before it is dropped and not recorded again. */
  forgetUntil(time: number): void {
    this.advanceWindow(time);
  }

  /**
   * A history from a saved one (an older version, a hand-edited or truncated file): anything malformed is skipped,
   * the rest is put back through the same bounds as live samples. Never throws.
   */
  static parsePersisted(value: unknown, options: LagHistoryOptions = {}): LagHistory {
    const history = new LagHistory(options);
    history.readPersisted(value);
    return history;
  }

  /**
   * Adds the samples of a saved value (version 1 or 2), skipping anything malformed or out of `bounds`; false when the
   * value is not one of those versions at all. Samples older than the newest already kept are ignored, as in `record`.
   */
  readPersisted(value: unknown, bounds: ReadBounds = {}): boolean {
    const version = isObject(value) ? field(value, 'version') : undefined;
    const jobs = isObject(value) ? field(value, 'jobs') : undefined;
    if ((version !== 1 && version !== 2) || !Array.isArray(jobs)) {
      return false;
    }
    const after = bounds.after ?? Number.NEGATIVE_INFINITY;
    const before = bounds.before ?? Number.POSITIVE_INFINITY;
    const maxSamples = bounds.maxSamples ?? Number.POSITIVE_INFINITY;
    for (const job of jobs as unknown[]) {
      if (!isObject(job)) {
        continue;
      }
      const [id, region, directions] = [field(job, 'id'), field(job, 'region'), field(job, 'directions')];
      if (typeof id !== 'string' || typeof region !== 'string' || !Array.isArray(directions)) {
        continue;
      }
      const spec = { id, region };
      for (const d of (directions as unknown[]).slice(0, MAX_DIRECTIONS_PER_JOB)) {
        const direction = isObject(d) ? field(d, 'direction') : undefined;
        if (!isObject(d) || typeof direction !== 'string' || direction.length > MAX_DIRECTION_LENGTH) {
          continue;
        }
        const pairs = version === 1 ? field(d, 'samples') : fromDeltas(field(d, 'start'), field(d, 't'), field(d, 'lag'), maxSamples);
        // Version 1 counts seconds, version 2 milliseconds.
        const scale = version === 1 ? 1000 : 1;
        if (!Array.isArray(pairs) || pairs.length > maxSamples) {
          continue;
        }
        const samples = (pairs as unknown[]).filter(isPersistedSample).sort((a, b) => a[0] - b[0]);
        for (const [time, lag] of samples) {
          const at = Math.round(time * scale);
          if (at > after && at < before) {
            this.record(spec, direction, new Date(at), lag);
          }
        }
      }
    }
    return true;
  }

  private persisted(from: number, to: number): PersistedLagHistory {
    const jobs: PersistedLagJob[] = [];
    for (const { spec, directions } of this.jobs.values()) {
      const saved: PersistedLagJob['directions'][number][] = [];
      for (const [direction, all] of directions) {
        const samples = from === Number.NEGATIVE_INFINITY && to === Number.POSITIVE_INFINITY ? all : all.slice(firstAtOrAfter(all, from), firstAtOrAfter(all, to));
        if (samples.length > 0) {
          saved.push({
            direction,
            start: samples[0].at,
            t: samples.map((s, i) => (i === 0 ? 0 : s.at - samples[i - 1].at)),
            lag: samples.map((s) => s.lagSeconds),
          });
        }
      }
      // A job with no sample in a segment is left out of it; the whole history keeps it, as before.
      if (saved.length > 0 || from === Number.NEGATIVE_INFINITY) {
        jobs.push({ id: spec.id, region: spec.region, directions: saved });
      }
    }
    return { version: 2, jobs };
  }

  private markSegments(samples: readonly LagSample[]): void {
    for (const sample of samples) {
      this.changed.add(segmentOf(sample.at));
    }
  }

  /**
   * Moves the window's start later, for every direction at once (one window for the whole history, so a saved one
   * can say where it starts). Segments are not marked: a saved segment's samples before the start are skipped on
   * reading, so the hour the window starts in is not written again at every save.
   */
  private advanceWindow(start: number): void {
    if (!(start > this.cutBefore)) {
      return;
    }
    this.cutBefore = start;
    if (start < this.earliest) {
      return;
    }
    this.earliest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.jobs) {
      for (const [direction, samples] of entry.directions) {
        this.cut(samples, start);
        if (samples.length === 0) {
          entry.directions.delete(direction);
        } else {
          this.earliest = Math.min(this.earliest, samples[0].at);
        }
      }
      if (entry.directions.size === 0) {
        this.jobs.delete(key);
      }
    }
  }

  /** Drops samples at or before `start`. */
  private cut(samples: LagSample[], start: number): void {
    if (samples.length === 0 || samples[0].at > start) {
      return;
    }
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
      } else {
        // Either this sample or the one kept so far is dropped: its segment changes.
        this.changed.add(segmentOf(sample.at));
        if (higher(sample, kept[kept.length - 1])) {
          this.changed.add(segmentOf(kept[kept.length - 1].at));
          kept[kept.length - 1] = sample;
        }
      }
    }
    return [...kept, ...recent];
  }
}

function segmentOf(time: number): number {
  return Math.floor(time / LAG_SEGMENT_MS);
}

/** The index of the first sample at or after `time` (samples in time order). */
function firstAtOrAfter(samples: readonly LagSample[], time: number): number {
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (samples[mid].at < time) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

function higher(a: LagSample, b: LagSample): boolean {
  return a.lagSeconds !== null && (b.lagSeconds === null || a.lagSeconds > b.lagSeconds);
}

/** Version 2's columns back into `[ms since the epoch, lag]` pairs; undefined when they are not columns of one length. */
function fromDeltas(start: unknown, t: unknown, lag: unknown, maxLength = Number.POSITIVE_INFINITY): unknown[] | undefined {
  if (typeof start !== 'number' || !Number.isFinite(start) || !Array.isArray(t) || !Array.isArray(lag) || t.length !== lag.length || t.length > maxLength) {
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
