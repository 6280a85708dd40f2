import * as l10n from '@vscode/l10n';
import type { DtsError } from './api/errors';
import type { JobListing, ListedJob } from './api/jobList';
import { DEFAULT_ACCOUNT, jobIdProblem, jobKey, MAX_JOBS, type JobSpec } from './jobs';
import type { Log } from './log';
import type { WatchedRegion } from './settings';

/** How often a watched region's job list is read again (statuses keep the normal interval). */
export const REGION_RELIST_MS = 10 * 60_000;

export interface RegionWatcherDeps {
  /** Every page of one region's sync jobs with the account's credentials, as far as they could be read. */
  readonly list: (account: string, region: string, signal: AbortSignal | undefined) => Promise<JobListing>;
  readonly log: Log;
  readonly now?: () => number;
  readonly relistMs?: number;
}

interface RegionState {
  readonly watched: WatchedRegion;
  /** The jobs of the last listing that read something, in the order DTS listed them; empty before the first. */
  jobs: ListedJob[];
  /** When the last listing was attempted; undefined: never. */
  listedAt?: number;
  /** The last listing's failure, until one succeeds. */
  error?: DtsError | Error;
}

export interface RegionFailure {
  readonly region: string;
  readonly account: string;
  readonly message: string;
}

function regionKey(w: WatchedRegion): string {
  return `${w.account}\u0000${w.region}`;
}

/**
 * Watches whole regions (`dtsSync.watchRegions`): reads each region's job list when it is first watched, every
 * REGION_RELIST_MS after that and on a manual refresh, and turns it into jobs to watch beside the configured ones.
 * A listing that failed midway adds what it read and removes nothing; a complete one removes the jobs that left the
 * region, with a log line. The configured entry of a job wins (its name, its account).
 */
export class RegionWatcher {
  private readonly regions = new Map<string, RegionState>();
  private readonly now: () => number;
  private readonly relistMs: number;

  constructor(private readonly deps: RegionWatcherDeps) {
    this.now = deps.now ?? Date.now;
    this.relistMs = deps.relistMs ?? REGION_RELIST_MS;
  }

  /**
   * Follows the setting (regions no longer watched are dropped), lists the regions that are due (all when `force`),
   * and says whether the jobs to watch changed. Never throws; failures are kept for `failures()`.
   */
  async update(watch: readonly WatchedRegion[], force: boolean, signal?: AbortSignal): Promise<boolean> {
    const changed = this.follow(watch);
    const now = this.now();
    const due = [...this.regions.values()].filter((s) => force || s.listedAt === undefined || now - s.listedAt >= this.relistMs);
    const results = await Promise.all(due.map((state) => this.relist(state, signal)));
    return changed || results.some(Boolean);
  }

  /** Follows the setting without listing: regions no longer watched are dropped with their jobs. Says whether any went. */
  follow(watch: readonly WatchedRegion[]): boolean {
    const wanted = new Map(watch.map((w) => [regionKey(w), w]));
    let changed = false;
    for (const key of [...this.regions.keys()]) {
      if (!wanted.has(key)) {
        changed ||= (this.regions.get(key)?.jobs.length ?? 0) > 0;
        this.regions.delete(key);
      }
    }
    for (const [key, watched] of wanted) {
      if (!this.regions.has(key)) {
        this.regions.set(key, { watched, jobs: [] });
      }
    }
    return changed;
  }

  private async relist(state: RegionState, signal: AbortSignal | undefined): Promise<boolean> {
    const { region, account } = state.watched;
    const where = account === DEFAULT_ACCOUNT ? region : `${region} (account ${account})`;
    const firstListing = state.listedAt === undefined;
    state.listedAt = this.now();
    let listing: JobListing;
    try {
      listing = await this.deps.list(account, region, signal);
    } catch (caught) {
      state.error = caught instanceof Error ? caught : new Error(String(caught));
      this.deps.log.warn(`[refresh] could not list the jobs of ${where}: ${state.error.message}`);
      return false;
    }
    for (const note of listing.notes) {
      this.deps.log.warn(`[refresh] ${where}: ${note}`);
    }
    const usable = listing.jobs.filter((job) => jobIdProblem(job.jobId) === undefined && job.region === region);
    const before = new Map(state.jobs.map((job) => [job.jobId, job]));
    const listed = new Map(usable.map((job) => [job.jobId, job]));
    let next: ListedJob[];
    if (listing.error || !listing.complete) {
      state.error = listing.error ?? new Error(`the listing stopped after ${listing.pages} pages`);
      this.deps.log.warn(`[refresh] the job list of ${where} is incomplete (${state.error.message}); no job is removed`);
      next = [...state.jobs.map((job) => listed.get(job.jobId) ?? job), ...usable.filter((job) => !before.has(job.jobId))];
    } else {
      state.error = undefined;
      for (const [id] of before) {
        if (!listed.has(id)) {
          this.deps.log.info(`[refresh] DTS job ${id} is no longer listed in ${where}; it is no longer watched`);
        }
      }
      next = usable;
    }
    const added = next.filter((job) => !before.has(job.jobId));
    if (added.length > 0 && !firstListing) {
      this.deps.log.info(`[refresh] ${added.length} new job(s) in ${where}: ${added.map((j) => j.jobId).join(', ')}`);
    }
    const changed =
      next.length !== state.jobs.length || next.some((job, i) => job.jobId !== state.jobs[i]?.jobId || job.name !== state.jobs[i]?.name);
    state.jobs = next;
    return changed;
  }

  /**
   * The configured jobs, then every listed job not configured (named as DTS names it, with the watched region's
   * account), capped at MAX_JOBS in all. `capped` counts the listed jobs left out.
   */
  merge(configured: readonly JobSpec[]): { jobs: JobSpec[]; capped: number } {
    const jobs = [...configured];
    const seen = new Set(configured.map(jobKey));
    let capped = 0;
    for (const state of this.regions.values()) {
      const { account } = state.watched;
      for (const listed of state.jobs) {
        const spec: JobSpec = {
          id: listed.jobId,
          region: listed.region,
          ...(listed.name ? { name: listed.name } : {}),
          ...(account === DEFAULT_ACCOUNT ? {} : { account }),
        };
        const key = jobKey(spec);
        if (seen.has(key)) {
          continue;
        }
        seen.add(key);
        if (jobs.length >= MAX_JOBS) {
          capped++;
          continue;
        }
        jobs.push(spec);
      }
    }
    return { jobs, capped };
  }

  /** The regions whose last listing failed, with a message safe to show. */
  failures(): RegionFailure[] {
    return [...this.regions.values()].flatMap((s) =>
      s.error ? [{ region: s.watched.region, account: s.watched.account, message: s.error.message }] : [],
    );
  }

  /** One sentence per failing region, for the view's message. */
  problems(): string[] {
    return this.failures().map((f) =>
      f.account === DEFAULT_ACCOUNT
        ? l10n.t('Could not list the jobs of {0}: {1}', f.region, f.message)
        : l10n.t('Could not list the jobs of {0} (account {1}): {2}', f.region, f.account, f.message),
    );
  }
}
