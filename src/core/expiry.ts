import * as l10n from '@vscode/l10n';
import { formatNumber } from './locale';
import { worstHealth, type Health } from './model';

/**
 * When a subscription (`PrePaid`) job runs out: a warning within `dtsSync.expiryWarningDays` of its expiry, an error
 * once it has expired. Pay-as-you-go (`PostPaid`) jobs never expire. Pure: the clock comes in as `now`.
 */

export const DEFAULT_EXPIRY_WARNING_DAYS = 7;
export const MAX_EXPIRY_WARNING_DAYS = 365;

/** The setting the warning window is read from; named in messages as is, never translated. */
const SETTING = 'dtsSync.expiryWarningDays';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface Expiry {
  readonly health: 'warning' | 'error';
  /** `expires in 3 days`, `expires in 46 h`, `expired 2 days ago` (nearest unit, see roundedSpan): tree, status bar, tooltips. */
  readonly words: string;
}

/** True for a subscription job, the only kind that expires (`PayType` is `PrePaid`, in any case). */
export function isSubscription(payType: string | undefined): boolean {
  return payType?.trim().toLowerCase() === 'prepaid';
}

/**
 * The expiry worth showing, or undefined when there is none: not a subscription, no (valid) expire time, or more
 * than `warningDays` away.
 */
export function expiryState(payType: string | undefined, expireTime: Date | undefined, now: Date, warningDays: number): Expiry | undefined {
  if (!isSubscription(payType) || !expireTime || !Number.isFinite(expireTime.getTime()) || !Number.isFinite(now.getTime())) {
    return undefined;
  }
  const remaining = expireTime.getTime() - now.getTime();
  if (remaining <= 0) {
    return { health: 'error', words: expiredWords(-remaining) };
  }
  return remaining <= warningDays * DAY_MS ? { health: 'warning', words: expiresWords(remaining) } : undefined;
}

/** A job's health with its expiry counted in: the worse of the two. */
export function healthWithExpiry(health: Health, expiry: Expiry | undefined): Health {
  return expiry ? (worstHealth([health, expiry.health]) ?? health) : health;
}

/**
 * A span in one unit, rounded to the nearest: minutes under an hour, hours under two days, days from there. The unit
 * follows the rounded count, so 1.9 days reads "46 h", never "1 day", and 2.6 days reads "3 days". The tree, the
 * tooltips, the status bar and the CLI all show these same words.
 */
function roundedSpan(ms: number): { readonly unit: 'min' | 'h' | 'days'; readonly count: number } {
  const minutes = Math.round(ms / MINUTE_MS);
  if (minutes < 60) {
    return { unit: 'min', count: Math.max(1, minutes) };
  }
  const hours = Math.round(ms / HOUR_MS);
  return hours < 48 ? { unit: 'h', count: hours } : { unit: 'days', count: Math.round(ms / DAY_MS) };
}

/** Whole messages per unit, so each language words them its own way. */
function expiresWords(ms: number): string {
  const { unit, count } = roundedSpan(ms);
  const n = formatNumber(count);
  switch (unit) {
    case 'days':
      return l10n.t('expires in {0} days', n);
    case 'h':
      return l10n.t('expires in {0} h', n);
    case 'min':
      return l10n.t('expires in {0} min', n);
  }
}

function expiredWords(ms: number): string {
  if (ms < MINUTE_MS) {
    return l10n.t('expired just now');
  }
  const { unit, count } = roundedSpan(ms);
  const n = formatNumber(count);
  switch (unit) {
    case 'days':
      return l10n.t('expired {0} days ago', n);
    case 'h':
      return l10n.t('expired {0} h ago', n);
    case 'min':
      return l10n.t('expired {0} min ago', n);
  }
}

/** Reads `dtsSync.expiryWarningDays` (days, 0 to 365; 0 warns only once expired); anything else falls back to 7. */
export function parseExpiryWarningDays(raw: unknown): { readonly days: number; readonly problem?: string } {
  if (raw === undefined || raw === null) {
    return { days: DEFAULT_EXPIRY_WARNING_DAYS };
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > MAX_EXPIRY_WARNING_DAYS) {
    return {
      days: DEFAULT_EXPIRY_WARNING_DAYS,
      problem: l10n.t('{0} must be a number from {1} to {2}; using {3}', SETTING, 0, MAX_EXPIRY_WARNING_DAYS, DEFAULT_EXPIRY_WARNING_DAYS),
    };
  }
  return { days: raw };
}
