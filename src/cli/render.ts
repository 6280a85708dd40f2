import * as l10n from '@vscode/l10n';
import { isFailed, needsAttention } from '../core/attention';
import type { DirectionRecord, DirectionStatus, Health, JobStatus } from '../core/model';
import { directionLabel, directionRecord, formatLag, statusLabel } from '../core/model';
import type { Snapshot } from '../core/query';
import type { DtsError } from '../core/api/errors';
import { safeText, stripControl } from '../core/safeText';
import { formatUtc } from '../core/views/time';

/** The `--json` document: a public interface, see the README. API words and field names, in every language. */
export interface StatusDocument {
  checkedAt: string;
  jobs: {
    jobId: string;
    region: string;
    found: boolean;
    health: Health;
    directions: DirectionRecord[];
  }[];
  errors: { region: string; code: string; message: string; requestId: string | null; jobIds: string[] }[];
}

/** A failed query in `--json` (the status command's and `list`'s alike): a public shape, fields never renamed. */
export type ErrorRecord = StatusDocument['errors'][number];

export function errorRecord(region: string, error: DtsError, jobIds: readonly string[]): ErrorRecord {
  return {
    region,
    code: safeText(error.code),
    message: safeText(error.message),
    requestId: error.requestId === undefined ? null : safeText(error.requestId),
    jobIds: [...jobIds],
  };
}

export function toDocument(snapshot: Snapshot): StatusDocument {
  return {
    checkedAt: snapshot.checkedAt.toISOString(),
    // JSON.stringify escapes C0 controls but not C1 or bidi overrides: every text from outside is stripped first.
    jobs: snapshot.jobs.map((job) => ({
      jobId: stripControl(job.jobId),
      region: job.region,
      found: job.found,
      health: job.health,
      directions: job.directions.map(directionRecord),
    })),
    errors: snapshot.errors.map((f) => errorRecord(f.region, f.error, f.jobIds)),
  };
}

/** 0 all fine; 1 a job failed or needs attention; 2 a query failed. */
export function exitCodeFor(snapshot: Snapshot): 0 | 1 | 2 {
  if (snapshot.errors.length > 0) {
    return 2;
  }
  const attention = snapshot.jobs.some((status) => isFailed({ status }) || needsAttention({ status }));
  return attention ? 1 : 0;
}

const COLOURS: Readonly<Record<Health, string>> = {
  ok: '\x1b[32m',
  pending: '\x1b[36m',
  warning: '\x1b[33m',
  error: '\x1b[31m',
  finished: '\x1b[2m',
  unknown: '\x1b[35m',
};
const RESET = '\x1b[0m';

/** The index of the status column: the one that is coloured. */
const STATUS_COLUMN = 3;

function rowsOf(job: JobStatus): { cells: string[]; health: Health; direction?: DirectionStatus }[] {
  if (!job.found) {
    return [{ cells: [job.jobId, job.region, '-', l10n.t('Not found in {0}', job.region), '-', '-'], health: job.health }];
  }
  if (job.directions.length === 0) {
    return [{ cells: [job.jobId, job.region, '-', l10n.t('No directions reported'), '-', '-'], health: 'unknown' }];
  }
  return job.directions.map((d) => ({
    cells: [
      job.jobId,
      job.region,
      directionLabel(d.direction),
      statusLabel(d.status),
      d.lagSeconds === null ? '-' : formatLag(d.lagSeconds),
      d.checkpoint ? formatUtc(d.checkpoint) : '-',
    ],
    health: d.health,
    direction: d,
  }));
}

/** East Asian wide and fullwidth characters take two terminal columns: Chinese words must not break the alignment. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    const wide =
      (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function padCell(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** A row of an aligned table: its cells, the health that colours one of them, lines indented below it. */
export interface TableRow {
  readonly cells: readonly string[];
  readonly health?: Health;
  readonly below?: readonly string[];
}

/**
 * Columns padded to their widest cell (wide characters count two), the `colourColumn` coloured by the row's health
 * when asked (a TTY); '' when there are no rows.
 */
export function alignedTable(header: readonly string[], rows: readonly TableRow[], colour: boolean, colourColumn: number): string {
  // Cells are plain text before any colour code goes in: an ESC from the server must never reach the terminal.
  const clean = rows.map((r) => ({ ...r, cells: r.cells.map(stripControl) }));
  if (clean.length === 0) {
    return '';
  }
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...clean.map((r) => displayWidth(r.cells[i] ?? ''))));
  const line = (cells: readonly string[], health?: Health): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : padCell(c, widths[i]);
        return health !== undefined && i === colourColumn ? `${COLOURS[health]}${c}${RESET}${padded.slice(c.length)}` : padded;
      })
      .join('  ');
  const below = (row: TableRow): string[] => (row.below ?? []).map((text) => `    ${stripControl(text)}`);
  return [line(header), ...clean.flatMap((row) => [line(row.cells, colour ? row.health : undefined), ...below(row)])].join('\n');
}

/** One aligned line per job direction, failed batches after; colour only when asked (a TTY). `under`: lines indented below a direction. */
export function renderTable(snapshot: Snapshot, colour: boolean, under?: (job: JobStatus, d: DirectionStatus) => readonly string[]): string {
  const header = [l10n.t('JOB'), l10n.t('REGION'), l10n.t('DIRECTION'), l10n.t('STATUS'), l10n.t('LAG'), l10n.t('CHECKPOINT')];
  const rows = snapshot.jobs.flatMap((job) =>
    rowsOf(job).map((r) => ({ cells: r.cells, health: r.health, below: r.direction && under ? under(job, r.direction) : [] })),
  );
  return alignedTable(header, rows, colour, STATUS_COLUMN);
}

export function renderErrors(snapshot: Snapshot): string[] {
  return [
    ...snapshot.errors.map((f) => l10n.t('error: {0} ({1}): {2}', f.region, f.jobIds.join(', '), safeText(f.error.message))),
    ...snapshot.notes.map((n) => l10n.t('note: {0}: {1}', n.region, safeText(n.message))),
  ];
}
