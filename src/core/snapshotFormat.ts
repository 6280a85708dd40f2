import { jobKey } from './jobs';
import { directionRecord, HEALTH_SEVERITY, type DirectionRecord, type DirectionStatus, type Health, type JobStatus } from './model';
import type { JobView } from './store';

/**
 * The last statuses as saved between sessions (VS Code's globalState): a versioned JSON format, kept apart from the
 * live store so the store never has to know how it is written down.
 */
export interface PersistedSnapshot {
  readonly version: 1;
  readonly jobs: readonly PersistedJob[];
}

interface PersistedJob {
  readonly id: string;
  readonly region: string;
  readonly fetchedAt: string;
  readonly found: boolean;
  readonly health: Health;
  readonly directions: readonly PersistedDirection[];
}

/** A direction is written down as the CLI's `--json` shows it: one form for both. */
type PersistedDirection = DirectionRecord;

/** A saved status, revived: what the store restores, keyed by `jobKey`. */
export interface SavedStatus {
  readonly status: JobStatus;
  readonly fetchedAt: Date;
}

export function toPersisted(jobs: readonly JobView[]): PersistedSnapshot {
  return {
    version: 1,
    jobs: jobs.flatMap((view) => {
      const { status, fetchedAt } = view;
      if (!status || !fetchedAt) {
        return [];
      }
      return [
        {
          id: view.spec.id,
          region: view.spec.region,
          fetchedAt: fetchedAt.toISOString(),
          found: status.found,
          health: status.health,
          directions: status.directions.map(directionRecord),
        },
      ];
    }),
  };
}

/** Reads a saved snapshot from an older version or a hand-edited state file; anything malformed is ignored whole. */
export function parsePersisted(value: unknown): ReadonlyMap<string, SavedStatus> {
  const saved = new Map<string, SavedStatus>();
  if (!isPersisted(value)) {
    return saved;
  }
  for (const job of value.jobs) {
    saved.set(jobKey(job), {
      fetchedAt: new Date(job.fetchedAt),
      status: {
        jobId: job.id,
        region: job.region,
        found: job.found,
        health: job.health,
        directions: job.directions.map(
          (d): DirectionStatus => ({
            direction: d.direction,
            status: d.status,
            health: d.health,
            lagSeconds: d.lagSeconds,
            checkpoint: d.checkpoint === null ? null : new Date(d.checkpoint),
            ...(d.checkpointRaw === undefined ? {} : { checkpointRaw: d.checkpointRaw }),
          }),
        ),
      },
    });
  }
  return saved;
}

const HEALTHS: ReadonlySet<unknown> = new Set<Health>(HEALTH_SEVERITY);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isDateString(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(new Date(value).getTime());
}

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
            (d['lagSeconds'] === null || (typeof d['lagSeconds'] === 'number' && Number.isFinite(d['lagSeconds']))) &&
            (d['checkpointRaw'] === undefined || typeof d['checkpointRaw'] === 'string'),
        ),
    )
  );
}
