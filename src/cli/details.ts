import * as l10n from '@vscode/l10n';
import type { Deadline } from '../core/api/client';
import { DtsError } from '../core/api/errors';
import { failureReason, isFailedCheck, precheckItemsFailedFirst, reasonLine, type InitializationStatus, type JobDetails, type JobEndpoint } from '../core/api/jobDetails';
import { expiryState, MAX_EXPIRY_WARNING_DAYS, DEFAULT_EXPIRY_WARNING_DAYS } from '../core/expiry';
import { directionLabel, formatLag, statusLabel, type DirectionStatus, type JobStatus } from '../core/model';
import { mapWithConcurrency, type Snapshot } from '../core/query';
import { safeText } from '../core/safeText';
import { formatUtc } from '../core/views/time';

/** Details calls in flight at once; each still takes its slot of the per-region rate limit. */
export const DETAILS_CONCURRENCY = 4;

export interface DetailsSource {
  describeSynchronizationJobStatus(jobId: string, direction: string, region: string, signal?: AbortSignal, deadline?: Deadline): Promise<JobDetails>;
}

/** The details of one direction, or why they are unavailable. */
export type DirectionDetails = { readonly details: JobDetails } | { readonly error: DtsError };

export function detailsKey(jobId: string, direction: string): string {
  return `${jobId}\u0000${direction.toLowerCase()}`;
}

/** Whether `--details` asks for a direction: every one that is not ok or finished. */
export function wantsDetails(d: DirectionStatus): boolean {
  return d.health !== 'ok' && d.health !== 'finished';
}

/** Fetches the details of the chosen directions in parallel; a failed call is a result, never a thrown error. */
export async function fetchDetails(
  snapshot: Snapshot,
  source: DetailsSource,
  choose: (d: DirectionStatus) => boolean,
  deadline: Deadline,
): Promise<Map<string, DirectionDetails>> {
  const wanted = snapshot.jobs.filter((j) => j.found).flatMap((job) => job.directions.filter(choose).map((d) => ({ job, d })));
  const results = await mapWithConcurrency(wanted, DETAILS_CONCURRENCY, async ({ job, d }): Promise<[string, DirectionDetails]> => {
    try {
      return [detailsKey(job.jobId, d.direction), { details: await source.describeSynchronizationJobStatus(job.jobId, d.direction, job.region, undefined, deadline) }];
    } catch (e) {
      if (e instanceof DtsError) {
        return [detailsKey(job.jobId, d.direction), { error: e }];
      }
      throw e;
    }
  });
  return new Map(results);
}

/** A direction's details in `--json`: API words, ISO times; fields may be added, never renamed. */
export function detailsRecord(found: DirectionDetails | undefined): { errorMessage: string | null; details: unknown; detailsError?: { code: string; message: string } } {
  if (found === undefined) {
    return { errorMessage: null, details: null };
  }
  if ('error' in found) {
    return { errorMessage: null, details: null, detailsError: { code: safeText(found.error.code), message: safeText(found.error.message) } };
  }
  return { errorMessage: failureReason(found.details) ?? null, details: JSON.parse(JSON.stringify(found.details)) as unknown };
}

/**
 * The lines `--details` prints under a direction: the reason (first line, code first), else the full load's progress,
 * else a subscription's coming expiry; or why there are no details.
 */
export function reasonLines(found: DirectionDetails | undefined, now: Date): string[] {
  if (found === undefined) {
    return [];
  }
  if ('error' in found) {
    return [l10n.t('details unavailable: {0}', safeText(found.error.message))];
  }
  const reason = failureReason(found.details);
  const progress = found.details.dataInitialization;
  if (reason !== undefined) {
    return [reasonLine(reason)];
  }
  if (progress?.percent !== undefined && /migrating/i.test(progress.status ?? '')) {
    return [l10n.t('Full data initialization {0} %', progress.percent)];
  }
  const expiry = expiryState(found.details.payType, found.details.expireTime, now, DEFAULT_EXPIRY_WARNING_DAYS);
  return expiry ? [expiry.words] : [];
}

function endpointText(e: JobEndpoint | undefined): string {
  if (e === undefined) {
    return '-';
  }
  const where = [e.engineName, e.instanceId, e.instanceType && `(${e.instanceType})`].filter(Boolean).join(' ');
  const address = e.ip ? ` ${e.ip}${e.port ? `:${e.port}` : ''}` : '';
  return `${where || '-'}${address}`;
}

function stageText(label: (text: string) => string, s: (InitializationStatus & { readonly delaySeconds?: number }) | undefined): string[] {
  if (s === undefined) {
    return [];
  }
  const parts = [
    s.status ?? '-',
    s.percent === undefined ? '' : `${s.percent} %`,
    s.progress === undefined ? '' : `(${s.progress})`,
    s.delaySeconds === undefined || /^notstarted$/i.test(s.status ?? '') ? '' : l10n.t('lag {0}', formatLag(s.delaySeconds)),
  ].filter(Boolean);
  return [label(parts.join(' ')), ...(s.errorMessage ? [`  ${s.errorMessage}`] : [])];
}

/** Everything `show` prints about one direction, indented under it. */
function directionLines(d: DirectionStatus, found: DirectionDetails | undefined, now: Date): string[] {
  const head = `${directionLabel(d.direction)}: ${statusLabel(d.status)}`;
  const lag = d.lagSeconds === null ? '' : ` · ${l10n.t('lag {0}', formatLag(d.lagSeconds))}`;
  const checkpoint = d.checkpoint ? ` · ${l10n.t('checkpoint {0}', formatUtc(d.checkpoint))}` : '';
  const lines = [`${head}${lag}${checkpoint}`];
  if (found === undefined) {
    return lines;
  }
  if ('error' in found) {
    return [...lines, `  ${l10n.t('details unavailable: {0}', safeText(found.error.message))}`];
  }
  const x = found.details;
  const body: string[] = [];
  const reason = failureReason(x);
  if (reason !== undefined) {
    body.push(l10n.t('Error: {0}', reason));
  }
  if (x.precheck) {
    body.push(l10n.t('Precheck: {0}', x.precheck.status ?? '-'));
    for (const item of precheckItemsFailedFirst(x.precheck.items)) {
      body.push(`  ${isFailedCheck(item) ? '✗' : '✓'} ${item.itemName}: ${item.checkStatus ?? '-'}${item.errorMessage ? ` · ${item.errorMessage}` : ''}`);
      if (item.repairMethod) {
        body.push(`    ${l10n.t('Repair method: {0}', item.repairMethod)}`);
      }
    }
  }
  body.push(...stageText((t) => l10n.t('Schema initialization: {0}', t), x.structureInitialization));
  body.push(...stageText((t) => l10n.t('Full data initialization: {0}', t), x.dataInitialization));
  body.push(...stageText((t) => l10n.t('Incremental synchronization: {0}', t), x.dataSynchronization));
  if (x.performance) {
    body.push(l10n.t('Performance: {0} RPS, {1} MB/s', x.performance.rps ?? '-', x.performance.flowMBps ?? '-'));
  }
  body.push(l10n.t('Source → destination: {0} → {1}', endpointText(x.source), endpointText(x.destination)));
  const words = expiryState(x.payType, x.expireTime, now, MAX_EXPIRY_WARNING_DAYS)?.words;
  const expiry = x.expireTime ? `${formatUtc(x.expireTime)}${words ? ` (${words})` : ''}` : x.expireTimeRaw;
  body.push(l10n.t('Pay type: {0}', x.payType ?? '-') + (expiry ? ` · ${l10n.t('Expires: {0}', expiry)}` : ''));
  return [...lines, ...body.map((l) => `  ${l}`)];
}

/** `show`'s text: the job, then each direction with everything its details say. */
export function renderShow(job: JobStatus, details: ReadonlyMap<string, DirectionDetails>, now: Date): string {
  const name = job.directions.map((d) => details.get(detailsKey(job.jobId, d.direction))).find((f) => f !== undefined && 'details' in f);
  const title = name && 'details' in name && name.details.name ? `${job.jobId} (${name.details.name})` : job.jobId;
  const lines = [`${title} · ${job.region}`];
  if (!job.found) {
    lines.push(l10n.t('Not found in {0}', job.region));
  }
  for (const d of job.directions) {
    lines.push(...directionLines(d, details.get(detailsKey(job.jobId, d.direction)), now));
  }
  return lines.join('\n');
}
