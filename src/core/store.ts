import type { DtsError, ErrorKind } from './api/errors';
import { jobKey, type JobSpec } from './jobs';
import { HEALTH_SEVERITY, type DirectionStatus, type Health, type JobStatus } from './model';
import type { Snapshot } from './query';

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
}

export interface StoreState {
  readonly jobs: readonly JobView[];
  readonly refreshing: boolean;
  readonly lastAttemptAt: Date | undefined;
  /** Where the credentials came from (never the secret); undefined while none are found. */
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

export interface PersistedSnapshot {
  readonly version: 1;
  readonly jobs: readonly {
    readonly id: string;
    readonly region: string;
    readonly fetchedAt: string;
    readonly found: boolean;
    readonly health: Health;
    readonly directions: readonly {
      readonly direction: string;
      readonly status: string;
      readonly health: Health;
      readonly checkpoint: string | null;
      readonly lagSeconds: number | null;
    }[];
  }[];
}

interface Entry {
  spec: JobSpec;
  status?: JobStatus;
  fetchedAt?: Date;
  error?: QueryError;
  fresh: boolean;
}

/** The snapshot every view reads, and the one change event they listen to. Never calls the network. */
export class StatusStore {
  private entries: Entry[] = [];
  private refreshing = false;
  private lastAttemptAt: Date | undefined;
  private credentialsSource: string | undefined;
  private failure: QueryError | undefined;
  private settingsProblems: readonly string[] = [];
  private readonly listeners = new Set<(state: StoreState) => void>();
  private cached: StoreState | undefined;

  onDidChange(listener: (state: StoreState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get state(): StoreState {
    this.cached ??= {
      jobs: this.entries.map((e) => ({
        spec: e.spec,
        status: e.status,
        fetchedAt: e.fetchedAt,
        error: e.error,
        stale: e.status !== undefined && !e.fresh,
      })),
      refreshing: this.refreshing,
      lastAttemptAt: this.lastAttemptAt,
      credentialsSource: this.credentialsSource,
      failure: this.failure,
      settingsProblems: this.settingsProblems,
    };
    return this.cached;
  }

  private changed(): void {
    this.cached = undefined;
    const state = this.state;
    for (const listener of [...this.listeners]) {
      listener(state);
    }
  }

  /** The configured jobs; statuses of jobs that stay configured are kept (also when only the name changed). */
  setJobs(specs: readonly JobSpec[], settingsProblems: readonly string[] = []): void {
    const previous = new Map(this.entries.map((e) => [jobKey(e.spec), e]));
    this.entries = specs.map((spec) => {
      const old = previous.get(jobKey(spec));
      return old ? { ...old, spec } : { spec, fresh: false };
    });
    this.settingsProblems = settingsProblems;
    this.changed();
  }

  setCredentialsSource(source: string | undefined): void {
    this.credentialsSource = source;
    this.changed();
  }

  setRefreshing(refreshing: boolean, at?: Date): void {
    this.refreshing = refreshing;
    if (refreshing && at) {
      this.lastAttemptAt = at;
    }
    this.changed();
  }

  /** Applies a refresh's result: answered jobs get their new status, jobs of failed batches keep theirs, marked stale. */
  applySnapshot(snapshot: Snapshot): Transition[] {
    const statuses = new Map(snapshot.jobs.map((j) => [jobKey({ id: j.jobId, region: j.region }), j]));
    const errors = new Map<string, QueryError>();
    for (const failure of snapshot.errors) {
      for (const id of failure.jobIds) {
        errors.set(jobKey({ id, region: failure.region }), toQueryError(failure.error));
      }
    }
    const transitions: Transition[] = [];
    for (const entry of this.entries) {
      const key = jobKey(entry.spec);
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
    }
    this.failure = undefined;
    this.changed();
    return transitions;
  }

  /** A failure before any request (no credentials, bad settings): every job keeps its status, marked stale. */
  failAll(error: QueryError): void {
    for (const entry of this.entries) {
      entry.error = error;
      entry.fresh = false;
    }
    this.failure = error;
    this.changed();
  }

  toPersisted(): PersistedSnapshot {
    return {
      version: 1,
      jobs: this.entries.flatMap((e) =>
        e.status && e.fetchedAt
          ? [
              {
                id: e.spec.id,
                region: e.spec.region,
                fetchedAt: e.fetchedAt.toISOString(),
                found: e.status.found,
                health: e.status.health,
                directions: e.status.directions.map((d) => ({
                  direction: d.direction,
                  status: d.status,
                  health: d.health,
                  checkpoint: d.checkpoint?.toISOString() ?? null,
                  lagSeconds: d.lagSeconds,
                })),
              },
            ]
          : [],
      ),
    };
  }

  /** Restores the last session's statuses for jobs still configured, marked stale until the next refresh. */
  restore(persisted: unknown): void {
    if (!isPersisted(persisted)) {
      return;
    }
    const byKey = new Map(persisted.jobs.map((j) => [jobKey(j), j]));
    for (const entry of this.entries) {
      const saved = byKey.get(jobKey(entry.spec));
      if (!saved || entry.status) {
        continue;
      }
      entry.fetchedAt = new Date(saved.fetchedAt);
      entry.fresh = false;
      entry.status = {
        jobId: saved.id,
        region: saved.region,
        found: saved.found,
        health: saved.health,
        directions: saved.directions.map(
          (d): DirectionStatus => ({ ...d, checkpoint: d.checkpoint === null ? null : new Date(d.checkpoint) }),
        ),
      };
    }
    this.changed();
  }
}

function newErrors(spec: JobSpec, before: JobStatus | undefined, after: JobStatus): Transition[] {
  const wasError = new Set(before?.directions.filter((d) => d.health === 'error').map((d) => d.direction));
  return after.directions
    .filter((d) => d.health === 'error' && !wasError.has(d.direction))
    .map((d) => ({ job: spec, direction: d.direction, status: d.status }));
}

const HEALTHS: ReadonlySet<unknown> = new Set<Health>(HEALTH_SEVERITY);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isDateString(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(new Date(value).getTime());
}

/** The persisted snapshot comes from an older version or a hand-edited state file: check every field. */
function isPersisted(value: unknown): value is PersistedSnapshot {
  return (
    isRecord(value) &&
    value['version'] === 1 &&
    Array.isArray(value['jobs']) &&
    value['jobs'].every(
      (j: unknown) =>
        isRecord(j) &&
        typeof j['id'] === 'string' &&
        typeof j['region'] === 'string' &&
        typeof j['found'] === 'boolean' &&
        HEALTHS.has(j['health']) &&
        isDateString(j['fetchedAt']) &&
        Array.isArray(j['directions']) &&
        j['directions'].every(
          (d: unknown) =>
            isRecord(d) &&
            typeof d['direction'] === 'string' &&
            typeof d['status'] === 'string' &&
            HEALTHS.has(d['health']) &&
            (d['checkpoint'] === null || isDateString(d['checkpoint'])) &&
            (d['lagSeconds'] === null || (typeof d['lagSeconds'] === 'number' && Number.isFinite(d['lagSeconds']))),
        ),
    )
  );
}
