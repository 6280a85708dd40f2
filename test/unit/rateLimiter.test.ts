import * as assert from 'node:assert/strict';
import {
  abortableSleep,
  clampDelay,
  MAX_TIMER_MS,
  rateLimitKey,
  RateLimiter,
  RateLimitWaitTooLongError,
  sharedRateLimiter,
  type Clock,
} from '../../src/core/api/rateLimiter';
import { FakeClock, maxInAnyWindow, settle } from './fake-clock.fixture';

const HZ = rateLimitKey('LTAI5tTestKey0001', 'cn-hangzhou');

describe('RateLimiter', () => {
  let clock: FakeClock;
  let limiter: RateLimiter;

  beforeEach(() => {
    clock = new FakeClock();
    limiter = new RateLimiter({ clock });
  });

  /** Starts `n` requests under `key` at once, each taking `durationMs`; resolves with the virtual time each started. */
  function startMany(n: number, key = HZ, target = limiter, durationMs = 0): Promise<number[]> {
    return Promise.all(
      Array.from({ length: n }, async () => {
        const release = await target.acquire(key);
        const started = clock.now();
        await clock.sleep(durationMs);
        release();
        return started;
      }),
    );
  }

  it('lets 20 requests start at once and holds the 21st until the first leaves the 1 s window', async () => {
    const starts = await clock.run(startMany(21));
    assert.deepEqual(starts.slice(0, 20), Array(20).fill(0));
    assert.equal(starts[20], 1000);
  });

  it('never lets more than 20 of 1,000 requests start in any 1 s window, and keeps the pace at 20 a second', async () => {
    const starts = await clock.run(startMany(1000));
    assert.equal(starts.length, 1000);
    assert.equal(maxInAnyWindow(starts, 1000), 20);
    // 50 windows of 20: the last start is at 49 s, not later.
    assert.equal(Math.max(...starts), 49_000);
  });

  it('keeps a separate budget per AccessKey ID and region, so regions run side by side', async () => {
    const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'eu-central-1'];
    const perRegion = await clock.run(Promise.all(regions.map((r) => startMany(100, rateLimitKey('LTAI5tTestKey0001', r)))));
    for (const starts of perRegion) {
      assert.equal(maxInAnyWindow(starts, 1000), 20);
      assert.equal(Math.max(...starts), 4000, 'as fast as one region alone');
    }
    const otherKey = await clock.run(startMany(20, rateLimitKey('LTAI5tOtherKey0002', 'cn-hangzhou')));
    assert.ok(otherKey.every((t) => t === clock.now()), 'another AccessKey in the same region does not wait');
  });

  it('frees a slot one window after its request ends, so a slow answer cannot crowd the server\'s window', async () => {
    const starts = await clock.run(startMany(21, HZ, limiter, 300));
    assert.equal(starts[20], 1300, 'the first 20 ended at 300 ms');
  });

  it('holds a slot for as long as its request runs, and frees it once however often it is released', async () => {
    const releases = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire(HZ)));
    const next = limiter.acquire(HZ).then(() => clock.now());
    await clock.advance(5000);
    assert.equal(limiter.slotsTaken(HZ), 20, 'still running after 5 s: still counted');
    releases[0]();
    releases[0]();
    assert.equal(await clock.run(next), 6000, 'one window after the release');
    assert.equal(limiter.slotsTaken(HZ), 20);
  });

  it('never crowds a window when its wake-ups come late', async () => {
    // A busy event loop: every sleep ends 300 ms after it was due.
    const late: Clock = { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms + 300, signal) };
    const lateLimiter = new RateLimiter({ clock: late });
    const starts = await clock.run(startMany(200, HZ, lateLimiter));
    assert.ok(maxInAnyWindow(starts, 1000) <= 20, `${maxInAnyWindow(starts, 1000)} starts in one window`);
  });

  it('gives a free slot at once without a promise, and none past the limit or while others queue', async () => {
    const releases = Array.from({ length: 20 }, () => limiter.tryAcquire(HZ));
    assert.ok(releases.every((r) => r !== undefined));
    assert.equal(limiter.slotsTaken(HZ), 20);
    assert.equal(limiter.tryAcquire(HZ), undefined, 'the 21st waits');
    const queued = limiter.acquire(HZ).then(() => clock.now());
    releases[0]?.();
    await clock.advance(1000);
    assert.equal(limiter.tryAcquire(HZ), undefined, 'the freed slot is the queued caller\'s');
    assert.equal(await clock.run(queued), 1000);
  });

  it('serves waiting requests first come, first served', async () => {
    await clock.run(startMany(20));
    const order: string[] = [];
    const waiting = ['first', 'second', 'third'].map((name) =>
      limiter.acquire(HZ).then((release) => {
        order.push(name);
        release();
      }),
    );
    await clock.run(Promise.all(waiting));
    assert.deepEqual(order, ['first', 'second', 'third']);
  });

  it('stops waiting when the caller aborts, gives its place to the next, and leaves no timer behind', async () => {
    await clock.run(startMany(20));
    const controller = new AbortController();
    const aborted = limiter.acquire(HZ, { signal: controller.signal });
    const next = limiter.acquire(HZ).then((release) => {
      release();
      return clock.now();
    });
    controller.abort(new Error('refresh cancelled'));
    await assert.rejects(aborted, /refresh cancelled/);
    assert.equal(await clock.run(next), 1000, 'the next one takes the first free slot');

    await clock.run(startMany(19));
    const alone = new AbortController();
    const waiting = limiter.acquire(HZ, { signal: alone.signal });
    await settle();
    assert.equal(clock.pendingTimers, 1);
    alone.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    assert.equal(clock.pendingTimers, 0, 'nobody waits, so nothing is scheduled');
  });

  it('refuses at once, reserving nothing, a wait longer than the caller has (its deadline)', async () => {
    await clock.run(startMany(20));
    await assert.rejects(limiter.acquire(HZ, { maxWaitMs: 999 }), (e: unknown) => {
      assert.ok(e instanceof RateLimitWaitTooLongError);
      assert.equal(e.waitMs, 1000);
      return true;
    });
    assert.equal(clock.now(), 0, 'refused without waiting');
    assert.equal(await clock.run(limiter.acquire(HZ, { maxWaitMs: 1000 }).then(() => clock.now())), 1000);
  });

  it('counts a running request as ending now when it estimates a wait', async () => {
    const releases = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire(HZ)));
    await assert.rejects(limiter.acquire(HZ, { maxWaitMs: 999 }), RateLimitWaitTooLongError);
    releases.forEach((release) => release());
  });

  it('counts a queued request in the wait of the ones behind it', async () => {
    await clock.run(startMany(20));
    const queued = limiter.acquire(HZ);
    // 20 ended at 0, one waits for 1000: a second newcomer also fits at 1000 (all 20 slots free up then).
    await assert.doesNotReject(clock.run(Promise.all([queued, limiter.acquire(HZ, { maxWaitMs: 1000 })])));
  });

  it('rejects a caller that has already aborted without taking a slot', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already gone'));
    await assert.rejects(limiter.acquire(HZ, { signal: controller.signal }), /already gone/);
    assert.equal(limiter.slotsTaken(HZ), 0);
  });

  it('is shared by default: one process-wide limiter of 20 requests a second', () => {
    assert.ok(sharedRateLimiter instanceof RateLimiter);
    assert.equal(sharedRateLimiter.limit, 20);
    assert.equal(sharedRateLimiter.windowMs, 1000);
  });
});

describe('timer delays', () => {
  it('clamps what setTimeout cannot wait', () => {
    assert.equal(clampDelay(3_000_000_000), MAX_TIMER_MS);
    assert.equal(clampDelay(Number.POSITIVE_INFINITY), MAX_TIMER_MS);
    assert.equal(clampDelay(Number.NaN), 0);
    assert.equal(clampDelay(-5), 0);
    assert.equal(clampDelay(1500), 1500);
  });

  it('sleeps a 3,000,000 s delay instead of 1 ms, with no TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      let woke = false;
      const sleeping = abortableSleep(3_000_000_000, controller.signal).then(() => (woke = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(woke, false, 'an overflowing delay fires after 1 ms');
      controller.abort(new Error('stop'));
      await assert.rejects(sleeping, /stop/);
      await settle();
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
