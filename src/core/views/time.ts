import * as l10n from '@vscode/l10n';
import { clockFormats } from '../locale';
import { formatRoughDuration } from '../model';

/** `14:03:05` in the given time zone (the machine's by default); the date is added when it is not today. */
export function formatClock(date: Date, now: Date, timeZone?: string): string {
  const { day, time } = clockFormats(timeZone);
  const shownDay = day.format(date);
  return shownDay === day.format(now) ? time.format(date) : `${shownDay} ${time.format(date)}`;
}

/** `2026-11-28 14:03:05 UTC`: the one UTC form, for tooltips and the CLI's table alike. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function secondsBetween(from: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
}

/** `just now`, `12 s ago`, `5 min ago`, `2 h ago`. */
export function formatAge(from: Date, now: Date): string {
  const seconds = secondsBetween(from, now);
  return seconds < 5 ? l10n.t('just now') : l10n.t('{0} ago', formatRoughDuration(seconds));
}

/** `stale, 5 min old`: how old the status shown in place of a fresh one is. */
export function formatStale(from: Date, now: Date): string {
  return l10n.t('stale, {0} old', formatRoughDuration(secondsBetween(from, now)));
}
