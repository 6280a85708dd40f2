/**
 * The domain in one place: statuses, health, lag. The tree, the status bar, notifications and the CLI all read
 * their words and colours from these functions.
 */

export type Health = 'ok' | 'pending' | 'warning' | 'error' | 'finished' | 'unknown';

/** Worst first: a job's health is the first of these any of its directions has. */
export const HEALTH_SEVERITY: readonly Health[] = ['error', 'warning', 'unknown', 'pending', 'ok', 'finished'];

/** Known direction statuses (lowercase) → health. `synchronizing` turns `warning` past the lag threshold. */
const STATUS_HEALTH: Readonly<Record<string, Health>> = {
  notstarted: 'pending',
  prechecking: 'pending',
  precheckpass: 'pending',
  precheckfailed: 'error',
  initializing: 'pending',
  initializating: 'pending',
  initializefailed: 'error',
  synchronizing: 'ok',
  failed: 'error',
  suspending: 'warning',
  modifying: 'pending',
  retrying: 'warning',
  upgrade: 'pending',
  downgrade: 'pending',
  notconfigured: 'pending',
  locked: 'error',
  finished: 'finished',
};

/** Human words for each known status; unknown statuses are shown exactly as the API sent them. */
const STATUS_LABEL: Readonly<Record<string, string>> = {
  notstarted: 'Not started',
  prechecking: 'Prechecking',
  precheckpass: 'Precheck passed',
  precheckfailed: 'Precheck failed',
  initializing: 'Initializing',
  initializating: 'Initializing',
  initializefailed: 'Initialization failed',
  synchronizing: 'Synchronizing',
  failed: 'Failed',
  suspending: 'Paused',
  modifying: 'Modifying objects',
  retrying: 'Retrying',
  upgrade: 'Upgrading',
  downgrade: 'Downgrading',
  notconfigured: 'Not configured',
  locked: 'Locked',
  finished: 'Finished',
};

export function statusKey(status: string): string {
  return status.trim().toLowerCase();
}

export function statusHealth(status: string): Health {
  return STATUS_HEALTH[statusKey(status)] ?? 'unknown';
}

export function statusLabel(status: string): string {
  return STATUS_LABEL[statusKey(status)] ?? (status.trim() || 'Unknown');
}

/** Seconds between the checkpoint and "now" (the server's clock when known); never negative. */
export function lagSeconds(checkpoint: Date | null, now: Date): number | null {
  if (!checkpoint) {
    return null;
  }
  return Math.max(0, Math.floor((now.getTime() - checkpoint.getTime()) / 1000));
}

export function directionHealth(status: string, lag: number | null, lagWarningSeconds: number): Health {
  const health = statusHealth(status);
  if (health === 'ok' && lag !== null && lag > lagWarningSeconds) {
    return 'warning';
  }
  return health;
}

export function worstHealth(healths: Iterable<Health>): Health | undefined {
  let worst: number | undefined;
  for (const h of healths) {
    const rank = HEALTH_SEVERITY.indexOf(h);
    worst = worst === undefined ? rank : Math.min(worst, rank);
  }
  return worst === undefined ? undefined : HEALTH_SEVERITY[worst];
}

export interface DirectionStatus {
  /** `Forward` or `Reverse` (or whatever else the API sent). */
  readonly direction: string;
  /** The raw status as the API sent it. */
  readonly status: string;
  readonly health: Health;
  readonly checkpoint: Date | null;
  readonly lagSeconds: number | null;
}

export interface JobStatus {
  readonly jobId: string;
  readonly region: string;
  /** False when the job was asked for and not returned: a wrong ID or a wrong region. */
  readonly found: boolean;
  readonly health: Health;
  readonly directions: readonly DirectionStatus[];
}

/** A direction exactly as the API reported it, before health and lag are worked out. */
export interface RawDirection {
  readonly direction: string;
  readonly status: string;
  readonly checkpoint: Date | null;
}

const DIRECTION_ORDER = ['forward', 'reverse'];

/** Turns the API's directions into a job status; `now` is the server's clock when it sent one. */
export function buildJobStatus(
  jobId: string,
  region: string,
  raw: readonly RawDirection[] | undefined,
  now: Date,
  lagWarningSeconds: number,
): JobStatus {
  if (!raw) {
    return { jobId, region, found: false, health: 'unknown', directions: [] };
  }
  const directions = [...raw]
    .sort((a, b) => directionRank(a.direction) - directionRank(b.direction))
    .map((d): DirectionStatus => {
      const lag = lagSeconds(d.checkpoint, now);
      return { ...d, lagSeconds: lag, health: directionHealth(d.status, lag, lagWarningSeconds) };
    });
  return { jobId, region, found: true, health: worstHealth(directions.map((d) => d.health)) ?? 'unknown', directions };
}

function directionRank(direction: string): number {
  const i = DIRECTION_ORDER.indexOf(direction.toLowerCase());
  return i === -1 ? DIRECTION_ORDER.length : i;
}

/** `8 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`: short enough for a tree row. */
export function formatLag(seconds: number): string {
  if (seconds < 60) {
    return `${seconds} s`;
  }
  if (seconds < 3600) {
    const s = seconds % 60;
    return `${Math.floor(seconds / 60)} min${s ? ` ${s} s` : ''}`;
  }
  if (seconds < 86400) {
    const m = Math.floor((seconds % 3600) / 60);
    return `${Math.floor(seconds / 3600)} h${m ? ` ${m} min` : ''}`;
  }
  const h = Math.floor((seconds % 86400) / 3600);
  return `${Math.floor(seconds / 86400)} d${h ? ` ${h} h` : ''}`;
}
