import * as assert from 'node:assert/strict';
import { MAX_BACKOFF_MS, Poller, UNFOCUSED_INTERVAL_FACTOR, type RefreshOutcome, type RefreshReason, type Timers } from '../../src/core/poller';

/** Lets pending promise callbacks (and anything they chain) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Virtual time: nothing happens until `advance` moves the clock past a timer's due time. */
class FakeClock implements Timers {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) {
          next = entry;
        }
      }
      if (!next) {
        break;
      }
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** A refresh callback whose runs stay in flight until the test settles them. */
class FakeRefresh {
  readonly calls: { reason: RefreshReason; at: number }[] = [];
  peak = 0;
  private inFlight = 0;
  private readonly running: { resolve: (outcome: RefreshOutcome) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly clock: FakeClock) {}

  readonly fn = (reason: RefreshReason): Promise<RefreshOutcome> => {
    this.calls.push({ reason, at: this.clock.now() });
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    return new Promise((resolve, reject) => this.running.push({ resolve, reject }));
  };

  get reasons(): RefreshReason[] {
    return this.calls.map((c) => c.reason);
  }

  async finish(outcome: RefreshOutcome = 'ok'): Promise<void> {
    const run = this.running.shift();
    assert.ok(run, 'a refresh is running');
    this.inFlight--;
    run.resolve(outcome);
    await settle();
  }

  async throw(error: unknown = new Error('boom')): Promise<void> {
    const run = this.running.shift();
    assert.ok(run, 'a refresh is running');
    this.inFlight--;
    run.reject(error);
    await settle();
  }
}

function setup(intervalSeconds = 60, random: () => number = () => 0.5) {
  const clock = new FakeClock();
  const refresh = new FakeRefresh(clock);
  const schedules: { delayMs: number; reason: RefreshReason }[] = [];
  const poller = new Poller({
    refresh: refresh.fn,
    intervalSeconds,
    timers: clock,
    random,
    onSchedule: (delayMs, reason) => schedules.push({ delayMs, reason }),
  });
  return { clock, refresh, poller, schedules };
}

type Setup = ReturnType<typeof setup>;

/** The extension's start: one refresh at t=0 that succeeds, then automatic refreshes turned on. */
async function started(t: Setup, outcome: RefreshOutcome = 'ok'): Promise<void> {
  void t.poller.refresh('startup');
  await t.refresh.finish(outcome);
  t.poller.setActive(true);
}

describe('poller', () => {
  describe('automatic refresh', () => {
    it('refreshes every interval while active', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(59_999);
      assert.equal(t.refresh.calls.length, 1, 'not before the interval');
      await t.clock.advance(1);
      assert.deepEqual(t.refresh.calls[1], { reason: 'interval', at: 60_000 });
      await t.refresh.finish();
      await t.clock.advance(60_000);
      await t.refresh.finish();
      await t.clock.advance(60_000);
      assert.deepEqual(
        t.refresh.calls.map((c) => c.at),
        [0, 60_000, 120_000, 180_000],
      );
    });

    it('refreshes at once when turned on before any refresh ran', async () => {
      const t = setup(60);
      t.poller.setActive(true);
      await t.clock.advance(0);
      assert.deepEqual(t.refresh.calls, [{ reason: 'startup', at: 0 }]);
    });

    it('does nothing while inactive', async () => {
      const t = setup(60);
      void t.poller.refresh('startup');
      await t.refresh.finish();
      await t.clock.advance(10 * 60_000);
      assert.equal(t.refresh.calls.length, 1);
      assert.equal(t.clock.pending, 0);
    });

    it('stops when turned off', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(30_000);
      t.poller.setActive(false);
      assert.equal(t.clock.pending, 0);
      await t.clock.advance(10 * 60_000);
      assert.equal(t.refresh.calls.length, 1);
    });

    it('does nothing with an interval of 0 (manual only), but a manual refresh still runs', async () => {
      const t = setup(0);
      await started(t);
      await t.clock.advance(24 * 3600_000);
      assert.equal(t.refresh.calls.length, 1);
      void t.poller.refresh('manual');
      assert.deepEqual(t.refresh.reasons, ['startup', 'manual']);
    });
  });

  describe('focus', () => {
    it(`waits ${UNFOCUSED_INTERVAL_FACTOR} times longer while the window is not focused`, async () => {
      assert.equal(UNFOCUSED_INTERVAL_FACTOR, 5);
      const t = setup(60);
      await started(t);
      t.poller.setFocused(false);
      await t.clock.advance(299_999);
      assert.equal(t.refresh.calls.length, 1, 'no refresh at the focused interval');
      await t.clock.advance(1);
      assert.deepEqual(t.refresh.calls[1], { reason: 'interval', at: 300_000 });
      await t.refresh.finish();
      await t.clock.advance(300_000);
      assert.equal(t.refresh.calls.length, 3);
    });

    it('refreshes at once on focus when a focused refresh would be due', async () => {
      const t = setup(60);
      await started(t);
      t.poller.setFocused(false);
      await t.clock.advance(100_000);
      assert.equal(t.refresh.calls.length, 1);
      t.poller.setFocused(true);
      assert.deepEqual(t.refresh.calls[1], { reason: 'focus', at: 100_000 });
    });

    it('waits only the remainder of the interval on focus when a refresh is not due yet', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(10_000);
      t.poller.setFocused(false);
      await t.clock.advance(20_000);
      t.poller.setFocused(true);
      await t.clock.advance(29_999);
      assert.equal(t.refresh.calls.length, 1);
      await t.clock.advance(1);
      assert.deepEqual(t.refresh.calls[1], { reason: 'interval', at: 60_000 });
    });

    it('does not refresh on focus while inactive', async () => {
      const t = setup(60);
      void t.poller.refresh('startup');
      await t.refresh.finish();
      t.poller.setFocused(false);
      await t.clock.advance(600_000);
      t.poller.setFocused(true);
      await t.clock.advance(600_000);
      assert.equal(t.refresh.calls.length, 1);
    });

    it('does not start a second refresh when focus returns during one', async () => {
      const t = setup(60);
      await started(t);
      t.poller.setFocused(false);
      await t.clock.advance(300_000);
      assert.equal(t.refresh.calls.length, 2);
      t.poller.setFocused(true);
      await t.clock.advance(1_000);
      assert.equal(t.refresh.calls.length, 2);
      assert.equal(t.refresh.peak, 1);
    });
  });

  describe('never two at once', () => {
    it('lets a manual refresh during a running one join it', async () => {
      const t = setup(60);
      let firstDone = false;
      let secondDone = false;
      void t.poller.refresh('interval').then(() => (firstDone = true));
      void t.poller.refresh('manual').then(() => (secondDone = true));
      assert.equal(t.poller.isRunning, true);
      assert.deepEqual(t.refresh.reasons, ['interval']);
      await settle();
      assert.equal(secondDone, false, 'the manual request waits for the running refresh');
      await t.refresh.finish();
      assert.equal(firstDone, true);
      assert.equal(secondDone, true);
      assert.equal(t.poller.isRunning, false);
      await t.clock.advance(0);
      assert.equal(t.refresh.calls.length, 1, 'the manual request was not queued for later');
    });

    it('does not start the interval refresh while a slow one is still running', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(60_000);
      await t.clock.advance(200_000);
      assert.equal(t.refresh.calls.length, 2);
      await t.refresh.finish();
      await t.clock.advance(60_000);
      assert.equal(t.refresh.calls.length, 3);
      assert.equal(t.refresh.peak, 1);
    });

    it('queues exactly one more run for settings or credentials changes during a run', async () => {
      const t = setup(60);
      let done = false;
      void t.poller.refresh('manual').then(() => (done = true));
      void t.poller.refresh('settings');
      void t.poller.refresh('credentials');
      void t.poller.refresh('manual');
      void t.poller.refresh('settings');
      assert.equal(t.refresh.calls.length, 1);
      await t.refresh.finish();
      assert.deepEqual(t.refresh.reasons, ['manual', 'settings'], 'one more run, with the latest reason');
      assert.equal(done, false, 'callers wait for the run that saw their change');
      await t.refresh.finish();
      assert.equal(done, true);
      await t.clock.advance(0);
      assert.equal(t.refresh.calls.length, 2);
      assert.equal(t.refresh.peak, 1);
    });
  });

  describe('backoff', () => {
    it('doubles the wait after each consecutive failure, up to MAX_BACKOFF_MS', async () => {
      assert.equal(MAX_BACKOFF_MS, 15 * 60_000);
      const t = setup(60);
      await started(t, 'failed');
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = t.clock.now();
        const calls = t.refresh.calls.length;
        while (t.refresh.calls.length === calls) {
          await t.clock.advance(1_000);
        }
        waits.push(t.refresh.calls[calls].at - before);
        assert.equal(t.refresh.calls[calls].reason, 'backoff');
        await t.refresh.finish('failed');
      }
      assert.deepEqual(waits, [120_000, 240_000, 480_000, 900_000, 900_000]);
      assert.equal(t.poller.consecutiveFailures, 6);
    });

    it('tells the schedule and the reason for the log', async () => {
      const t = setup(60);
      await started(t, 'failed');
      assert.deepEqual(t.schedules.at(-1), { delayMs: 120_000, reason: 'backoff' });
    });

    it('goes back to the interval after a success', async () => {
      const t = setup(60);
      await started(t, 'failed');
      await t.clock.advance(120_000);
      await t.refresh.finish('failed');
      await t.clock.advance(240_000);
      await t.refresh.finish('ok');
      assert.equal(t.poller.consecutiveFailures, 0);
      assert.deepEqual(t.schedules.at(-1), { delayMs: 60_000, reason: 'interval' });
      await t.clock.advance(60_000);
      assert.deepEqual(t.refresh.calls.at(-1), { reason: 'interval', at: 420_000 });
    });

    it('jitters the wait by at most 20% either way', async () => {
      let r = 0;
      const t = setup(60, () => r);
      await started(t, 'failed');
      const delays = [0, 0.25, 0.5, 0.75, 0.999999].map((value) => {
        r = value;
        return t.poller.nextDelayMs();
      });
      assert.equal(delays[0], 96_000);
      assert.equal(delays[2], 120_000);
      assert.ok(delays.every((d) => d >= 96_000 && d <= 144_000), delays.join(', '));
      assert.ok(delays[4] > 143_000);
      assert.equal(new Set(delays).size, delays.length, 'the random value changes the wait');
    });

    it('never waits longer than MAX_BACKOFF_MS, jitter included', async () => {
      const t = setup(60, () => 0.999999);
      await started(t, 'failed');
      for (let i = 0; i < 8; i++) {
        void t.poller.refresh('manual');
        await t.refresh.finish('failed');
      }
      assert.equal(t.poller.consecutiveFailures, 9);
      assert.ok(t.poller.nextDelayMs() <= MAX_BACKOFF_MS, `waits ${t.poller.nextDelayMs()} ms, over the ${MAX_BACKOFF_MS} ms cap`);
    });

    it('never refreshes sooner after a failure than the interval would', async () => {
      const t = setup(3600);
      await started(t, 'failed');
      assert.ok(t.poller.nextDelayMs() >= 3600_000, `after a failure the next hourly refresh comes in ${t.poller.nextDelayMs() / 1000} s`);
    });

    it('never refreshes sooner after a failure than the unfocused interval would', async () => {
      const t = setup(300);
      await started(t, 'failed');
      t.poller.setFocused(false);
      assert.ok(t.poller.nextDelayMs() >= 5 * 300_000, `unfocused, after a failure the next refresh comes in ${t.poller.nextDelayMs() / 1000} s`);
    });

    it('counts a refresh callback that rejects as failed and keeps polling', async () => {
      const t = setup(60);
      let settled = false;
      void t.poller.refresh('startup').then(() => (settled = true));
      await t.refresh.throw(new Error('boom'));
      assert.equal(settled, true, 'the caller is not handed the error');
      assert.equal(t.poller.consecutiveFailures, 1);
      t.poller.setActive(true);
      await t.clock.advance(120_000);
      assert.deepEqual(t.refresh.calls.at(-1), { reason: 'backoff', at: 120_000 });
    });

    it('counts a refresh callback that throws before returning a promise as failed and keeps polling', async () => {
      const clock = new FakeClock();
      let calls = 0;
      const poller = new Poller({
        intervalSeconds: 60,
        timers: clock,
        random: () => 0.5,
        refresh: (): Promise<RefreshOutcome> => {
          calls++;
          if (calls === 1) {
            throw new Error('thrown synchronously');
          }
          return Promise.resolve('ok');
        },
      });
      await poller.refresh('startup');
      assert.equal(poller.consecutiveFailures, 1);
      assert.equal(poller.isRunning, false, 'the failed refresh is over');
      poller.setActive(true);
      await clock.advance(120_000);
      assert.equal(calls, 2, 'the backoff refresh ran');
      await poller.refresh('manual');
      assert.equal(calls, 3, 'a manual refresh still runs');
    });
  });

  describe('changing the interval', () => {
    it('applies a shorter interval without a restart', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(10_000);
      t.poller.setIntervalSeconds(30);
      await t.clock.advance(19_999);
      assert.equal(t.refresh.calls.length, 1);
      await t.clock.advance(1);
      assert.deepEqual(t.refresh.calls[1], { reason: 'interval', at: 30_000 });
    });

    it('applies a longer interval without a restart', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(10_000);
      t.poller.setIntervalSeconds(120);
      await t.clock.advance(100_000);
      assert.equal(t.refresh.calls.length, 1, 'nothing at the old interval');
      await t.clock.advance(10_000);
      assert.deepEqual(t.refresh.calls[1], { reason: 'interval', at: 120_000 });
    });

    it('stops automatic refresh at 0 and resumes when set again', async () => {
      const t = setup(60);
      await started(t);
      t.poller.setIntervalSeconds(0);
      assert.equal(t.clock.pending, 0);
      await t.clock.advance(3600_000);
      assert.equal(t.refresh.calls.length, 1);
      t.poller.setIntervalSeconds(60);
      await t.clock.advance(0);
      assert.deepEqual(t.refresh.calls[1], { reason: 'interval', at: 3600_000 }, 'overdue, so at once');
    });

    it('uses the new interval after a refresh that was running when it changed', async () => {
      const t = setup(60);
      await started(t);
      await t.clock.advance(60_000);
      t.poller.setIntervalSeconds(300);
      await t.refresh.finish();
      await t.clock.advance(299_999);
      assert.equal(t.refresh.calls.length, 2);
      await t.clock.advance(1);
      assert.deepEqual(t.refresh.calls[2], { reason: 'interval', at: 360_000 });
    });
  });

  describe('dispose', () => {
    it('clears every timer: no refresh afterwards', async () => {
      const t = setup(60);
      await started(t);
      assert.equal(t.clock.pending, 1);
      t.poller.dispose();
      assert.equal(t.clock.pending, 0);
      await t.clock.advance(24 * 3600_000);
      t.poller.setFocused(false);
      t.poller.setFocused(true);
      t.poller.setActive(true);
      t.poller.setIntervalSeconds(10);
      await t.clock.advance(24 * 3600_000);
      assert.equal(t.refresh.calls.length, 1);
    });

    it('ignores refresh requests afterwards', async () => {
      const t = setup(60);
      t.poller.dispose();
      await t.poller.refresh('manual');
      assert.equal(t.refresh.calls.length, 0);
    });

    it('schedules nothing and runs no queued refresh when a running one ends after it', async () => {
      const t = setup(60);
      t.poller.setActive(true);
      await t.clock.advance(0);
      void t.poller.refresh('settings');
      t.poller.dispose();
      await t.refresh.finish();
      assert.equal(t.clock.pending, 0);
      await t.clock.advance(24 * 3600_000);
      assert.equal(t.refresh.calls.length, 1);
    });
  });
});
