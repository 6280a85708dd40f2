import { jobKey, type JobSpec } from './jobs';
import type { Health } from './model';
import type { RefreshReason } from './poller';
import type { JobView } from './store';

/**
 * Which `DescribeSynchronizationJobStatus` calls a refresh makes (one job, one direction per call). The status list
 * already says how every direction is; details are for the directions that need explaining and, once an hour, for
 * the facts that hardly change (name, endpoints, pay type, expiry). Pure state, the clock injected.
 */

/** A direction that stays unhealthy is asked about again no sooner than this. */
export const STATUS_DETAILS_SPACING_MS = 5 * 60_000;
/** Each job's slow-changing facts are asked for once an hour. */
export const FACTS_SPACING_MS = 60 * 60_000;
/**
 * Facts calls per plan at most, so a long job list (up to MAX_JOBS) spreads its hourly facts over several refreshes
 * instead of sending hundreds of calls at once; status calls are never held back.
 */
export const MAX_FACTS_PER_PLAN = 20;
/** Details calls in flight at once per region, inside the per-(AccessKey, region) rate limiter every call passes. */
export const DETAILS_CONCURRENCY = 3;

/** Healths that need no explaining: their directions get no status details. */
const SETTLED: ReadonlySet<Health> = new Set<Health>(['ok', 'finished']);

export type DetailsKind = 'status' | 'facts';

export interface DetailsRequest {
  readonly job: JobSpec;
  /** The direction to ask about, as the status list sent it (`Forward`, `Reverse`). */
  readonly direction: string;
  /**
   * `status`: an unhealthy direction's reason, progress and precheck items. `facts`: the job's name, endpoints, pay
   * type and expiry. Every answer carries the facts too, so a `status` answer also stands for the job's facts.
   */
  readonly kind: DetailsKind;
}

interface DirectionState {
  /** The raw status (lowercase) the direction had when last asked about: a new status is asked about at once. */
  status: string;
  askedAt: number;
}

interface JobState {
  factsAskedAt?: number;
  /** The last facts answer failed (or none came yet): a manual refresh asks again without waiting the hour. */
  factsMissing: boolean;
  readonly directions: Map<string, DirectionState>;
}

export interface DetailsPolicyOptions {
  /** Milliseconds since the epoch; `Date.now` unless a test brings a fake clock. */
  readonly now?: () => number;
}

/**
 * Plans the details calls of each refresh. A direction is asked about when it becomes unhealthy (or its status
 * changes while unhealthy), then at most every 5 minutes while it stays so, and on every manual refresh. A job's
 * facts are asked for once an hour, healthy or not. A call counts from when it is planned, so a failed one is tried
 * again only at the normal spacing: a broken details call never loops, and it never touches the status list's data.
 */
export class DetailsPolicy {
  private readonly now: () => number;
  private readonly jobs = new Map<string, JobState>();

  constructor(options: DetailsPolicyOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The calls to make after a status-list refresh that produced `views` (the store's jobs, in order), and records
   * them as made. Jobs no longer configured are forgotten; jobs without a current status (not found, stale, or not
   * fetched yet) get no calls, since DTS could not answer for them either.
   */
  plan(views: readonly JobView[], reason: RefreshReason): DetailsRequest[] {
    const now = this.now();
    const manual = reason === 'manual';
    const configured = new Set(views.map((v) => jobKey(v.spec)));
    for (const key of [...this.jobs.keys()]) {
      if (!configured.has(key)) {
        this.jobs.delete(key);
      }
    }
    const requests: DetailsRequest[] = [];
    const factsDue: { request: DetailsRequest; state: JobState }[] = [];
    for (const view of views) {
      const status = view.status;
      if (!status?.found || view.stale || status.directions.length === 0) {
        continue;
      }
      const key = jobKey(view.spec);
      let state = this.jobs.get(key);
      if (!state) {
        state = { factsMissing: true, directions: new Map() };
        this.jobs.set(key, state);
      }
      let askedStatus = false;
      const present = new Set<string>();
      for (const d of status.directions) {
        present.add(d.direction);
        if (SETTLED.has(d.health)) {
          // Leaving the unhealthy state: entering it again is news worth asking about at once.
          state.directions.delete(d.direction);
          continue;
        }
        const statusKey = d.status.trim().toLowerCase();
        const previous = state.directions.get(d.direction);
        if (manual || !previous || previous.status !== statusKey || now - previous.askedAt >= STATUS_DETAILS_SPACING_MS) {
          state.directions.set(d.direction, { status: statusKey, askedAt: now });
          requests.push({ job: view.spec, direction: d.direction, kind: 'status' });
          askedStatus = true;
        }
      }
      for (const direction of [...state.directions.keys()]) {
        if (!present.has(direction)) {
          state.directions.delete(direction);
        }
      }
      if (askedStatus) {
        // The status answer carries the facts: no separate call this hour.
        state.factsAskedAt = now;
        continue;
      }
      const factsStale = state.factsAskedAt === undefined || now - state.factsAskedAt >= FACTS_SPACING_MS;
      if (factsStale || (manual && state.factsMissing)) {
        factsDue.push({ request: { job: view.spec, direction: status.directions[0].direction, kind: 'facts' }, state });
      }
    }
    // Never asked first, then the longest ago; the rest wait for a later refresh.
    factsDue.sort((a, b) => (a.state.factsAskedAt ?? -Infinity) - (b.state.factsAskedAt ?? -Infinity));
    for (const { request, state } of factsDue.slice(0, MAX_FACTS_PER_PLAN)) {
      state.factsAskedAt = now;
      requests.push(request);
    }
    return requests;
  }

  /**
   * What became of a planned call. Only the facts' state depends on it (a manual refresh re-asks for missing facts);
   * the spacing does not, so a failure is never retried sooner than a success would be.
   */
  settled(request: DetailsRequest, ok: boolean): void {
    const state = this.jobs.get(jobKey(request.job));
    if (state) {
      state.factsMissing = !ok;
    }
  }
}
