import { field, isObject, type Json } from './api/response';
import { LAG_HISTORY_WINDOW_MS, LAG_SEGMENT_MS, LagHistory, MAX_DIRECTIONS_PER_JOB, MAX_POINTS_PER_DIRECTION, type LagHistoryOptions } from './lagHistory';

/**
 * Keeps the lag history in a key-value store one hour per key (files in the extension's global storage folder, see
 * src/vscode/lagHistoryFiles.ts), so a save writes only the hours whose samples changed (the newest one, usually)
 * instead of the whole day. Saved form version 3: an index key
 * `{ version: 3, windowStart, segments }` listing the hours (segment numbers, LAG_SEGMENT_MS each) that have a key,
 * and per hour a key holding that hour's samples in the version 2 form. Samples at or before `windowStart` are gone
 * even if a segment still holds them (the window moves every minute; the segment is not written again for that).
 * The whole-value form of earlier versions (1 and 2, one key) is read once and replaced.
 */

/** What the history is kept in: files, VS Code's Memento, or a fake. `keys` lets a save remove segments nothing lists. */
export interface KeyValueState {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void> | void;
  keys?(): readonly string[];
}

/** Where versions 1 and 2 kept the whole history (in globalState). */
export const LAG_HISTORY_LEGACY_KEY = 'dtsSync.lagHistory';
export const LAG_HISTORY_INDEX_KEY = 'dtsSync.lagHistory.index';
const SEGMENT_KEY_PREFIX = 'dtsSync.lagHistory.h';

/** A saved segment listing more jobs than this is not read. */
const MAX_SEGMENT_JOBS = 10_000;
/** Samples read back at most, all segments together: 1,000 two-way jobs at 2,000 points a direction. */
export const MAX_RESTORED_SAMPLES = 4_000_000;
const OVER_BUDGET = Symbol('over budget');
/** A saved sample this much later than the clock is still read (another machine's clock, a clock set back a little). */
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

export function segmentKey(index: number): string {
  return `${SEGMENT_KEY_PREFIX}${index}`;
}

export class LagHistoryStorage {
  /** The segments that have a key (as far as this storage wrote or read them). */
  private saved = new Set<number>();
  /** The key of version 1 or 2 is still there: the next save removes it. */
  private legacy = false;
  /** Keys under the prefix that no index lists (another window's, a crash's) are removed at the first save. */
  private swept = false;
  /** What was read is not yet in the current form (a version 2 value to migrate, a segment to rewrite). */
  private pendingChanges = false;
  private readonly windowMs: number;
  private readonly maxPoints: number;

  constructor(
    private readonly state: KeyValueState,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly options: LagHistoryOptions = {},
  ) {
    this.windowMs = options.windowMs ?? LAG_HISTORY_WINDOW_MS;
    this.maxPoints = options.maxPoints ?? MAX_POINTS_PER_DIRECTION;
  }

  /** True when what was read is not yet in the current form (a version 2 value to migrate, a segment to rewrite). */
  get needsSave(): boolean {
    return this.pendingChanges;
  }

  /**
   * Reads the saved history, validated as hostile: anything malformed is skipped with a log line. Never throws.
   * Samples later than `now` (ms, give or take a few minutes of clock skew) are skipped: one in the future would move
   * the window past every sample recorded from now on.
   */
  restore(now = Number.POSITIVE_INFINITY): LagHistory {
    const history = new LagHistory(this.options);
    const index = this.state.get(LAG_HISTORY_INDEX_KEY);
    const legacy = this.state.get(LAG_HISTORY_LEGACY_KEY);
    const latest = now + MAX_CLOCK_SKEW_MS;
    this.legacy = legacy !== undefined;
    if (index === undefined) {
      if (legacy !== undefined && !history.readPersisted(legacy, { before: latest })) {
        this.warn('The saved lag history is not one this version reads; starting an empty one');
      }
      // Everything read from the old key is written again as segments at the next save.
      this.pendingChanges = this.legacy;
      return history;
    }
    const parsed = parseIndex(index, this.maxSegments(), now - this.windowMs);
    if (!parsed) {
      this.warn('The saved lag history is not one this version reads; starting an empty one');
      this.pendingChanges = true;
      return history;
    }
    const unreadable: number[] = [];
    let budget = MAX_RESTORED_SAMPLES;
    // Newest first, so a budget spent leaves out the oldest hours; read back oldest first.
    const values = new Map<number, unknown>();
    for (const segment of [...parsed.segments].reverse()) {
      this.saved.add(segment);
      const value = this.state.get(segmentKey(segment));
      const count = isSegment(value) ? sampleCount(value) : 0;
      budget -= count;
      values.set(segment, budget >= 0 ? value : OVER_BUDGET);
    }
    for (const segment of parsed.segments) {
      const value = values.get(segment);
      if (value === OVER_BUDGET) {
        this.warn(`The saved lag history's segment ${segmentKey(segment)} is past the ${MAX_RESTORED_SAMPLES} samples read back; skipped`);
        unreadable.push(segment);
        continue;
      }
      const read =
        isSegment(value) &&
        history.readPersisted(value, {
          after: Math.max(parsed.windowStart, segment * LAG_SEGMENT_MS - 1),
          before: Math.min((segment + 1) * LAG_SEGMENT_MS, latest),
          maxSamples: this.maxPoints,
        });
      if (!read) {
        this.warn(`The saved lag history's segment ${segmentKey(segment)} is missing or malformed; skipped`);
        unreadable.push(segment);
      }
    }
    history.forgetUntil(parsed.windowStart);
    history.takeChangedSegments();
    // A skipped segment is written again (or removed) at the next save.
    history.markChanged(unreadable);
    this.pendingChanges = unreadable.length > 0 || this.legacy || parsed.trimmed;
    return history;
  }

  /**
   * Writes the segments whose samples changed, then the index, then removes the segments that emptied or fell out of
   * the window; resolves once every write is done. A failed save leaves the changed segments marked for the next one.
   */
  async save(history: LagHistory): Promise<void> {
    const changed = history.takeChangedSegments();
    const windowStart = history.windowStart;
    const next = new Set(this.saved);
    const writes: (PromiseLike<void> | void)[] = [];
    const removed: number[] = [];
    for (const segment of changed) {
      const value = history.segment(segment);
      if (value.jobs.length > 0) {
        writes.push(this.state.update(segmentKey(segment), value));
        next.add(segment);
      } else if (next.delete(segment)) {
        removed.push(segment);
      }
    }
    for (const segment of next) {
      if ((segment + 1) * LAG_SEGMENT_MS - 1 <= windowStart) {
        next.delete(segment);
        removed.push(segment);
      }
    }
    const segments = [...next].sort((a, b) => a - b);
    // The index after the segments it lists, the removals after the index: a save cut short never lists a missing key.
    writes.push(this.state.update(LAG_HISTORY_INDEX_KEY, { version: 3, windowStart: Number.isFinite(windowStart) ? windowStart : 0, segments }));
    for (const segment of removed) {
      writes.push(this.state.update(segmentKey(segment), undefined));
    }
    if (this.legacy) {
      writes.push(this.state.update(LAG_HISTORY_LEGACY_KEY, undefined));
    }
    if (!this.swept && this.state.keys) {
      for (const key of this.state.keys()) {
        if (key.startsWith(SEGMENT_KEY_PREFIX) && !segments.some((s) => segmentKey(s) === key) && !removed.some((s) => segmentKey(s) === key)) {
          writes.push(this.state.update(key, undefined));
        }
      }
    }
    try {
      await Promise.all(writes);
    } catch (e) {
      history.markChanged(changed);
      // Whether the removals happened is unknown: they are tried again.
      this.saved = new Set([...next, ...removed]);
      throw e;
    }
    this.saved = next;
    this.legacy = false;
    this.swept = true;
    this.pendingChanges = false;
  }

  /** The hours a window touches, and one more for a save that ran a little late. */
  private maxSegments(): number {
    return Math.ceil(this.windowMs / LAG_SEGMENT_MS) + 2;
  }
}

/**
 * The index, or undefined when it is not one; at most `maxSegments` segments (the newest), each a whole number; the
 * window's start no later than `latestStart`.
 */
function parseIndex(value: unknown, maxSegments: number, latestStart: number): { windowStart: number; segments: number[]; trimmed: boolean } | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const version = field(value, 'version');
  const windowStart = field(value, 'windowStart');
  const segments = field(value, 'segments');
  if (version !== 3 || typeof windowStart !== 'number' || !Number.isFinite(windowStart) || !Array.isArray(segments)) {
    return undefined;
  }
  const valid = new Set<number>();
  // Only the first entries of a huge list are looked at.
  for (const segment of (segments as unknown[]).slice(0, 4 * maxSegments)) {
    if (typeof segment === 'number' && Number.isSafeInteger(segment) && Math.abs(segment) < 1e9) {
      valid.add(segment);
    }
  }
  const sorted = [...valid].sort((a, b) => a - b);
  const kept = sorted.slice(-maxSegments);
  return { windowStart: Math.min(windowStart, latestStart), segments: kept, trimmed: kept.length !== segments.length };
}

/** How many samples a segment says it holds (what reading it would at most record). */
function sampleCount(segment: Json): number {
  let count = 0;
  for (const job of field(segment, 'jobs') as unknown[]) {
    const directions = isObject(job) ? field(job, 'directions') : undefined;
    for (const d of Array.isArray(directions) ? (directions as unknown[]).slice(0, MAX_DIRECTIONS_PER_JOB) : []) {
      const t = isObject(d) ? field(d, 't') : undefined;
      count += Array.isArray(t) ? t.length : 0;
    }
  }
  return count;
}

/** A segment is version 2 of the whole form, with a bounded number of jobs. */
function isSegment(value: unknown): value is Json {
  if (!isObject(value)) {
    return false;
  }
  const jobs = field(value, 'jobs');
  return field(value, 'version') === 2 && Array.isArray(jobs) && jobs.length <= MAX_SEGMENT_JOBS;
}
