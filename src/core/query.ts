import { setMaxListeners } from 'node:events';
import type { Deadline, StatusListSource } from './api/client';
import { DtsError, NetworkError, TimeoutError } from './api/errors';
import { systemClock, type Clock } from './api/rateLimiter';
import { jobKey, type JobSpec } from './jobs';
import { buildJobStatus, statusNotes, type JobStatus } from './model';

/** No maximum is documented for the ID list; a sibling API (DeleteDtsJobs) caps at 10, so stay there. */
export const MAX_BATCH_SIZE = 10;
/** Batches in flight at once per region (regions run in parallel); the client's rate limiter keeps the 20 calls/s. */
export const BATCH_CONCURRENCY = 3;

export interface BatchFailure {
  readonly region: string;
  readonly error: DtsError;
  readonly jobIds: readonly string[];
}

/** The answer to "how are my jobs?" at one moment. */
export interface Snapshot {
  readonly checkedAt: Date;
  /** Every job whose batch was answered, found or not, in the order asked. */
  readonly jobs: readonly JobStatus[];
  readonly errors: readonly BatchFailure[];
  /** Oddities of the answers worth a log line, per region; never fatal. */
  readonly notes: readonly { readonly region: string; readonly message: string }[];
}

export interface QueryOptions {
  readonly lagWarningSeconds: number;
  readonly now?: () => Date;
  /** Aborts the whole query: it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly batchSize?: number;
  /** Batches in flight at once in one region; regions run in parallel. */
  readonly concurrency?: number;
  /**
   * One deadline for the whole query, in milliseconds from the call. Past it every batch not yet answered (in
   * flight, waiting to retry, or not started) is reported as a timeout with its job IDs; answered batches stay.
   */
  readonly deadlineMs?: number;
  /** Monotonic time for the deadline; a fake in tests. */
  readonly clock?: Clock;
}

interface Batch {
  readonly region: string;
  readonly jobs: JobSpec[];
}

/** Groups jobs by (endpoint, region, credentials) and splits each group into batches of IDs. */
export function planBatches(jobs: readonly JobSpec[], source: Pick<StatusListSource, 'batchKey'>, batchSize = MAX_BATCH_SIZE): Batch[] {
  const groups = new Map<string, Batch>();
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(jobKey(job))) {
      continue;
    }
    seen.add(jobKey(job));
    const key = source.batchKey(job.region);
    const group = groups.get(key) ?? { region: job.region, jobs: [] };
    group.jobs.push(job);
    groups.set(key, group);
  }
  const batches: Batch[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.jobs.length; i += batchSize) {
      batches.push({ region: group.region, jobs: group.jobs.slice(i, i + batchSize) });
    }
  }
  return batches;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** The query's deadline: the client reads what is left, the query reports what it cut short. */
interface RunningDeadline extends Deadline {
  readonly expired: boolean;
  /** A fresh error per batch: the client redacts and the renderers read each one on its own. */
  error(): TimeoutError;
  stop(): void;
}

function startDeadline(totalMs: number, clock: Clock, onExpire: (error: TimeoutError) => void): RunningDeadline {
  const startedAt = clock.now();
  const cancel = new AbortController();
  let fired = false;
  const remainingMs = (): number => startedAt + totalMs - clock.now();
  const error = (): TimeoutError => new TimeoutError(totalMs / 1000, { deadline: true });
  clock.sleep(Math.max(0, totalMs), cancel.signal).then(
    () => {
      fired = true;
      onExpire(error());
    },
    () => undefined,
  );
  return {
    totalMs,
    remainingMs: () => Math.max(0, remainingMs()),
    get expired() {
      return fired || remainingMs() <= 0;
    },
    error,
    stop: () => cancel.abort(),
  };
}

/** Batches grouped by region, in the order planned. */
function byRegion(batches: readonly Batch[]): Batch[][] {
  const groups = new Map<string, Batch[]>();
  for (const batch of batches) {
    groups.set(batch.region, [...(groups.get(batch.region) ?? []), batch]);
  }
  return [...groups.values()];
}

/** Queries every job, one request per batch; a failed batch is reported, never fatal to the others. */
export async function queryJobStatuses(jobs: readonly JobSpec[], source: StatusListSource, options: QueryOptions): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  const batches = planBatches(jobs, source, options.batchSize);
  const statuses = new Map<string, JobStatus>();
  const notes: { region: string; message: string }[] = [];
  const callerSignal = options.signal;
  // Lives only as long as this query, so the client may listen to it; the caller's signal is listened to by hand.
  const stop = new AbortController();
  // One listener per request in flight or waiting for a slot, in every region: removed as each ends, so no leak.
  setMaxListeners(0, stop.signal);
  const onCallerAbort = (): void => stop.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const deadline =
    options.deadlineMs === undefined
      ? undefined
      : startDeadline(options.deadlineMs, options.clock ?? systemClock, (error) => stop.abort(error));
  // Every batch races this, so a source that ignores the signal cannot hold the query past its deadline.
  const stopped = new Promise<never>((_resolve, reject) => {
    stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true });
  });
  stopped.catch(() => undefined);

  const runBatch = async (batch: Batch): Promise<BatchFailure | undefined> => {
    const ids = batch.jobs.map((j) => j.id);
    if (callerSignal?.aborted) {
      throw callerSignal.reason;
    }
    if (deadline?.expired) {
      return { region: batch.region, jobIds: ids, error: deadline.error() };
    }
    try {
      const result = await Promise.race([source.describeSynchronizationJobStatusList(ids, batch.region, stop.signal, deadline), stopped]);
      const serverNow = result.serverDate ?? now();
      notes.push(...result.notes.map((message) => ({ region: batch.region, message })));
      for (const id of ids) {
        const status = buildJobStatus(id, batch.region, result.jobs.get(id), serverNow, options.lagWarningSeconds);
        statuses.set(jobKey({ id, region: batch.region }), status);
        notes.push(...statusNotes(status).map((message) => ({ region: batch.region, message })));
      }
      return undefined;
    } catch (e) {
      if (callerSignal?.aborted) {
        throw e;
      }
      if (deadline?.expired) {
        return { region: batch.region, jobIds: ids, error: deadline.error() };
      }
      return { region: batch.region, jobIds: ids, error: e instanceof DtsError ? e : new NetworkError(String(e)) };
    }
  };

  try {
    const concurrency = options.concurrency ?? BATCH_CONCURRENCY;
    const perRegion = await Promise.all(byRegion(batches).map((group) => mapWithConcurrency(group, concurrency, runBatch)));
    const errors = perRegion.flat().filter((f): f is BatchFailure => f !== undefined);
    const ordered: JobStatus[] = [];
    const emitted = new Set<string>();
    for (const job of jobs) {
      const status = statuses.get(jobKey(job));
      if (status && !emitted.has(jobKey(job))) {
        emitted.add(jobKey(job));
        ordered.push(status);
      }
    }
    return { checkedAt: now(), jobs: ordered, errors, notes };
  } finally {
    deadline?.stop();
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}
