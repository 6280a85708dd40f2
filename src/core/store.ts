import type { DtsError, ErrorKind } from './api/errors';
import type { JobDetails, JobEndpoint } from './api/jobDetails';
import { DEFAULT_EXPIRY_WARNING_DAYS, expiryState, type Expiry } from './expiry';
import { DEFAULT_ACCOUNT, jobKey, type JobSpec } from './jobs';
import type { JobStatus } from './model';
import type { Snapshot } from './query';
import type { SavedStatus } from './snapshotFormat';

/** An error as views show it: no stack, no request, just what the user can act on. */
export interface QueryError {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly requestId?: string;
}

export function toQueryError(error: DtsError): QueryError {
  return { kind: error.kind, code: error.code, message: error.message, requestId: error.requestId };
}

/** One configured job as every view sees it. */
export interface JobView {
  readonly spec: JobSpec;
  /** The last known status; kept when a later refresh fails. */
  readonly status: JobStatus | undefined;
  readonly fetchedAt: Date | undefined;
  /** Why the latest refresh could not update this job. */
  readonly error: QueryError | undefined;
  /** True when `status` is not from the latest refresh (it failed, or the status was restored from the last session). */
  readonly stale: boolean;
  /** The latest details answer per direction (as the status list names it); only directions that were asked about. */
  readonly details?: ReadonlyMap<string, JobDetails>;
  /** Why the latest details call for a direction failed ("details unavailable: …"); never makes the status stale. */
  readonly detailsErrors?: ReadonlyMap<string, string>;
  /** The job's slow-changing facts from its latest details answer. */
  readonly facts?: JobFacts;
  /** The subscription's expiry when it is worth showing (within `dtsSync.expiryWarningDays`, or past). */
  readonly expiry?: Expiry;
}

/** What hardly changes about a job: its DTS name, billing and endpoints. */
export interface JobFacts {
  readonly name?: string;
  readonly payType?: string;
  readonly expireTime?: Date;
  readonly source?: JobEndpoint;
  readonly destination?: JobEndpoint;
}

/** One details call's outcome, for `applyDetails`. */
export interface DetailsResult {
  readonly job: JobSpec;
  readonly direction: string;
  readonly details?: JobDetails;
  /** The failed call's message. */
  readonly error?: string;
}

/** An account in use as the views show it: where its credentials came from, never the secret. */
export interface AccountView {
  readonly name: string;
  /** Where its credentials came from; undefined while none are found. */
  readonly source: string | undefined;
  /** The AccessKey ID, masked (`LTAI****0001`). */
  readonly maskedKeyId: string | undefined;
  /** Why the lookup found no credentials for it. */
  readonly failure: QueryError | undefined;
  /** A key of its name is in SecretStorage (so "Clear AccessKey" applies to it). */
  readonly stored?: boolean;
}

export interface StoreState {
  readonly jobs: readonly JobView[];
  /** The accounts the jobs use, in order (the default account alone when no job names one). */
  readonly accounts: readonly AccountView[];
  readonly refreshing: boolean;
  readonly lastAttemptAt: Date | undefined;
  /** Where the first account with credentials got them (never the secret); undefined while no account has any. */
  readonly credentialsSource: string | undefined;
  /** A failure that concerns every job, such as missing credentials. */
  readonly failure: QueryError | undefined;
  readonly settingsProblems: readonly string[];
}

/** A direction that has just entered `error`: worth one notification, not one per refresh. */
export interface Transition {
  readonly job: JobSpec;
  readonly direction: string;
  readonly status: string;
}

/** What one change event changed, so a view redraws only that. */
export interface StoreChange {
  /** `jobKey`s of the job rows whose content changed. */
  readonly jobs: ReadonlySet<string>;
  /** The job list, the credentials, the failure or the settings problems changed: everything may look different. */
  readonly all: boolean;
}

interface Entry {
  spec: JobSpec;
  /** jobKey(spec), written once. */
  readonly key: string;
  status?: JobStatus;
  fetchedAt?: Date;
  error?: QueryError;
  fresh: boolean;
  details?: Map<string, JobDetails>;
  detailsErrors?: Map<string, string>;
  facts?: JobFacts;
  /** What its row showed as of the last update, so an update takes it once, not twice. */
  shown?: Shown;
}

/** Everything a row shows that can change: a refresh that changes none of it is no change. */
interface Shown {
  readonly name: string | undefined;
  /** Statuses are never changed in place: the object, compared field by field with the next one. */
  readonly status: JobStatus | undefined;
  readonly error: string | undefined;
  readonly stale: boolean;
  /** The details, their errors and the facts, written out (most jobs have none: then undefined). */
  readonly details: string | undefined;
}

function shownRow(e: Entry): Shown {
  return {
    name: e.spec.name,
    status: e.status,
    error: e.error?.message,
    stale: e.status !== undefined && !e.fresh,
    details: e.details || e.detailsErrors || e.facts ? JSON.stringify([e.details ? [...e.details] : undefined, e.detailsErrors ? [...e.detailsErrors] : undefined, e.facts]) : undefined,
  };
}

function sameRow(a: Shown, b: Shown): boolean {
  return a.name === b.name && a.error === b.error && a.stale === b.stale && a.details === b.details && sameStatus(a.status, b.status);
}

/** The same found flag, health and directions (each with the same status, health, checkpoint, lag and notes). */
function sameStatus(a: JobStatus | undefined, b: JobStatus | undefined): boolean {
  if (a === b) {
    return true;
  }
  if (!a || !b || a.found !== b.found || a.health !== b.health || a.directions.length !== b.directions.length) {
    return false;
  }
  for (let i = 0; i < a.directions.length; i++) {
    const d = a.directions[i];
    const e = b.directions[i];
    if (
      d.direction !== e.direction ||
      d.status !== e.status ||
      d.health !== e.health ||
      d.checkpoint?.getTime() !== e.checkpoint?.getTime() ||
      d.lagSeconds !== e.lagSeconds ||
      d.checkpointRaw !== e.checkpointRaw ||
      d.aheadSeconds !== e.aheadSeconds
    ) {
      return false;
    }
  }
  return true;
}

/**
 * The live state every view reads. One change event per batch of updates (a whole refresh is one batch), and only
 * when something a view shows changed; the refresh progress has its own event. Never calls the network.
 */
export class StatusStore {
  private entries: Entry[] = [];
  private refreshing = false;
  private lastAttemptAt: Date | undefined;
  private accounts: readonly AccountView[] = [];
  private failure: QueryError | undefined;
  private settingsProblems: readonly string[] = [];
  private readonly listeners = new Set<(state: StoreState, change: StoreChange) => void>();
  private readonly progressListeners = new Set<(state: StoreState) => void>();
  private cached: StoreState | undefined;
  private depth = 0;
  private pendingJobs = new Set<string>();
  private pendingAll = false;
  private expiryWarningDays = DEFAULT_EXPIRY_WARNING_DAYS;

  /** The clock expiries are measured with. */
  constructor(private readonly now: () => Date = () => new Date()) {}

  onDidChange(listener: (state: StoreState, change: StoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A refresh started or ended: only what shows progress (the status bar's spinner) listens. */
  onDidChangeProgress(listener: (state: StoreState) => void): { dispose(): void } {
    this.progressListeners.add(listener);
    return { dispose: () => this.progressListeners.delete(listener) };
  }

  get state(): StoreState {
    this.cached ??= {
      jobs: this.entries.map((e) => ({
        spec: e.spec,
        status: e.status,
        fetchedAt: e.fetchedAt,
        error: e.error,
        stale: e.status !== undefined && !e.fresh,
        details: e.details,
        detailsErrors: e.detailsErrors,
        facts: e.facts,
        expiry: e.facts ? expiryState(e.facts.payType, e.facts.expireTime, this.now(), this.expiryWarningDays) : undefined,
      })),
      accounts: this.accounts,
      refreshing: this.refreshing,
      lastAttemptAt: this.lastAttemptAt,
      credentialsSource: this.accounts.find((a) => a.source !== undefined)?.source,
      failure: this.failure,
      settingsProblems: this.settingsProblems,
    };
    return this.cached;
  }

  /** Runs several updates as one: listeners hear about them once, at the end. */
  batch<T>(updates: () => T): T {
    this.depth++;
    try {
      return updates();
    } finally {
      this.depth--;
      this.flush();
    }
  }

  private touched(keys: Iterable<string>, all = false): void {
    this.cached = undefined;
    for (const key of keys) {
      this.pendingJobs.add(key);
    }
    this.pendingAll ||= all;
    this.flush();
  }

  private flush(): void {
    if (this.depth > 0 || (!this.pendingAll && this.pendingJobs.size === 0)) {
      return;
    }
    const change: StoreChange = { jobs: this.pendingJobs, all: this.pendingAll };
    this.pendingJobs = new Set();
    this.pendingAll = false;
    const state = this.state;
    for (const listener of [...this.listeners]) {
      listener(state, change);
    }
  }

  /** Applies `update` to every entry and records the rows whose content it changed. */
  private updateEntries(update: (entry: Entry) => void): void {
    const changed: string[] = [];
    for (const entry of this.entries) {
      const before = entry.shown ?? shownRow(entry);
      update(entry);
      entry.shown = shownRow(entry);
      if (!sameRow(entry.shown, before)) {
        changed.push(entry.key);
      }
    }
    this.touched(changed);
  }

  /** The configured jobs; statuses of jobs that stay configured are kept (also when only the name changed). */
  setJobs(specs: readonly JobSpec[], settingsProblems: readonly string[] = []): void {
    const previous = new Map(this.entries.map((e) => [e.key, e]));
    this.entries = specs.map((spec) => {
      const key = jobKey(spec);
      const old = previous.get(key);
      // What a row shows covers the name: a renamed job's is taken afresh.
      return old ? { ...old, spec, shown: undefined } : { spec, key, fresh: false };
    });
    this.settingsProblems = settingsProblems;
    this.touched([], true);
  }

  /** `dtsSync.expiryWarningDays`: a change redraws every row. */
  setExpiryWarningDays(days: number): void {
    if (days !== this.expiryWarningDays) {
      this.expiryWarningDays = days;
      this.touched([], true);
    }
  }

  /**
   * Applies details answers (one batch, one change event): each direction keeps its latest answer, a failed call
   * records why beside it (keeping the previous answer), and an answer brings the job's facts. The status and its
   * staleness are never touched.
   */
  applyDetails(results: readonly DetailsResult[]): void {
    const byJob = new Map<string, DetailsResult[]>();
    for (const r of results) {
      const key = jobKey(r.job);
      byJob.set(key, [...(byJob.get(key) ?? []), r]);
    }
    this.updateEntries((entry) => {
      for (const r of byJob.get(entry.key) ?? []) {
        if (r.details) {
          entry.details = new Map(entry.details ?? []).set(r.direction, r.details);
          if (entry.detailsErrors?.has(r.direction)) {
            entry.detailsErrors = new Map(entry.detailsErrors);
            entry.detailsErrors.delete(r.direction);
          }
          const d = r.details;
          entry.facts = { name: d.name, payType: d.payType, expireTime: d.expireTime, source: d.source, destination: d.destination };
        } else {
          entry.detailsErrors = new Map(entry.detailsErrors ?? []).set(r.direction, r.error ?? '');
        }
      }
    });
  }

  /** The accounts in use and their credential sources; a change redraws everything (rows group by account). */
  setAccounts(accounts: readonly AccountView[]): void {
    if (JSON.stringify(accounts) === JSON.stringify(this.accounts)) {
      return;
    }
    this.accounts = accounts;
    this.touched([], true);
  }

  /** One account (the default one) with credentials from `source`, or none. */
  setCredentialsSource(source: string | undefined): void {
    this.setAccounts([{ name: DEFAULT_ACCOUNT, source, maskedKeyId: undefined, failure: undefined }]);
  }

  setRefreshing(refreshing: boolean, at?: Date): void {
    this.refreshing = refreshing;
    if (refreshing && at) {
      this.lastAttemptAt = at;
    }
    // The jobs did not change: their views stay (a refresh starts and ends around every snapshot of hundreds of jobs).
    this.cached = this.cached && { ...this.cached, refreshing: this.refreshing, lastAttemptAt: this.lastAttemptAt };
    const state = this.state;
    for (const listener of [...this.progressListeners]) {
      listener(state);
    }
  }

  /**
   * Applies a refresh's result: answered jobs get their new status, jobs of failed batches keep theirs, marked stale.
   * With `only`, the snapshot covers just those jobs (one account's); the others are left as they are.
   */
  applySnapshot(snapshot: Snapshot, only?: (spec: JobSpec) => boolean): Transition[] {
    const statuses = new Map(snapshot.jobs.map((j) => [jobKey({ id: j.jobId, region: j.region }), j]));
    const errors = new Map<string, QueryError>();
    for (const failure of snapshot.errors) {
      for (const id of failure.jobIds) {
        errors.set(jobKey({ id, region: failure.region }), toQueryError(failure.error));
      }
    }
    const transitions: Transition[] = [];
    this.batch(() => {
      if (this.failure) {
        this.failure = undefined;
        this.touched([], true);
      }
      this.updateEntries((entry) => {
        if (only && !only(entry.spec)) {
          return;
        }
        const key = entry.key;
        const status = statuses.get(key);
        if (status) {
          transitions.push(...newErrors(entry.spec, entry.status, status));
          entry.status = status;
          entry.fetchedAt = snapshot.checkedAt;
          entry.error = undefined;
          entry.fresh = true;
        } else {
          entry.error = errors.get(key);
          entry.fresh = false;
        }
      });
    });
    return transitions;
  }

  /** A failure before any request (no credentials, bad settings): every job keeps its status, marked stale. */
  failAll(error: QueryError): void {
    this.batch(() => {
      if (this.failure?.message !== error.message) {
        this.failure = error;
        this.touched([], true);
      }
      this.updateEntries((entry) => {
        entry.error = error;
        entry.fresh = false;
      });
    });
  }

  /** A failure of some jobs before any request (one account's credentials): they keep their status, marked stale. */
  failJobs(error: QueryError, which: (spec: JobSpec) => boolean): void {
    this.updateEntries((entry) => {
      if (which(entry.spec)) {
        entry.error = error;
        entry.fresh = false;
      }
    });
  }

  /** Restores the last session's statuses for jobs still configured, marked stale until the next refresh. */
  restore(saved: ReadonlyMap<string, SavedStatus>): void {
    this.updateEntries((entry) => {
      const found = saved.get(entry.key);
      if (!found || entry.status) {
        return;
      }
      entry.fetchedAt = found.fetchedAt;
      entry.fresh = false;
      entry.status = found.status;
    });
  }
}

function newErrors(spec: JobSpec, before: JobStatus | undefined, after: JobStatus): Transition[] {
  if (!after.directions.some((d) => d.health === 'error')) {
    return [];
  }
  const wasError = new Set(before?.directions.filter((d) => d.health === 'error').map((d) => d.direction));
  return after.directions
    .filter((d) => d.health === 'error' && !wasError.has(d.direction))
    .map((d) => ({ job: spec, direction: d.direction, status: d.status }));
}
