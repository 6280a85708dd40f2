import * as l10n from '@vscode/l10n';
import type { JobEndpoint } from '../core/api/jobDetails';
import type { ListedJob } from '../core/api/jobList';
import type { Discovery } from '../core/discovery';
import { directionHealth, formatLag, statusLabel, type Health } from '../core/model';
import { safeText, stripControl } from '../core/safeText';
import { alignedTable, errorRecord, type ErrorRecord } from './render';

/** `list --json`: a public interface, see the README. API words and field names in every language; never renamed. */
export interface ListDocument {
  checkedAt: string;
  jobs: ListedJobRecord[];
  errors: ErrorRecord[];
}

export interface EndpointRecord {
  engineName: string | null;
  instanceType: string | null;
  instanceId: string | null;
  ip: string | null;
  port: number | null;
}

export interface ListedJobRecord {
  jobId: string;
  region: string;
  name: string | null;
  status: string | null;
  /** From the status and the delay, by the same rule as the status command (`--lag-warning`). */
  health: Health;
  directions: string[];
  delaySeconds: number | null;
  errorMessage: string | null;
  source: EndpointRecord | null;
  destination: EndpointRecord | null;
  payType: string | null;
  expireTime: string | null;
}

function endpointRecord(e: JobEndpoint | undefined): EndpointRecord | null {
  return e === undefined
    ? null
    : { engineName: e.engineName ?? null, instanceType: e.instanceType ?? null, instanceId: e.instanceId ?? null, ip: e.ip ?? null, port: e.port ?? null };
}

function healthOf(job: ListedJob, lagWarningSeconds: number): Health {
  return directionHealth(job.status ?? '', job.delaySeconds ?? null, lagWarningSeconds);
}

export function toListDocument(found: Discovery, lagWarningSeconds: number): ListDocument {
  return {
    checkedAt: found.checkedAt.toISOString(),
    jobs: found.jobs.map((job) => ({
      jobId: job.jobId,
      region: job.region,
      name: job.name ?? null,
      status: job.status ?? null,
      health: healthOf(job, lagWarningSeconds),
      directions: [...job.directions],
      delaySeconds: job.delaySeconds ?? null,
      errorMessage: job.errorMessage ?? null,
      source: endpointRecord(job.source),
      destination: endpointRecord(job.destination),
      payType: job.payType ?? null,
      expireTime: job.expireTime?.toISOString() ?? job.expireTimeRaw ?? null,
    })),
    errors: found.errors.map((f) => errorRecord(f.region, f.error, [])),
  };
}

/** The column coloured by health. */
const STATUS_COLUMN = 3;

/** One aligned line per job: ID, region, name, status, lag, source → destination engines. */
export function renderListTable(found: Discovery, colour: boolean, lagWarningSeconds: number): string {
  const header = [l10n.t('JOB'), l10n.t('REGION'), l10n.t('NAME'), l10n.t('STATUS'), l10n.t('LAG'), l10n.t('SOURCE → DESTINATION')];
  const rows = found.jobs.map((job) => ({
    cells: [
      job.jobId,
      job.region,
      job.name ?? '-',
      statusLabel(job.status ?? ''),
      job.delaySeconds === undefined ? '-' : formatLag(job.delaySeconds),
      `${job.source?.engineName ?? '-'} → ${job.destination?.engineName ?? '-'}`,
    ],
    health: healthOf(job, lagWarningSeconds),
  }));
  return alignedTable(header, rows, colour, STATUS_COLUMN);
}

/** What the table says when there is nothing to show. */
export function emptyListLine(regions: readonly string[], name: string | undefined): string {
  const where = regions.join(', ');
  return name ? l10n.t('No synchronization jobs named like {0} in {1}', JSON.stringify(stripControl(name)), where) : l10n.t('No synchronization jobs in {0}', where);
}

/** The lines for stderr: each failed region (with how many of its jobs were listed before), then the notes. */
export function listErrorLines(found: Discovery): string[] {
  return [
    ...found.errors.map((f) => {
      const listed = found.jobs.filter((j) => j.region === f.region).length;
      const message = safeText(f.error.message);
      return listed > 0 ? l10n.t('error: {0}: {1} (after {2} jobs)', f.region, message, listed) : l10n.t('error: {0}: {1}', f.region, message);
    }),
    ...found.notes.map((n) => l10n.t('note: {0}: {1}', n.region, safeText(n.message))),
  ];
}

/** 0 every region listed; 2 a region failed, wholly or midway. */
export function listExitCode(found: Discovery): 0 | 2 {
  return found.errors.length > 0 ? 2 : 0;
}
