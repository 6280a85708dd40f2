import * as l10n from '@vscode/l10n';
import { clockFormats, currentLanguage, SOURCE_LANGUAGE } from '../locale';
import { formatRoughDuration } from '../model';

/**
 * `14:03:05` in the given time zone (the machine's by default); the date is added when it is not today. A refresh of
 * many jobs formats many checkpoints against one `now`: its day is formatted once, and English in the machine's zone
 * (the usual case) is written out directly, as the Intl formatters would.
 */
export function formatClock(date: Date, now: Date, timeZone?: string): string {
  if (timeZone === undefined && currentLanguage().startsWith(SOURCE_LANGUAGE) && plainYear(date)) {
    const today = localToday(now);
    if (today !== undefined) {
      const year = date.getFullYear();
      const month = date.getMonth() + 1;
      const day = date.getDate();
      const time = localTime(date);
      return year * 10000 + month * 100 + day === today ? time : `${year}-${TWO[month]}-${TWO[day]} ${time}`;
    }
  }
  const formats = clockFormats(timeZone);
  const shownDay = formats.day.format(date);
  return shownDay === dayOfNow(formats.day, now) ? formats.time.format(date) : `${shownDay} ${formats.time.format(date)}`;
}

let lastNow: { readonly formatter: Intl.DateTimeFormat; readonly ms: number; readonly day: string } | undefined;

function dayOfNow(formatter: Intl.DateTimeFormat, now: Date): string {
  if (lastNow?.formatter !== formatter || lastNow.ms !== now.getTime()) {
    lastNow = { formatter, ms: now.getTime(), day: formatter.format(now) };
  }
  return lastNow.day;
}

let lastToday: { readonly ms: number; readonly day: number | undefined } | undefined;

/** `now`'s day in the machine's zone as yyyymmdd (one `now` serves a whole refresh), or undefined past a plain year. */
function localToday(now: Date): number | undefined {
  if (lastToday?.ms !== now.getTime()) {
    lastToday = { ms: now.getTime(), day: plainYear(now) ? now.getFullYear() * 10000 + (now.getMonth() + 1) * 100 + now.getDate() : undefined };
  }
  return lastToday.day;
}

/** Years Intl writes with four digits and no era or sign (the direct English form covers only these). */
function plainYear(date: Date): boolean {
  const year = date.getFullYear();
  return year >= 1000 && year <= 9999;
}

/** `00` to `60`: months, days, hours, minutes and seconds with two digits. */
const TWO = Array.from({ length: 61 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

/** `23:59:59` in the machine's zone, as `en-GB` with a 23-hour cycle writes it. */
function localTime(date: Date): string {
  return `${TWO[date.getHours()]}:${TWO[date.getMinutes()]}:${TWO[date.getSeconds()]}`;
}

/** `2026-11-28 14:03:05 UTC`: the one UTC form, for tooltips and the CLI's table alike. */
export function formatUtc(date: Date): string {
  const iso = date.toISOString().slice(0, 19);
  const t = iso.indexOf('T');
  return `${iso.slice(0, t)} ${iso.slice(t + 1)} UTC`;
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
