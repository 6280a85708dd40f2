/**
 * DTS documents 20 calls per second per account per region for its job APIs. One limiter per process counts every
 * request (first attempts and retries, every operation, every client instance) in a sliding window per
 * (AccessKey ID, region), so recreated clients and later operations share the same budget.
 */

/** DTS's documented limit: calls per second per account per region. */
export const DTS_CALLS_PER_SECOND = 20;
export const RATE_WINDOW_MS = 1000;

/** The longest delay `setTimeout` takes: past 2^31-1 ms Node fires after 1 ms with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A delay `setTimeout` honours as asked: never negative, NaN or past MAX_TIMER_MS. */
export function clampDelay(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) {
    return 0;
  }
  return Math.min(MAX_TIMER_MS, ms);
}

/** Resolves after `ms` (clamped); rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, clampDelay(ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Monotonic time and sleeping: the real ones by default, a fake in tests. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => performance.now(), sleep: abortableSleep };

/** The slot would come later than the caller can wait (its deadline): nothing was reserved. */
export class RateLimitWaitTooLongError extends Error {
  constructor(readonly waitMs: number) {
    super(`the next request slot is ${Math.ceil(waitMs)} ms away`);
    this.name = 'RateLimitWaitTooLongError';
  }
}

export interface AcquireOptions {
  /** Stops waiting (rejecting with its reason) and gives the place in the queue up. */
  readonly signal?: AbortSignal;
  /** Rejects at once with RateLimitWaitTooLongError when the slot would come later than this. */
  readonly maxWaitMs?: number;
}

export interface RateLimiterOptions {
  /** Requests allowed in any window; 20 by default. */
  readonly limit?: number;
  readonly windowMs?: number;
  readonly clock?: Clock;
}

/** Ends a request's use of its slot; the slot is free again one window later. Calling it twice does nothing. */
export type ReleaseSlot = () => void;

interface Waiter {
  readonly resolve: (release: ReleaseSlot) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  /** When the request ended; Infinity while it runs. */
  end: number;
}

interface Lane {
  /** Slots of requests running, or ended less than a window ago. */
  readonly slots: Slot[];
  /** Callers waiting for a slot, first come first served (so retries cannot starve first attempts or the reverse). */
  readonly queue: Waiter[];
  /** Cancels the one wake-up scheduled for this lane. */
  wakeUp?: AbortController;
}

/** The key of one budget: an AccessKey ID in one region. */
export function rateLimitKey(accessKeyId: string, region: string): string {
  return `${accessKeyId}\u0000${region}`;
}

/**
 * At most `limit` requests in any `windowMs`, as the server counts them. A slot is taken when a request starts and
 * freed one window after it ends, so however long a request travels, the server never sees more than `limit`
 * arrive within one window: a start at t and one at t + windowMs are in different windows (half-open). Decided when
 * a slot is granted, so a late timer can only delay a start, never crowd a window.
 */
export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly clock: Clock;
  private readonly lanes = new Map<string, Lane>();

  constructor(options: RateLimiterOptions = {}) {
    this.limit = Math.max(1, Math.floor(options.limit ?? DTS_CALLS_PER_SECOND));
    this.windowMs = options.windowMs ?? RATE_WINDOW_MS;
    this.clock = options.clock ?? systemClock;
  }

  /** Waits for a slot under `key` and takes it; the caller starts its request right after and releases at its end. */
  acquire(key: string, options: AcquireOptions = {}): Promise<ReleaseSlot> {
    const { signal, maxWaitMs } = options;
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    const lane = this.lane(key);
    const now = this.clock.now();
    const free = this.takeIfFree(key, lane, now);
    if (free) {
      return Promise.resolve(free);
    }
    if (maxWaitMs !== undefined) {
      const wait = this.slotTime(lane, now) - now;
      if (wait > maxWaitMs) {
        return Promise.reject(new RateLimitWaitTooLongError(wait));
      }
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => this.leave(key, lane, waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      lane.queue.push(waiter);
      this.pump(key, lane);
    });
  }

  /**
   * Takes a slot under `key` when one is free now and nobody queues for it: the caller starts its request at once,
   * without a promise; undefined otherwise (then `acquire` waits for one). The same budget as `acquire`.
   */
  tryAcquire(key: string): ReleaseSlot | undefined {
    return this.takeIfFree(key, this.lane(key), this.clock.now());
  }

  private takeIfFree(key: string, lane: Lane, now: number): ReleaseSlot | undefined {
    this.prune(lane, now);
    return lane.queue.length === 0 && lane.slots.length < this.limit ? this.take(key, lane) : undefined;
  }

  /** Slots counted under `key` now: requests running or ended within the last window (for tests and the log). */
  slotsTaken(key: string): number {
    const lane = this.lanes.get(key);
    if (!lane) {
      return 0;
    }
    this.prune(lane, this.clock.now());
    return lane.slots.length;
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { slots: [], queue: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private take(key: string, lane: Lane): ReleaseSlot {
    const slot: Slot = { end: Number.POSITIVE_INFINITY };
    lane.slots.push(slot);
    return () => {
      if (slot.end === Number.POSITIVE_INFINITY) {
        slot.end = this.clock.now();
        this.pump(key, lane);
      }
    };
  }

  /** Drops the slots freed by now, in one pass (no splice per slot), keeping the others in order. */
  private prune(lane: Lane, now: number): void {
    const slots = lane.slots;
    const freedBy = now - this.windowMs;
    let kept = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot.end > freedBy) {
        slots[kept++] = slot;
      }
    }
    slots.length = kept;
  }

  /** When a newcomer behind everyone queued would start, if nobody gives up and running requests end now. */
  private slotTime(lane: Lane, now: number): number {
    const freeAt = lane.slots.map((s) => Math.min(s.end, now) + this.windowMs).sort((a, b) => a - b);
    let free = this.limit - lane.slots.length;
    let t = now;
    for (let i = 0; i <= lane.queue.length; i++) {
      if (free > 0) {
        free--;
      } else {
        t = Math.max(t, freeAt.shift() ?? t);
      }
      freeAt.push(t + this.windowMs);
      freeAt.sort((a, b) => a - b);
    }
    return t;
  }

  /** Grants every slot free now, then sleeps until the next one frees (a release also wakes it); one wake-up per lane. */
  private pump(key: string, lane: Lane): void {
    const now = this.clock.now();
    this.prune(lane, now);
    while (lane.queue.length > 0 && lane.slots.length < this.limit) {
      const waiter = lane.queue.shift() as Waiter;
      if (waiter.onAbort) {
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
      }
      waiter.resolve(this.take(key, lane));
    }
    lane.wakeUp?.abort();
    lane.wakeUp = undefined;
    const ended = lane.queue.length === 0 ? [] : lane.slots.filter((s) => s.end !== Number.POSITIVE_INFINITY);
    if (ended.length === 0) {
      // Nothing waits, or every slot is held by a running request whose release will pump again.
      this.forgetIfIdle(key, lane);
      return;
    }
    // Whole milliseconds and at least one, so a timer that fires a hair early re-checks instead of spinning.
    const wait = Math.max(1, Math.ceil(Math.min(...ended.map((s) => s.end)) + this.windowMs - now));
    const wakeUp = new AbortController();
    lane.wakeUp = wakeUp;
    this.clock.sleep(wait, wakeUp.signal).then(
      () => {
        if (lane.wakeUp === wakeUp) {
          lane.wakeUp = undefined;
          this.pump(key, lane);
        }
      },
      () => undefined,
    );
  }

  private leave(key: string, lane: Lane, waiter: Waiter): void {
    const index = lane.queue.indexOf(waiter);
    if (index < 0) {
      return;
    }
    lane.queue.splice(index, 1);
    waiter.reject(waiter.signal?.reason);
    if (lane.queue.length === 0) {
      // Nobody left to wake: no timer may keep the process running.
      lane.wakeUp?.abort();
      lane.wakeUp = undefined;
      this.forgetIfIdle(key, lane);
    }
  }

  private forgetIfIdle(key: string, lane: Lane): void {
    if (lane.queue.length === 0 && !lane.wakeUp && lane.slots.length === 0) {
      this.lanes.delete(key);
    }
  }
}

/** The process-wide limiter every DtsClient uses unless given another. */
export const sharedRateLimiter = new RateLimiter();
