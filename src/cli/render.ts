import type { Health, JobStatus } from '../core/model';
import { formatLag, statusLabel } from '../core/model';
import type { Snapshot } from '../core/query';
import { safeText, stripControl } from '../core/safeText';

/** The `--json` document: a public interface, see the README. */
export interface StatusDocument {
  checkedAt: string;
  jobs: {
    jobId: string;
    region: string;
    found: boolean;
    health: Health;
    directions: {
      direction: string;
      status: string;
      health: Health;
      checkpoint: string | null;
      lagSeconds: number | null;
      /** Only when DTS sent a checkpoint that is not a plausible time (then `checkpoint` is null). */
      checkpointRaw?: string;
    }[];
  }[];
  errors: { region: string; code: string; message: string; requestId: string | null; jobIds: string[] }[];
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
      directions: job.directions.map((d) => ({
        direction: stripControl(d.direction),
        status: stripControl(d.status),
        health: d.health,
        checkpoint: d.checkpoint ? d.checkpoint.toISOString() : null,
        lagSeconds: d.lagSeconds,
        ...(d.checkpointRaw === undefined ? {} : { checkpointRaw: stripControl(d.checkpointRaw) }),
      })),
    })),
    errors: snapshot.errors.map((f) => ({
      region: f.region,
      code: safeText(f.error.code),
      message: safeText(f.error.message),
      requestId: f.error.requestId === undefined ? null : safeText(f.error.requestId),
      jobIds: [...f.jobIds],
    })),
  };
}

/** 0 all fine; 1 a job needs attention; 2 a query failed. */
export function exitCodeFor(snapshot: Snapshot): 0 | 1 | 2 {
  if (snapshot.errors.length > 0) {
    return 2;
  }
  const attention = snapshot.jobs.some((j) => !j.found || j.health === 'warning' || j.health === 'error' || j.health === 'unknown');
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

function timeUtc(date: Date | null): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '-';
}

function rowsOf(job: JobStatus): { cells: string[]; health: Health }[] {
  if (!job.found) {
    return [{ cells: [job.jobId, job.region, '-', `Not found in ${job.region}`, '-', '-'], health: job.health }];
  }
  if (job.directions.length === 0) {
    return [{ cells: [job.jobId, job.region, '-', 'No directions reported', '-', '-'], health: 'unknown' }];
  }
  return job.directions.map((d) => ({
    cells: [job.jobId, job.region, d.direction, statusLabel(d.status), d.lagSeconds === null ? '-' : formatLag(d.lagSeconds), timeUtc(d.checkpoint)],
    health: d.health,
  }));
}

/** One aligned line per job direction, failed batches after; colour only when asked (a TTY). */
export function renderTable(snapshot: Snapshot, colour: boolean): string {
  const header = ['JOB', 'REGION', 'DIRECTION', 'STATUS', 'LAG', 'CHECKPOINT (UTC)'];
  // Cells are plain text before any colour code goes in: an ESC from the server must never reach the terminal.
  const rows = snapshot.jobs.flatMap(rowsOf).map((r) => ({ ...r, cells: r.cells.map(stripControl) }));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const out: string[] = [];
  if (rows.length > 0) {
    out.push(line(header));
    for (const row of rows) {
      const text = line(row.cells);
      if (!colour) {
        out.push(text);
        continue;
      }
      const start = widths.slice(0, 3).reduce((a, w) => a + w + 2, 0);
      const end = start + widths[3];
      out.push(`${text.slice(0, start)}${COLOURS[row.health]}${text.slice(start, end)}${RESET}${text.slice(end)}`);
    }
  }
  return out.join('\n');
}

export function renderErrors(snapshot: Snapshot): string[] {
  return [
    ...snapshot.errors.map((f) => `error: ${f.region} (${f.jobIds.join(', ')}): ${safeText(f.error.message)}`),
    ...snapshot.notes.map((n) => `note: ${n.region}: ${safeText(n.message)}`),
  ];
}
