import * as assert from 'node:assert/strict';
import { formatAge, formatClock, formatUtc } from '../../src/core/views/time';

const at = (iso: string): Date => new Date(iso);
const secondsBefore = (date: Date, seconds: number): Date => new Date(date.getTime() - seconds * 1000);

describe('views/time', () => {
  describe('formatClock', () => {
    const now = at('2024-05-01T15:00:00Z');

    it('shows only the time of a checkpoint from the same day', () => {
      assert.equal(formatClock(at('2024-05-01T14:03:05Z'), now, 'UTC'), '14:03:05');
    });

    it('uses a 24-hour clock with leading zeros', () => {
      assert.equal(formatClock(at('2024-05-01T00:04:09Z'), now, 'UTC'), '00:04:09');
    });

    it('adds the date to a checkpoint from an earlier day', () => {
      assert.equal(formatClock(at('2024-04-30T23:59:59Z'), at('2024-05-01T00:00:01Z'), 'UTC'), '2024-04-30 23:59:59');
    });

    it('decides "same day" and the time in the given time zone', () => {
      // 23:59:59 UTC on the 30th and 00:00:01 UTC on the 1st are both 1 May in Shanghai (UTC+8).
      assert.equal(formatClock(at('2024-04-30T23:59:59Z'), at('2024-05-01T00:00:01Z'), 'Asia/Shanghai'), '07:59:59');
      assert.equal(formatClock(at('2024-05-01T14:03:05Z'), now, 'Asia/Shanghai'), '22:03:05');
    });

    it('adds the date when the day differs only in the given time zone', () => {
      // Both on 1 May in UTC, but 16:01 UTC is already 2 May in Shanghai while 15:59 UTC is still 1 May there.
      assert.equal(formatClock(at('2024-05-01T15:59:00Z'), at('2024-05-01T16:01:00Z'), 'Asia/Shanghai'), '2024-05-01 23:59:00');
    });
  });

  describe("formatClock in English in the machine's time zone (written out directly)", () => {
    const intl = (date: Date, now: Date): string => {
      const day = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });
      const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
      return day.format(date) === day.format(now) ? time.format(date) : `${day.format(date)} ${time.format(date)}`;
    };

    it('writes what the Intl formatters write, across days, midnight, years and daylight-saving changes', () => {
      const now = at('2024-03-31T01:30:00Z');
      for (let ms = Date.UTC(2023, 11, 31, 20); ms < Date.UTC(2024, 3, 2); ms += 37 * 60_000 + 1_234) {
        assert.equal(formatClock(new Date(ms), now), intl(new Date(ms), now), new Date(ms).toISOString());
      }
      for (const iso of ['1000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0999-12-31T12:00:00Z', '+010000-01-01T00:00:00Z', '1970-01-01T00:00:00Z']) {
        assert.equal(formatClock(at(iso), now), intl(at(iso), now), iso);
      }
    });

    it('keeps "today" right when one now is used for many checkpoints, then another', () => {
      const first = at('2024-05-01T12:00:00Z');
      const second = at('2024-05-09T12:00:00Z');
      const checkpoint = at('2024-05-01T11:00:00Z');
      assert.equal(formatClock(checkpoint, first, 'UTC'), '11:00:00');
      assert.equal(formatClock(checkpoint, second, 'UTC'), '2024-05-01 11:00:00');
      assert.equal(formatClock(checkpoint, first, 'UTC'), '11:00:00');
    });
  });

  describe('formatUtc', () => {
    it('formats as date, time and "UTC", without milliseconds', () => {
      assert.equal(formatUtc(at('2024-05-01T14:03:05.987Z')), '2024-05-01 14:03:05 UTC');
    });
  });

  describe('formatAge', () => {
    const now = at('2024-05-01T12:00:00Z');

    it('says "just now" for under five seconds', () => {
      assert.equal(formatAge(now, now), 'just now');
      assert.equal(formatAge(secondsBefore(now, 4), now), 'just now');
    });

    it('says "just now" for a time slightly in the future (a skewed clock)', () => {
      assert.equal(formatAge(secondsBefore(now, -30), now), 'just now');
    });

    it('counts seconds under a minute', () => {
      assert.equal(formatAge(secondsBefore(now, 5), now), '5 s ago');
      assert.equal(formatAge(secondsBefore(now, 12), now), '12 s ago');
      assert.equal(formatAge(secondsBefore(now, 59), now), '59 s ago');
    });

    it('counts whole minutes, dropping the seconds', () => {
      assert.equal(formatAge(secondsBefore(now, 300), now), '5 min ago');
      assert.equal(formatAge(secondsBefore(now, 5 * 60 + 59), now), '5 min ago');
    });

    it('counts whole hours and days, dropping the smaller unit', () => {
      assert.equal(formatAge(secondsBefore(now, 2 * 3600 + 5 * 60), now), '2 h ago');
      assert.equal(formatAge(secondsBefore(now, 3 * 86400 + 4 * 3600), now), '3 d ago');
    });
  });
});
