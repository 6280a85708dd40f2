import * as l10n from '@vscode/l10n';
import type { Deadline, DtsClient } from './client';
import { BadResponseError, DtsError, NetworkError } from './errors';
import { readEndpoint, readExpireTime, readNumber, readText, type JobEndpoint } from './jobDetails';
import { capNotes, countField, field, isObject, readAnswer, type Json } from './response';
import type { KnownSecrets } from '../safeText';

export const LIST_JOBS_ACTION = 'DescribeSynchronizationJobs';
/** The page sizes DescribeSynchronizationJobs accepts (the SDK model: 10, 20 or 30; default and maximum 30). */
export const PAGE_SIZES = [10, 20, 30] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 30;
/** 3,000 jobs at 30 a page: past this a region's count is not believed, and the listing stops. */
export const MAX_PAGES = 100;
/** Entries read from one page: a page holds at most 30, so more is a broken or hostile answer. */
export const MAX_ENTRIES_PER_PAGE = 100;
/** Longest job name kept: the console allows 128 characters. */
export const MAX_JOB_NAME_LENGTH = 128;
/** Longest error message kept for a listed job: the first lines are what a list shows. */
export const MAX_LISTED_ERROR_LENGTH = 1000;

/** One synchronization instance of a region, as DescribeSynchronizationJobs lists it; every text control-free. */
export interface ListedJob {
  readonly jobId: string;
  readonly region: string;
  /** The name users know the job by (the console's). */
  readonly name?: string;
  /** As sent (`Synchronizing`, `Failed`, …): `statusHealth` reads it. */
  readonly status?: string;
  /** The directions the answer listed the job with (`Forward`, and `Reverse` for a two-way job listed twice). */
  readonly directions: readonly string[];
  /** `Delay`: seconds behind. */
  readonly delaySeconds?: number;
  readonly errorMessage?: string;
  readonly source?: JobEndpoint;
  readonly destination?: JobEndpoint;
  /** `PrePaid` (subscription) or `PostPaid`. */
  readonly payType?: string;
  readonly expireTime?: Date;
  /** ExpireTime as sent when it was there but not a plausible time. */
  readonly expireTimeRaw?: string;
}

/** One page of DescribeSynchronizationJobs, validated. */
export interface JobListPage {
  readonly requestId?: string;
  readonly jobs: readonly ListedJob[];
  /** How many jobs the region has (matching the name filter), as the answer claims; undefined when unreadable. */
  readonly totalRecordCount?: number;
  /** Oddities worth a log line; already safe to print. */
  readonly notes: readonly string[];
}

/** Every page of a region that could be read. */
export interface JobListing {
  readonly region: string;
  /** Deduplicated by job ID, in the order the pages listed them. */
  readonly jobs: readonly ListedJob[];
  /** The count the last page read claimed. */
  readonly totalRecordCount?: number;
  /** Pages requested, the failed one included. */
  readonly pages: number;
  /** Set when a page failed: `jobs` holds what the pages before it gave. */
  readonly error?: DtsError;
  /** False when the listing stopped before the end (a page failed, or MAX_PAGES were read and more were claimed). */
  readonly complete: boolean;
  /** Oddities of the answers (a count that changed or lied, duplicates, unreadable entries); safe to print. */
  readonly notes: readonly string[];
}

/** What the listing needs of a client: DtsClient's `call`, which signs, retries and keeps the per-region rate limit. */
export type JobListClient = Pick<DtsClient, 'call'>;

export interface ListJobsOptions {
  /** `SynchronizationJobName`: DTS matches it fuzzily (a part of the name). */
  readonly name?: string;
  readonly signal?: AbortSignal;
  readonly deadline?: Deadline;
  readonly pageSize?: PageSize;
  /** The request's key material: removed from every text of the answers before it is cut to length. */
  readonly known?: KnownSecrets;
  /** At most this many pages (MAX_PAGES, and never more). */
  readonly maxPages?: number;
}

function listedJob(entry: Json, region: string, known: KnownSecrets | undefined): ListedJob | undefined {
  const jobId = readText(entry, 'SynchronizationJobId', known);
  if (jobId === undefined) {
    return undefined;
  }
  const direction = readText(entry, 'SynchronizationDirection', known);
  const { expireTime, raw: expireTimeRaw } = readExpireTime(field(entry, 'ExpireTime'), known);
  const optional: Omit<ListedJob, 'jobId' | 'region' | 'directions'> = {
    name: readText(entry, 'SynchronizationJobName', known, MAX_JOB_NAME_LENGTH),
    status: readText(entry, 'Status', known),
    delaySeconds: readNumber(entry, 'Delay'),
    errorMessage: readText(entry, 'ErrorMessage', known, MAX_LISTED_ERROR_LENGTH),
    source: readEndpoint(entry, 'SourceEndpoint', known),
    destination: readEndpoint(entry, 'DestinationEndpoint', known),
    payType: readText(entry, 'PayType', known),
    expireTime,
    expireTimeRaw,
  };
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as typeof optional;
  return { jobId, region, ...present, directions: direction === undefined ? [] : [direction] };
}

/**
 * Validates one page instead of trusting it: entries that are not objects or have no ID are skipped with a note,
 * fields of the wrong type are left out, texts lose control characters and key material, endpoints their user names.
 */
export function parseJobListPage(httpStatus: number, json: Json, region: string, headerRequestId?: string, known?: KnownSecrets): JobListPage {
  const sentRequestId = readText(json, 'RequestId', undefined) ?? headerRequestId;
  if (field(json, 'RequestId') === undefined && field(json, 'Success') === undefined) {
    throw new BadResponseError(l10n.t('not a DTS answer (no RequestId, no Success)'), { httpStatus, requestId: sentRequestId });
  }
  const totalRecordCount = countField(field(json, 'TotalRecordCount'));
  const entries = field(json, 'SynchronizationInstances');
  if ((entries === undefined || entries === null) && totalRecordCount !== 0) {
    throw new BadResponseError(l10n.t('the answer has no job list: SynchronizationInstances is missing'), { httpStatus, requestId: sentRequestId });
  }
  if (entries !== undefined && entries !== null && !Array.isArray(entries)) {
    throw new BadResponseError(l10n.t('SynchronizationInstances is not a list'), { httpStatus, requestId: sentRequestId });
  }
  const list: readonly unknown[] = Array.isArray(entries) ? entries : [];
  const notes: string[] = [];
  const jobs: ListedJob[] = [];
  let unreadable = 0;
  for (const entry of list.slice(0, MAX_ENTRIES_PER_PAGE)) {
    const job = isObject(entry) ? listedJob(entry, region, known) : undefined;
    if (job === undefined) {
      unreadable++;
    } else {
      jobs.push(job);
    }
  }
  if (unreadable > 0) {
    notes.push(l10n.t('{0} entries of the job list have no SynchronizationJobId and are left out', unreadable));
  }
  if (list.length > MAX_ENTRIES_PER_PAGE) {
    notes.push(l10n.t('a page listed {0} jobs; only the first {1} are read', list.length, MAX_ENTRIES_PER_PAGE));
  }
  const requestId = readText(json, 'RequestId', known) ?? (headerRequestId === undefined ? undefined : readText({ id: headerRequestId }, 'id', known));
  return {
    ...(requestId === undefined ? {} : { requestId }),
    jobs,
    ...(totalRecordCount === undefined ? {} : { totalRecordCount }),
    notes,
  };
}

/** The whole interpretation of one DescribeSynchronizationJobs exchange: a page, or a DtsError. */
export function interpretJobListResponse(
  httpStatus: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  region: string,
  known?: KnownSecrets,
): JobListPage {
  const { json, headerRequestId } = readAnswer(httpStatus, headers, body, 'SynchronizationInstances');
  return parseJobListPage(httpStatus, json, region, headerRequestId, known);
}

/** A second listing of one job (a two-way job may be listed once per direction): its directions join the first. */
function merge(first: ListedJob, again: ListedJob): ListedJob {
  return { ...first, directions: [...first.directions, ...again.directions.filter((d) => !first.directions.includes(d))] };
}

/**
 * Every synchronization job of a region: DescribeSynchronizationJobs page after page (PageNum from 1), each through
 * the client's `call` and so inside its per-region rate limit, until the pages hold TotalRecordCount jobs. A count
 * that lies cannot hold it: it also stops at an empty or short page, at a page that adds no new job, and after
 * MAX_PAGES. A page that fails ends it with what was read and the error; only the caller's abort is thrown.
 */
export async function listSynchronizationJobs(client: JobListClient, region: string, options: ListJobsOptions = {}): Promise<JobListing> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxPages = Math.max(1, Math.min(MAX_PAGES, Math.floor(options.maxPages ?? MAX_PAGES)));
  const name = options.name?.trim();
  const jobs = new Map<string, ListedJob>();
  const notes: string[] = [];
  let total: number | undefined;
  let duplicates = 0;
  let entries = 0;
  let countChanged = false;
  let pages = 0;
  let complete = false;
  let error: DtsError | undefined;
  for (let pageNum = 1; pageNum <= maxPages; pageNum++) {
    const params: Record<string, string> = { RegionId: region, PageNum: String(pageNum), PageSize: String(pageSize) };
    if (name) {
      params['SynchronizationJobName'] = name;
    }
    pages = pageNum;
    let page: JobListPage;
    try {
      page = await client.call(
        LIST_JOBS_ACTION,
        params,
        region,
        pageSize,
        options.signal,
        (r) => interpretJobListResponse(r.status, r.headers, r.body, region, options.known),
        options.deadline,
      );
    } catch (caught) {
      if (options.signal?.aborted) {
        throw caught;
      }
      error = caught instanceof DtsError ? caught : new NetworkError(String(caught));
      break;
    }
    notes.push(...page.notes);
    if (page.totalRecordCount !== undefined) {
      if (total !== undefined && page.totalRecordCount !== total && !countChanged) {
        countChanged = true;
        notes.push(l10n.t('the job count changed from {0} to {1} while the pages were read', total, page.totalRecordCount));
      }
      total = page.totalRecordCount;
    }
    let added = 0;
    for (const job of page.jobs) {
      const seen = jobs.get(job.jobId);
      if (seen === undefined) {
        jobs.set(job.jobId, job);
        added++;
      } else if (job.directions.every((d) => seen.directions.includes(d))) {
        duplicates++;
      } else {
        jobs.set(job.jobId, merge(seen, job));
        added++;
      }
    }
    // TotalRecordCount counts entries: a two-way job listed once per direction counts twice.
    entries += page.jobs.length;
    const lastPage = page.jobs.length < pageSize || added === 0;
    if ((total !== undefined && entries >= total) || lastPage) {
      complete = true;
      break;
    }
  }
  if (!complete && error === undefined) {
    notes.push(l10n.t('stopped after {0} pages ({1} jobs); the region claims {2}', maxPages, jobs.size, total ?? '?'));
  }
  if (complete && total !== undefined && entries < total) {
    notes.push(l10n.t('the pages list {0} jobs but TotalRecordCount claims {1}', entries, total));
  }
  if (duplicates > 0) {
    notes.push(l10n.t('{0} jobs were listed more than once', duplicates));
  }
  return {
    region,
    jobs: [...jobs.values()],
    ...(total === undefined ? {} : { totalRecordCount: total }),
    pages,
    ...(error === undefined ? {} : { error }),
    complete: complete && error === undefined,
    notes: capNotes(notes),
  };
}
