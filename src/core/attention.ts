import { healthWithExpiry, type Expiry } from './expiry';
import type { Health, JobStatus } from './model';

/**
 * What a watched job asks of the user, decided once for the tree, the status bar, the badge and the CLI's exit code:
 * failed, needs attention, or nothing.
 */

/** A job as far as attention goes: its last status, whether that is out of date, and whether fetching it failed. */
export interface Watched {
  readonly status: JobStatus | undefined;
  readonly stale?: boolean;
  readonly error?: unknown;
  /** A subscription about to expire (a warning) or expired (an error): counts like a direction's health. */
  readonly expiry?: Expiry;
}

/** What the user should look at first: the job's health, or why it has none (a failed first fetch is a warning). */
export function jobHealth(job: Watched): Health {
  if (!job.status) {
    return job.error ? 'warning' : 'pending';
  }
  return job.status.found ? healthWithExpiry(job.status.health, job.expiry) : job.status.health;
}

/** Failed: a found job whose worst direction is `error`. */
export function isFailed(job: Watched): boolean {
  return job.status?.found === true && jobHealth(job) === 'error';
}

/** Needs attention but has not failed: paused, lagging, not found, unknown status, stale, or no status after an error. */
export function needsAttention(job: Watched): boolean {
  if (isFailed(job)) {
    return false;
  }
  const health = jobHealth(job);
  return health === 'warning' || health === 'unknown' || job.stale === true;
}
