import * as assert from 'node:assert/strict';
import { LAG_SEGMENT_MS, LagHistory } from '../../src/core/lagHistory';
import { LAG_HISTORY_INDEX_KEY, LAG_HISTORY_LEGACY_KEY, LagHistoryStorage, MAX_RESTORED_SAMPLES, segmentKey } from '../../src/core/lagHistoryStorage';
import { FakeMemento } from './memento.fixture';

const JOB = { id: 'dtsjob0001', region: 'cn-hangzhou' };
const OTHER = { id: 'dtsjob0002', region: 'cn-shanghai' };
const HOUR = LAG_SEGMENT_MS;
const MINUTE = 60_000;
/** The start of a segment. */
const H0 = Date.parse('2026-11-30T00:00:00Z');
const S0 = H0 / HOUR;
const at = (ms: number): Date => new Date(H0 + ms);

/** A history with one sample a minute for both jobs' two directions, from H0 for `minutes`. */
function filled(minutes: number, history = new LagHistory()): LagHistory {
  for (let m = 0; m < minutes; m++) {
    for (const job of [JOB, OTHER]) {
      history.record(job, 'Forward', at(m * MINUTE), m % 7);
      history.record(job, 'Reverse', at(m * MINUTE), m % 5 === 0 ? null : m);
    }
  }
  return history;
}

function restored(state: FakeMemento, warnings: string[] = []): LagHistory {
  return new LagHistoryStorage(new FakeMemento(Object.fromEntries(state.values)), (m) => warnings.push(m)).restore();
}

describe('LagHistoryStorage', () => {
  it('saves one key per hour of samples and an index, and reads back the same samples', async () => {
    const state = new FakeMemento();
    const history = filled(150);
    await new LagHistoryStorage(state).save(history);
    assert.deepEqual(state.written(), [segmentKey(S0), segmentKey(S0 + 1), segmentKey(S0 + 2), LAG_HISTORY_INDEX_KEY]);
    assert.deepEqual(state.values.get(LAG_HISTORY_INDEX_KEY), { version: 3, windowStart: H0 + 149 * MINUTE - 24 * HOUR, segments: [S0, S0 + 1, S0 + 2] });
    const hour = state.values.get(segmentKey(S0 + 2)) as { version: number; jobs: { directions: { start: number; t: number[] }[] }[] };
    assert.equal(hour.version, 2, 'a segment is in the version 2 form');
    assert.equal(hour.jobs[0].directions[0].start, H0 + 2 * HOUR);
    assert.equal(hour.jobs[0].directions[0].t.length, 30);
    assert.deepEqual(restored(state).toPersisted(), history.toPersisted());
  });

  it('writes only the hours whose samples changed since the last save', async () => {
    const state = new FakeMemento();
    const storage = new LagHistoryStorage(state);
    const history = filled(150);
    await storage.save(history);
    state.updates.length = 0;
    history.record(JOB, 'Forward', at(150 * MINUTE), 9);
    await storage.save(history);
    assert.deepEqual(state.written(), [segmentKey(S0 + 2), LAG_HISTORY_INDEX_KEY]);
    assert.deepEqual(state.removed(), []);
    state.updates.length = 0;
    await storage.save(history);
    assert.deepEqual(state.written(), [LAG_HISTORY_INDEX_KEY], 'nothing changed: only the small index');
    assert.deepEqual(restored(state).toPersisted(), history.toPersisted());
  });

  it('removes the hours that fell out of the window, and reads back without the samples cut from the oldest one', async () => {
    const state = new FakeMemento();
    const storage = new LagHistoryStorage(state);
    const history = filled(26 * 60);
    await storage.save(history);
    assert.ok(!state.values.has(segmentKey(S0 + 1)), 'hours 0 and 1 were never written: they had left the window');
    assert.ok(state.values.has(segmentKey(S0 + 2)));
    state.updates.length = 0;
    history.retain([JOB, OTHER], at(27 * HOUR + 30 * MINUTE));
    history.record(JOB, 'Forward', at(27 * HOUR + 30 * MINUTE), 1);
    await storage.save(history);
    assert.deepEqual(state.written(), [segmentKey(S0 + 27), LAG_HISTORY_INDEX_KEY], 'the oldest hour, partly cut, is not written again');
    assert.deepEqual(state.removed(), [segmentKey(S0 + 2)]);
    const back = restored(state);
    assert.deepEqual(back.toPersisted(), history.toPersisted());
    assert.equal(back.samples(JOB, 'Forward')[0].at, H0 + 3 * HOUR + 31 * MINUTE);
  });

  it('writes the hours a thinning or a removed job touched, and removes an hour left empty', async () => {
    const state = new FakeMemento();
    const storage = new LagHistoryStorage(state);
    const history = new LagHistory({ maxPoints: 200 });
    for (let m = 0; m < 200; m++) {
      history.record(JOB, 'Forward', at(m * MINUTE), m);
    }
    history.record(OTHER, 'Forward', at(199 * MINUTE), 1);
    await storage.save(history);
    state.updates.length = 0;
    // The 201st sample thins the older half (hours 0 and 1).
    history.record(JOB, 'Forward', at(200 * MINUTE), 0);
    await storage.save(history);
    assert.deepEqual(state.written(), [segmentKey(S0), segmentKey(S0 + 1), segmentKey(S0 + 3), LAG_HISTORY_INDEX_KEY]);
    assert.deepEqual(restored(state, []).toPersisted(), history.toPersisted());
    state.updates.length = 0;
    history.retain([OTHER], at(200 * MINUTE));
    await storage.save(history);
    assert.deepEqual(state.written(), [segmentKey(S0 + 3), LAG_HISTORY_INDEX_KEY]);
    assert.deepEqual(state.removed(), [segmentKey(S0), segmentKey(S0 + 1), segmentKey(S0 + 2)]);
    assert.deepEqual(restored(state).toPersisted(), history.toPersisted());
  });

  describe('the version 2 value of the previous version', () => {
    const v2 = {
      version: 2,
      jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', start: H0, t: [0, HOUR, MINUTE], lag: [1, null, 3] }] }],
    };

    it('is read, then saved as hours and removed at the first save', async () => {
      const state = new FakeMemento({ [LAG_HISTORY_LEGACY_KEY]: v2 });
      const storage = new LagHistoryStorage(state);
      const history = storage.restore();
      assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: H0, lagSeconds: 1 }, { at: H0 + HOUR, lagSeconds: null }, { at: H0 + HOUR + MINUTE, lagSeconds: 3 }]);
      assert.equal(storage.needsSave, true);
      await storage.save(history);
      assert.deepEqual(state.written(), [segmentKey(S0), segmentKey(S0 + 1), LAG_HISTORY_INDEX_KEY]);
      assert.deepEqual(state.removed(), [LAG_HISTORY_LEGACY_KEY]);
      assert.equal(storage.needsSave, false);
      assert.deepEqual(restored(state).toPersisted(), history.toPersisted());
    });

    it('is removed unread when an index is there too (a save cut short)', async () => {
      const state = new FakeMemento({ [LAG_HISTORY_LEGACY_KEY]: v2, [LAG_HISTORY_INDEX_KEY]: { version: 3, windowStart: 0, segments: [] } });
      const storage = new LagHistoryStorage(state);
      const history = storage.restore();
      assert.deepEqual(history.directions(JOB), []);
      await storage.save(history);
      assert.deepEqual(state.removed(), [LAG_HISTORY_LEGACY_KEY]);
    });
  });

  describe('hostile saved values', () => {
    const NOT_READ = 'The saved lag history is not one this version reads; starting an empty one';
    const segment = (start: number, lag: unknown[] = [1, 2]) => ({
      version: 2,
      jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', start, t: lag.map((_, i) => (i === 0 ? 0 : MINUTE)), lag }] }],
    });

    it('starts empty from an index of the wrong shape, with a log line, and removes the segments it finds', async () => {
      for (const index of [42, 'x', [], { version: 3 }, { version: 3, windowStart: 'soon', segments: [S0] }, { version: 3, windowStart: 0, segments: 'all' }, { __proto__: { version: 3, windowStart: 0, segments: [S0] } }]) {
        const state = new FakeMemento({ [LAG_HISTORY_INDEX_KEY]: index, [segmentKey(S0)]: segment(H0) });
        const warnings: string[] = [];
        const storage = new LagHistoryStorage(state, (m) => warnings.push(m));
        const history = storage.restore();
        assert.deepEqual(history.directions(JOB), [], JSON.stringify(index));
        assert.deepEqual(warnings, [NOT_READ], JSON.stringify(index));
        await storage.save(history);
        assert.deepEqual(state.removed(), [segmentKey(S0)], 'a key no index lists is removed');
      }
    });

    it('skips a missing or malformed segment with a log line and keeps the others', () => {
      const state = new FakeMemento({
        [LAG_HISTORY_INDEX_KEY]: { version: 3, windowStart: 0, segments: [S0, S0 + 1, S0 + 2, S0 + 3, S0 + 4, S0 + 5] },
        [segmentKey(S0)]: segment(H0),
        // S0 + 1 is missing.
        [segmentKey(S0 + 2)]: 'garbage',
        [segmentKey(S0 + 3)]: { version: 1, jobs: 'all' },
        [segmentKey(S0 + 4)]: { __proto__: segment(H0 + 4 * HOUR) },
        [segmentKey(S0 + 5)]: segment(H0 + 5 * HOUR, [7, 'x', -1]),
      });
      const warnings: string[] = [];
      const history = new LagHistoryStorage(state, (m) => warnings.push(m)).restore();
      assert.deepEqual(history.samples(JOB, 'Forward'), [
        { at: H0, lagSeconds: 1 },
        { at: H0 + MINUTE, lagSeconds: 2 },
        { at: H0 + 5 * HOUR, lagSeconds: 7 },
      ]);
      assert.deepEqual(warnings, [1, 2, 3, 4].map((i) => `The saved lag history's segment ${segmentKey(S0 + i)} is missing or malformed; skipped`));
      assert.deepEqual(history.takeChangedSegments(), [S0 + 1, S0 + 2, S0 + 3, S0 + 4], 'the next save writes or removes them');
    });

    it('reads at most a day of segments from a huge list, and no key the index could name', () => {
      const state = new FakeMemento({ [LAG_HISTORY_INDEX_KEY]: { version: 3, windowStart: 0, segments: [...Array.from({ length: 1_000_000 }, (_, i) => S0 - i), '__proto__', 'dtsSync.snapshot', 1.5, -1e300] } });
      const read: string[] = [];
      const get = state.get.bind(state);
      state.get = (key: string) => (read.push(key), get(key));
      const warnings: string[] = [];
      new LagHistoryStorage(state, (m) => warnings.push(m)).restore();
      assert.ok(read.length <= 30, `${read.length} keys read`);
      assert.ok(read.every((k) => k === LAG_HISTORY_INDEX_KEY || k === LAG_HISTORY_LEGACY_KEY || /^dtsSync\.lagHistory\.h\d+$/.test(k)), read.join(', '));
      assert.ok(warnings.length <= 28);
    });

    it('skips a segment with a huge column, and samples outside its hour', () => {
      const huge = { version: 2, jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', start: H0, t: new Array<number>(100_000).fill(1), lag: new Array<number>(100_000).fill(1) }] }] };
      const state = new FakeMemento({
        [LAG_HISTORY_INDEX_KEY]: { version: 3, windowStart: 0, segments: [S0, S0 + 1] },
        [segmentKey(S0)]: huge,
        [segmentKey(S0 + 1)]: segment(H0 + HOUR - MINUTE, [1, 2, 3]),
      });
      const history = new LagHistoryStorage(state).restore();
      assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: H0 + HOUR, lagSeconds: 2 }, { at: H0 + HOUR + MINUTE, lagSeconds: 3 }]);
    });

    it('reads back at most MAX_RESTORED_SAMPLES samples, the newest hours first, and says which hour it left out', () => {
      const column = new Array<number>(1_500_000).fill(0);
      const big = (start: number) => ({ version: 2, jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', start, t: column, lag: column }] }] });
      const state = new FakeMemento({
        [LAG_HISTORY_INDEX_KEY]: { version: 3, windowStart: 0, segments: [S0, S0 + 1, S0 + 2, S0 + 3] },
        [segmentKey(S0)]: big(H0),
        [segmentKey(S0 + 1)]: big(H0 + HOUR),
        [segmentKey(S0 + 2)]: big(H0 + 2 * HOUR),
        [segmentKey(S0 + 3)]: segment(H0 + 3 * HOUR),
      });
      const warnings: string[] = [];
      const history = new LagHistoryStorage(state, (m) => warnings.push(m)).restore();
      assert.equal(MAX_RESTORED_SAMPLES, 4_000_000);
      assert.deepEqual(warnings, [`The saved lag history's segment ${segmentKey(S0)} is past the 4000000 samples read back; skipped`]);
      assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: H0 + 3 * HOUR, lagSeconds: 1 }, { at: H0 + 3 * HOUR + MINUTE, lagSeconds: 2 }], 'a column longer than 2,000 is not read');
    });

    it('skips samples and a window start in the future: recording goes on', () => {
      const now = H0 + 3 * HOUR;
      const future = S0 + 100_000;
      const state = new FakeMemento({
        [LAG_HISTORY_INDEX_KEY]: { version: 3, windowStart: future * HOUR, segments: [S0, future] },
        [segmentKey(S0)]: segment(H0),
        [segmentKey(future)]: segment(future * HOUR),
      });
      const history = new LagHistoryStorage(state).restore(now);
      assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: H0, lagSeconds: 1 }, { at: H0 + MINUTE, lagSeconds: 2 }]);
      history.record(JOB, 'Forward', new Date(now), 5);
      history.record(OTHER, 'Forward', new Date(now), 6);
      assert.deepEqual(history.samples(OTHER, 'Forward'), [{ at: now, lagSeconds: 6 }]);
      const legacy = new LagHistoryStorage(new FakeMemento({ [LAG_HISTORY_LEGACY_KEY]: { ...segment(H0), jobs: [...segment(H0).jobs, ...segment(future * HOUR).jobs] } })).restore(now);
      assert.deepEqual(legacy.samples(JOB, 'Forward').length, 2);
    });

    it('keeps a job or direction named __proto__ as a name', async () => {
      const proto = { id: '__proto__', region: 'constructor' };
      const history = new LagHistory();
      history.record(proto, '__proto__', at(0), 4);
      const state = new FakeMemento();
      await new LagHistoryStorage(state).save(history);
      assert.deepEqual(restored(state).samples(proto, '__proto__'), [{ at: H0, lagSeconds: 4 }]);
      assert.equal(({} as Record<string, unknown>)['dtsjob0001'], undefined, 'no prototype was touched');
    });
  });

  it('writes the changed hours again after a save that failed', async () => {
    const state = new FakeMemento();
    const storage = new LagHistoryStorage(state);
    const history = filled(10);
    const update = state.update.bind(state);
    state.update = () => Promise.reject(new Error('disk full'));
    await assert.rejects(storage.save(history), /disk full/);
    state.update = update;
    await storage.save(history);
    assert.deepEqual(state.written(), [segmentKey(S0), LAG_HISTORY_INDEX_KEY]);
    assert.deepEqual(restored(state).toPersisted(), history.toPersisted());
  });
});
