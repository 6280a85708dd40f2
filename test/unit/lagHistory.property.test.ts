import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { LagHistory } from '../../src/core/lagHistory';
import { LagHistoryStorage } from '../../src/core/lagHistoryStorage';
import { FakeMemento } from './memento.fixture';

const JOB = { id: 'dtsjob0001', region: 'cn-hangzhou' };
const WINDOW_MS = 3_600_000;
const MAX_POINTS = 40;

/** A refresh's sample: a step forward (sometimes back, or none), and a lag that may be unknown or nonsense. */
const step = fc.record({
  deltaMs: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: -60_000, max: 0 }), fc.constant(WINDOW_MS)),
  lag: fc.oneof(fc.nat({ max: 100_000 }), fc.constant(null), fc.constantFrom(Number.NaN, -1, Infinity)),
  direction: fc.constantFrom('Forward', 'Reverse'),
});

/** Every direction's samples by job and direction name (the order jobs were first seen in is not kept by segments). */
function samplesOf(history: LagHistory): Record<string, unknown> {
  const persisted = history.toPersisted();
  const entries = persisted.jobs.flatMap((j) => j.directions.map((d) => [`${j.id}@${j.region}/${d.direction}`, d] as const));
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('LagHistory (property)', () => {
  it('any sequence of samples stays within the window and the cap, in time order, keeping the newest', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const history = new LagHistory({ windowMs: WINDOW_MS, maxPoints: MAX_POINTS });
        let time = Date.parse('2024-05-01T00:00:00Z');
        const newest = new Map<string, { at: number; lag: number | null }>();
        // One window for every direction: it ends at the newest sample of any.
        let latest = Number.NEGATIVE_INFINITY;
        for (const s of steps) {
          time += s.deltaMs;
          history.record(JOB, s.direction, new Date(time), s.lag);
          const lag = s.lag !== null && Number.isFinite(s.lag) && s.lag >= 0 ? s.lag : null;
          const last = newest.get(s.direction);
          if (time <= latest - WINDOW_MS) {
            continue;
          }
          latest = Math.max(latest, time);
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
          assert.ok(samples[0].at > latest - WINDOW_MS, 'nothing older than the window, which ends at the newest sample');
          assert.ok(samples.every((s) => s.lagSeconds === null || (Number.isFinite(s.lagSeconds) && s.lagSeconds >= 0)));
        }
        const revived = LagHistory.parsePersisted(JSON.parse(JSON.stringify(history.toPersisted())), { windowMs: WINDOW_MS, maxPoints: MAX_POINTS });
        assert.deepEqual(revived.toPersisted(), history.toPersisted(), 'the saved form reads back the same');
      }),
      { numRuns: 300 },
    );
  });

  it('reads back from storage what it holds at every save, however samples, prunes and saves interleave', async () => {
    const action = fc.oneof(
      { weight: 8, arbitrary: step },
      fc.record({ retainMs: fc.integer({ min: 0, max: 2 * WINDOW_MS }), dropOther: fc.boolean() }),
      fc.constant('save' as const),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 300 }), async (actions) => {
        const options = { windowMs: WINDOW_MS, maxPoints: MAX_POINTS };
        const history = new LagHistory(options);
        const state = new FakeMemento();
        const storage = new LagHistoryStorage(state, undefined, options);
        const other = { id: 'dtsjob0002', region: 'cn-hangzhou' };
        let time = Date.parse('2024-05-01T00:00:00Z');
        for (const a of [...actions, 'save' as const]) {
          if (a === 'save') {
            await storage.save(history);
            const back = new LagHistoryStorage(new FakeMemento(Object.fromEntries(state.values)), undefined, options).restore();
            assert.deepEqual(samplesOf(back), samplesOf(history));
          } else if ('retainMs' in a) {
            time += a.retainMs;
            history.retain(a.dropOther ? [JOB] : [JOB, other], new Date(time));
          } else {
            time += a.deltaMs;
            history.record(a.deltaMs % 2 === 0 ? JOB : other, a.direction, new Date(time), a.lag);
          }
        }
      }),
      { numRuns: 200 },
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
