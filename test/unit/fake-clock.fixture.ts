import type { Clock } from '../../src/core/api/rateLimiter';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Lets promise callbacks and setImmediate work (an in-memory source, undici's mock agent) run to a standstill. */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Virtual milliseconds: sleeps resolve only when `run` or `advance` moves time past them, so a test of a 50-second
 * schedule takes a few milliseconds and never depends on the machine's speed.
 */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Sleeps not yet over. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every sleep that ends on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (!next || next.at > target) {
        break;
      }
      this.fire(next);
    }
    this.time = target;
    await settle();
  }

  /** Runs until `promise` settles: whenever nothing else can happen, time jumps to the next sleep's end. */
  async run<T>(promise: Promise<T>, maxJumps = 100_000): Promise<T> {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    for (let jumps = 0; ; jumps++) {
      await settle();
      if (done) {
        return promise;
      }
      const next = this.earliest();
      if (!next || jumps >= maxJumps) {
        throw new Error(`stuck at ${this.time} ms: the promise is pending and no sleep is left to end`);
      }
      this.fire(next);
    }
  }

  private earliest(): Timer | undefined {
    return this.timers.reduce<Timer | undefined>((a, t) => (!a || t.at < a.at || (t.at === a.at && t.seq < a.seq) ? t : a), undefined);
  }

  private fire(timer: Timer): void {
    this.time = Math.max(this.time, timer.at);
    this.timers = this.timers.filter((t) => t !== timer);
    timer.resolve();
  }
}

/** The largest number of `times` inside any half-open window [t, t + windowMs). */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) {
      start++;
    }
    best = Math.max(best, end - start + 1);
  }
  return best;
}
