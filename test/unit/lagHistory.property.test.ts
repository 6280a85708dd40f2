import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { LagHistory } from '../../src/core/lagHistory';

const JOB = { id: 'dtsjob0001', region: 'cn-hangzhou' };
const WINDOW_MS = 3_600_000;
const MAX_POINTS = 40;

/** A refresh's sample: a step forward (sometimes back, or none), and a lag that may be unknown or nonsense. */
const step = fc.record({
  deltaMs: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: -60_000, max: 0 }), fc.constant(WINDOW_MS)),
  lag: fc.oneof(fc.nat({ max: 100_000 }), fc.constant(null), fc.constantFrom(Number.NaN, -1, Infinity)),
  direction: fc.constantFrom('Forward', 'Reverse'),
});

describe('LagHistory (property)', () => {
  it('any sequence of samples stays within the window and the cap, in time order, keeping the newest', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const history = new LagHistory({ windowMs: WINDOW_MS, maxPoints: MAX_POINTS });
        let time = Date.parse('2024-05-01T00:00:00Z');
        const newest = new Map<string, { at: number; lag: number | null }>();
        for (const s of steps) {
          time += s.deltaMs;
          history.record(JOB, s.direction, new Date(time), s.lag);
          const lag = s.lag !== null && Number.isFinite(s.lag) && s.lag >= 0 ? s.lag : null;
          const last = newest.get(s.direction);
          if (!last || time >= last.at) {
            newest.set(s.direction, { at: time, lag });
          }
        }
        for (const direction of history.directions(JOB)) {
          const samples = history.samples(JOB, direction);
          assert.ok(samples.length >= 1 && samples.length <= MAX_POINTS, `${samples.length} points`);
          const last = samples[samples.length - 1];
          assert.deepEqual(last, { at: newest.get(direction)?.at, lagSeconds: newest.get(direction)?.lag });
          for (let i = 1; i < samples.length; i++) {
            assert.ok(samples[i].at > samples[i - 1].at, 'strictly in time order');
          }
          assert.ok(samples[0].at > last.at - WINDOW_MS, 'nothing older than the window');
          assert.ok(samples.every((s) => s.lagSeconds === null || (Number.isFinite(s.lagSeconds) && s.lagSeconds >= 0)));
        }
        const revived = LagHistory.parsePersisted(JSON.parse(JSON.stringify(history.toPersisted())), { windowMs: WINDOW_MS, maxPoints: MAX_POINTS });
        assert.deepEqual(revived.toPersisted(), history.toPersisted(), 'the saved form reads back the same');
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        LagHistory.parsePersisted(value);
        LagHistory.parsePersisted({ version: 1, jobs: [value] });
        LagHistory.parsePersisted({ version: 1, jobs: [{ id: 'a', region: 'b', directions: [value] }] });
      }),
    );
  });
});
