import * as assert from 'node:assert/strict';
import { LAG_HISTORY_WINDOW_MS, LagHistory, MAX_POINTS_PER_DIRECTION } from '../../src/core/lagHistory';

const JOB = { id: 'dtsjob0001', region: 'cn-hangzhou' };
const OTHER = { id: 'dtsjob0002', region: 'cn-shanghai' };
const T0 = Date.parse('2024-05-01T00:00:00Z');
const MINUTE = 60_000;
const at = (ms: number): Date => new Date(T0 + ms);

describe('LagHistory', () => {
  it('keeps samples oldest first, per job and direction', () => {
    const history = new LagHistory();
    history.record(JOB, 'Forward', at(0), 5);
    history.record(JOB, 'Reverse', at(0), null);
    history.record(JOB, 'Forward', at(MINUTE), 8);
    assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: T0, lagSeconds: 5 }, { at: T0 + MINUTE, lagSeconds: 8 }]);
    assert.deepEqual(history.samples(JOB, 'Reverse'), [{ at: T0, lagSeconds: null }]);
    assert.deepEqual(history.directions(JOB), ['Forward', 'Reverse']);
    assert.deepEqual(history.samples(OTHER, 'Forward'), []);
  });

  it('ignores a sample older than the newest, replaces one at the same time, and records a nonsense lag as unknown', () => {
    const history = new LagHistory();
    history.record(JOB, 'Forward', at(MINUTE), 5);
    history.record(JOB, 'Forward', at(0), 99);
    history.record(JOB, 'Forward', at(MINUTE), 7);
    history.record(JOB, 'Forward', at(2 * MINUTE), Number.NaN);
    history.record(JOB, 'Forward', new Date(Number.NaN), 1);
    assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: T0 + MINUTE, lagSeconds: 7 }, { at: T0 + 2 * MINUTE, lagSeconds: null }]);
  });

  it('keeps only the last 24 hours', () => {
    const history = new LagHistory();
    for (let m = 0; m <= 25 * 60; m += 10) {
      history.record(JOB, 'Forward', at(m * MINUTE), m);
    }
    const samples = history.samples(JOB, 'Forward');
    const newest = samples[samples.length - 1].at;
    assert.equal(newest, T0 + 25 * 60 * MINUTE);
    assert.ok(samples[0].at > newest - LAG_HISTORY_WINDOW_MS, 'nothing older than 24 hours');
    assert.equal(samples[0].at, T0 + 60 * MINUTE + 10 * MINUTE);
    assert.equal(samples.length, 24 * 6);
  });

  it('holds at most 2,000 points after 10,000 samples, thinning only the older part', () => {
    const history = new LagHistory();
    for (let i = 0; i < 10_000; i++) {
      history.record(JOB, 'Forward', at(i * 5_000), i % 100);
    }
    const samples = history.samples(JOB, 'Forward');
    assert.ok(samples.length <= MAX_POINTS_PER_DIRECTION, `${samples.length} points`);
    assert.ok(samples.length >= MAX_POINTS_PER_DIRECTION / 2);
    assert.equal(samples[samples.length - 1].at, T0 + 9_999 * 5_000, 'the newest sample is kept');
    const recent = samples.slice(-MAX_POINTS_PER_DIRECTION / 2);
    assert.ok(recent.every((s, i) => i === 0 || s.at - recent[i - 1].at === 5_000), 'the newest half is at full resolution');
  });

  it('keeps a lag spike when it thins older samples', () => {
    const history = new LagHistory();
    for (let i = 0; i < 10_000; i++) {
      history.record(JOB, 'Forward', at(i * 5_000), i === 1_234 ? 86_400 : 3);
    }
    const samples = history.samples(JOB, 'Forward');
    assert.deepEqual(samples.filter((s) => s.lagSeconds === 86_400), [{ at: T0 + 1_234 * 5_000, lagSeconds: 86_400 }]);
  });

  it('forgets removed jobs and samples that fell out of the window', () => {
    const history = new LagHistory();
    history.record(JOB, 'Forward', at(0), 1);
    history.record(JOB, 'Forward', at(23 * 60 * MINUTE), 2);
    history.record(OTHER, 'Forward', at(0), 3);
    history.retain([JOB], at(25 * 60 * MINUTE));
    assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: T0 + 23 * 60 * MINUTE, lagSeconds: 2 }]);
    assert.deepEqual(history.samples(OTHER, 'Forward'), []);
    assert.deepEqual(history.toPersisted().jobs.map((j) => j.id), ['dtsjob0001']);
    history.retain([JOB], at(48 * 60 * MINUTE));
    assert.deepEqual(history.directions(JOB), []);
  });

  describe('persisted form', () => {
    it('survives a JSON round trip, as columns of time deltas and lags', () => {
      const history = new LagHistory();
      history.record(JOB, 'Forward', at(0), 4);
      history.record(JOB, 'Forward', at(MINUTE), null);
      history.record(JOB, 'Forward', at(2 * MINUTE + 400), 7.25);
      history.record(JOB, 'Reverse', at(1_500), 0);
      history.record(OTHER, 'Forward', at(0), 12);
      const persisted = history.toPersisted();
      assert.deepEqual(persisted.jobs[0], {
        id: 'dtsjob0001',
        region: 'cn-hangzhou',
        directions: [
          { direction: 'Forward', start: T0, t: [0, 60_000, 60_400], lag: [4, null, 7.25] },
          { direction: 'Reverse', start: T0 + 1_500, t: [0], lag: [0] },
        ],
      });
      const revived = LagHistory.parsePersisted(JSON.parse(JSON.stringify(persisted)));
      assert.deepEqual(revived.toPersisted(), persisted);
      assert.deepEqual(revived.samples(JOB, 'Reverse'), [{ at: T0 + 1_500, lagSeconds: 0 }]);
    });

    it('reads the version 1 form ([UNIX seconds, lag] pairs) of earlier builds', () => {
      const t = T0 / 1000;
      const history = LagHistory.parsePersisted({
        version: 1,
        jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [{ direction: 'Forward', samples: [[t, 4], [t + 60, null]] }] }],
      });
      assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: T0, lagSeconds: 4 }, { at: T0 + 60_000, lagSeconds: null }]);
    });

    it('reads version 2 columns that do not match, or a negative delta, only as far as they are sound', () => {
      const t = T0;
      const read = (d: unknown) => LagHistory.parsePersisted({ version: 2, jobs: [{ id: 'dtsjob0001', region: 'cn-hangzhou', directions: [d] }] }).samples(JOB, 'Forward');
      assert.deepEqual(read({ direction: 'Forward', start: t, t: [0, 60_000], lag: [1] }), []);
      assert.deepEqual(read({ direction: 'Forward', start: 'now', t: [0], lag: [1] }), []);
      assert.deepEqual(read({ direction: 'Forward', start: t, t: [0, 60_000, -30, 60], lag: [1, 2, 3, 4] }), [{ at: T0, lagSeconds: 1 }, { at: T0 + 60_000, lagSeconds: 2 }]);
    });

    it('reads garbage as an empty history and never throws', () => {
      for (const garbage of [undefined, null, 42, 'x', [], {}, { version: 3, jobs: [] }, { version: 1, jobs: 'all' }, { version: 2, jobs: [null, 1, []] }]) {
        assert.deepEqual(LagHistory.parsePersisted(garbage).toPersisted(), { version: 2, jobs: [] }, JSON.stringify(garbage));
      }
    });

    it('skips malformed entries, keeps the good ones, and puts them back in order within the bounds', () => {
      const t = T0 / 1000;
      const value = {
        version: 1,
        jobs: [
          { id: 'dtsjob0001', region: 'cn-hangzhou', directions: [
            { direction: 'Forward', samples: [[t + 120, 3], ['soon', 1], [t, -5], [t + 60, 1], [t + 30, 'x'], [t + 90], null, [t - 2 * 86_400, 9]] },
            { direction: 'x'.repeat(500), samples: [[t, 1]] },
            { direction: 'Reverse', samples: 'none' },
          ] },
          { id: 7, region: 'cn-hangzhou', directions: [] },
          { id: '__proto__', region: 'cn-hangzhou', directions: [{ direction: '__proto__', samples: [[t, 1]] }] },
        ],
      };
      const history = LagHistory.parsePersisted(value);
      assert.deepEqual(history.samples(JOB, 'Forward'), [{ at: T0 + 60_000, lagSeconds: 1 }, { at: T0 + 120_000, lagSeconds: 3 }]);
      assert.deepEqual(history.directions(JOB), ['Forward']);
      assert.deepEqual(history.samples({ id: '__proto__', region: 'cn-hangzhou' }, '__proto__'), [{ at: T0, lagSeconds: 1 }]);
      assert.equal(({} as Record<string, unknown>)['Forward'], undefined, 'no prototype was touched');
    });
  });
});
