import { formatLag } from '../model';

/** `14:03:05` in the given time zone (the machine's by default); the date is added when it is not today. */
export function formatClock(date: Date, now: Date, timeZone?: string): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(date);
  const sameDay = day.format(date) === day.format(now);
  return sameDay ? time : `${day.format(date)} ${time}`;
}

/** `2026-11-28 14:03:05 UTC`. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `just now`, `12 s ago`, `5 min ago`, `2 h ago`. */
export function formatAge(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (seconds < 5) {
    return 'just now';
  }
  const amount = formatLag(seconds);
  return `${amount.split(' ').slice(0, 2).join(' ')} ago`;
}
