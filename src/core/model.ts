/**
 * The domain in one place: statuses, health, lag. The tree, the status bar, notifications and the CLI all read
 * their words and colours from these functions.
 */

import * as l10n from '@vscode/l10n';
import { formatNumber } from './locale';
import { quoteUntrusted, stripControl } from './safeText';

export type Health = 'ok' | 'pending' | 'warning' | 'error' | 'finished' | 'unknown';

/** Worst first: a job's health is the first of these any of its directions has. */
export const HEALTH_SEVERITY: readonly Health[] = ['error', 'warning', 'unknown', 'pending', 'ok', 'finished'];

/**
 * Known direction statuses (lowercase) → health. `synchronizing` turns `warning` past the lag threshold. A Map, not
 * an object: a status such as `constructor` or `__proto__` must not find Object.prototype's members.
 */
const STATUS_HEALTH: ReadonlyMap<string, Health> = tableOf({
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
});

/**
 * Human words for each known status, in the DTS console's terms; unknown statuses are shown exactly as the API sent
 * them. Functions, so the words are looked up in the language configured when they are shown.
 */
const STATUS_LABEL: ReadonlyMap<string, () => string> = tableOf({
  notstarted: () => l10n.t('Not started'),
  prechecking: () => l10n.t('Prechecking'),
  precheckpass: () => l10n.t('Precheck passed'),
  precheckfailed: () => l10n.t('Precheck failed'),
  initializing: () => l10n.t('Initializing'),
  initializating: () => l10n.t('Initializing'),
  initializefailed: () => l10n.t('Initialization failed'),
  synchronizing: () => l10n.t('Synchronizing'),
  failed: () => l10n.t('Failed'),
  suspending: () => l10n.t('Paused'),
  modifying: () => l10n.t('Modifying objects'),
  retrying: () => l10n.t('Retrying'),
  upgrade: () => l10n.t('Upgrading'),
  downgrade: () => l10n.t('Downgrading'),
  notconfigured: () => l10n.t('Not configured'),
  locked: () => l10n.t('Locked'),
  finished: () => l10n.t('Finished'),
});

/** Direction names shown in rows; `--json`, tree ids and the store keep the API's `Forward`/`Reverse`. */
const DIRECTION_LABEL: ReadonlyMap<string, () => string> = tableOf({
  forward: () => l10n.t('Forward'),
  reverse: () => l10n.t('Reverse'),
});

function tableOf<V>(entries: Readonly<Record<string, V>>): ReadonlyMap<string, V> {
  return new Map(Object.entries(entries));
}

export function statusKey(status: string): string {
  return status.trim().toLowerCase();
}

export function statusHealth(status: string): Health {
  return STATUS_HEALTH.get(statusKey(status)) ?? 'unknown';
}

/** The words for a known status; an unknown one as sent, minus control characters (it may reach a terminal). */
export function statusLabel(status: string): string {
  return STATUS_LABEL.get(statusKey(status))?.() ?? (stripControl(status) || l10n.t('Unknown'));
}

/** A direction's name for display: `Forward`/`Reverse` in the UI language, anything else as sent, control-free. */
export function directionLabel(direction: string): string {
  return DIRECTION_LABEL.get(statusKey(direction))?.() ?? (stripControl(direction) || l10n.t('(no direction)'));
}

/** Seconds between the checkpoint and "now" (the server's clock when known); never negative. */
export function lagSeconds(checkpoint: Date | null, now: Date): number | null {
  if (!checkpoint || !isValidDate(checkpoint) || !isValidDate(now)) {
    return null;
  }
  return Math.max(0, Math.floor((now.getTime() - checkpoint.getTime()) / 1000));
}

function isValidDate(date: Date): boolean {
  return Number.isFinite(date.getTime());
}

export function directionHealth(status: string, lag: number | null, lagWarningSeconds: number): Health {
  const health = statusHealth(status);
  if (health === 'ok' && lag !== null && lag > lagWarningSeconds) {
    return 'warning';
  }
  return health;
}

/** Each health's place in HEALTH_SEVERITY (0 is the worst). */
const SEVERITY_RANK: ReadonlyMap<string, number> = new Map(HEALTH_SEVERITY.map((h, i) => [h, i]));

/** A health's place in HEALTH_SEVERITY, 0 the worst; undefined for anything that is not a health. */
export function healthRank(health: string): number | undefined {
  return SEVERITY_RANK.get(health);
}

export function worstHealth(healths: Iterable<Health>): Health | undefined {
  let worst: number | undefined;
  for (const h of healths) {
    const rank = healthRank(h);
    if (rank === undefined) {
      continue;
    }
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
  /** The checkpoint as sent when it was there but not a plausible time (then `checkpoint` is null); control-free. */
  readonly checkpointRaw?: string;
  /** Whole seconds the checkpoint is ahead of "now", set only past `CLOCK_SKEW_TOLERANCE_SECONDS` (clock skew). */
  readonly aheadSeconds?: number;
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
  /** The checkpoint as sent when it was there but not a plausible time (then `checkpoint` is null); control-free. */
  readonly checkpointRaw?: string;
}

/** A checkpoint this far ahead of the reference clock is worth a note; less is ordinary clock jitter. */
export const CLOCK_SKEW_TOLERANCE_SECONDS = 60;

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
      // A Date that is not a time (from a caller other than the parser) must not reach toISOString downstream.
      const checkpoint = d.checkpoint && isValidDate(d.checkpoint) ? d.checkpoint : null;
      const lag = lagSeconds(checkpoint, now);
      const ahead = checkpoint && isValidDate(now) ? Math.floor((checkpoint.getTime() - now.getTime()) / 1000) : 0;
      return {
        ...d,
        checkpoint,
        lagSeconds: lag,
        health: directionHealth(d.status, lag, lagWarningSeconds),
        ...(ahead > CLOCK_SKEW_TOLERANCE_SECONDS ? { aheadSeconds: ahead } : {}),
      };
    });
  return { jobId, region, found: true, health: worstHealth(directions.map((d) => d.health)) ?? 'unknown', directions };
}

/**
 * One short, printable note per direction whose checkpoint was odd: not a plausible time (shown as none), or ahead
 * of the reference clock (lag shown as 0). For the log, next to the notes of the answer.
 */
export function statusNotes(status: JobStatus): string[] {
  const notes: string[] = [];
  for (const d of status.directions) {
    const job = stripControl(status.jobId);
    const direction = directionLabel(d.direction);
    if (d.checkpointRaw !== undefined) {
      notes.push(l10n.t('{0} {1}: checkpoint {2} is not a plausible time; shown as none', job, direction, quoteUntrusted(d.checkpointRaw, 40)));
    }
    if (d.aheadSeconds !== undefined && d.aheadSeconds > CLOCK_SKEW_TOLERANCE_SECONDS) {
      notes.push(l10n.t('{0} {1}: {2}', job, direction, aheadNote(d.aheadSeconds)));
    }
  }
  return notes;
}

function directionRank(direction: string): number {
  const i = DIRECTION_ORDER.indexOf(direction.toLowerCase());
  return i === -1 ? DIRECTION_ORDER.length : i;
}

/** What a checkpoint ahead of the server clock means for the lag shown; the CLI's notes and the tooltips share it. */
export function aheadNote(aheadSeconds: number): string {
  return l10n.t('checkpoint is {0} ahead of the server clock (clock skew?); lag shown as 0', formatLag(aheadSeconds));
}

/** `8 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`: short enough for a tree row; each shape a whole message. */
export function formatLag(seconds: number): string {
  const n = formatNumber;
  if (seconds < 60) {
    return l10n.t('{0} s', n(seconds));
  }
  if (seconds < 3600) {
    const s = seconds % 60;
    const m = Math.floor(seconds / 60);
    return s ? l10n.t('{0} min {1} s', n(m), n(s)) : l10n.t('{0} min', n(m));
  }
  if (seconds < 86400) {
    const m = Math.floor((seconds % 3600) / 60);
    const h = Math.floor(seconds / 3600);
    return m ? l10n.t('{0} h {1} min', n(h), n(m)) : l10n.t('{0} h', n(h));
  }
  const h = Math.floor((seconds % 86400) / 3600);
  const d = Math.floor(seconds / 86400);
  return h ? l10n.t('{0} d {1} h', n(d), n(h)) : l10n.t('{0} d', n(d));
}

/** The largest whole unit only (`5 min`, `2 h`): for ages, where precision would only add noise. */
export function formatRoughDuration(seconds: number): string {
  const n = formatNumber;
  if (seconds < 60) {
    return l10n.t('{0} s', n(seconds));
  }
  if (seconds < 3600) {
    return l10n.t('{0} min', n(Math.floor(seconds / 60)));
  }
  if (seconds < 86400) {
    return l10n.t('{0} h', n(Math.floor(seconds / 3600)));
  }
  return l10n.t('{0} d', n(Math.floor(seconds / 86400)));
}

/** A direction in the `--json` document and the saved snapshot: API words, ISO times, no control characters. */
export interface DirectionRecord {
  readonly direction: string;
  readonly status: string;
  readonly health: Health;
  readonly checkpoint: string | null;
  readonly lagSeconds: number | null;
  /** Only when DTS sent a checkpoint that is not a plausible time (then `checkpoint` is null). */
  readonly checkpointRaw?: string;
}

export function directionRecord(d: DirectionStatus): DirectionRecord {
  // JSON.stringify escapes C0 controls but not C1 or bidi overrides: every text from outside is stripped first.
  return {
    direction: stripControl(d.direction),
    status: stripControl(d.status),
    health: d.health,
    checkpoint: d.checkpoint ? d.checkpoint.toISOString() : null,
    lagSeconds: d.lagSeconds,
    ...(d.checkpointRaw === undefined ? {} : { checkpointRaw: stripControl(d.checkpointRaw) }),
  };
}
