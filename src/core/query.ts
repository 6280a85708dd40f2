import type { StatusListSource } from './api/client';
import { DtsError, NetworkError } from './api/errors';
import { jobKey, type JobSpec } from './jobs';
import { buildJobStatus, type JobStatus } from './model';

/** No maximum is documented for the ID list; a sibling API (DeleteDtsJobs) caps at 10, so stay there. */
export const MAX_BATCH_SIZE = 10;
/** Batches in flight at once: well under the documented 20 calls/s per account per region. */
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
  readonly signal?: AbortSignal;
  readonly batchSize?: number;
  readonly concurrency?: number;
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

/** Queries every job, one request per batch; a failed batch is reported, never fatal to the others. */
export async function queryJobStatuses(jobs: readonly JobSpec[], source: StatusListSource, options: QueryOptions): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  const batches = planBatches(jobs, source, options.batchSize);
  const statuses = new Map<string, JobStatus>();
  const notes: { region: string; message: string }[] = [];
  const failures = await mapWithConcurrency(batches, options.concurrency ?? BATCH_CONCURRENCY, async (batch): Promise<BatchFailure | undefined> => {
    const ids = batch.jobs.map((j) => j.id);
    try {
      const result = await source.describeSynchronizationJobStatusList(ids, batch.region, options.signal);
      const serverNow = result.serverDate ?? now();
      notes.push(...result.notes.map((message) => ({ region: batch.region, message })));
      for (const id of ids) {
        statuses.set(jobKey({ id, region: batch.region }), buildJobStatus(id, batch.region, result.jobs.get(id), serverNow, options.lagWarningSeconds));
      }
      return undefined;
    } catch (e) {
      if (options.signal?.aborted) {
        throw e;
      }
      return { region: batch.region, jobIds: ids, error: e instanceof DtsError ? e : new NetworkError(String(e)) };
    }
  });
  const errors = failures.filter((f): f is BatchFailure => f !== undefined);
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
}
