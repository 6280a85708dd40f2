/** Why a refresh runs; the log shows it. */
export type RefreshReason = 'startup' | 'manual' | 'interval' | 'focus' | 'settings' | 'credentials' | 'backoff';

/** `failed` makes the next automatic refresh back off; `ok` resets the backoff. */
export type RefreshOutcome = 'ok' | 'failed';

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** While the window is not focused, automatic refreshes come this many times less often. */
export const UNFOCUSED_INTERVAL_FACTOR = 5;
/** Backoff after consecutive failures doubles from the interval up to this. */
export const MAX_BACKOFF_MS = 15 * 60_000;

export interface PollerOptions {
  readonly refresh: (reason: RefreshReason) => Promise<RefreshOutcome>;
  readonly intervalSeconds: number;
  readonly timers?: Timers;
  readonly random?: () => number;
  /** Told each time the next automatic refresh is planned (for the log). */
  readonly onSchedule?: (delayMs: number, reason: RefreshReason) => void;
}

/**
 * Owns every refresh timer. Automatic refreshes run every interval while active, slower while unfocused, with
 * backoff after failures; manual ones run at once; two never overlap.
 */
export class Poller {
  private readonly timers: Timers;
  private readonly random: () => number;
  private intervalMs: number;
  private focused = true;
  private active = false;
  private disposed = false;
  private failures = 0;
  private lastRunAt: number | undefined;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private rerun: RefreshReason | undefined;

  constructor(private readonly options: PollerOptions) {
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.intervalMs = options.intervalSeconds * 1000;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /**
   * Runs a refresh now. A manual request during a refresh joins it; a settings or credentials change queues one
   * more run, because the one in flight used the old values.
   */
  refresh(reason: RefreshReason): Promise<void> {
    if (this.disposed) {
      return Promise.resolve();
    }
    if (this.running) {
      if (reason === 'settings' || reason === 'credentials') {
        this.rerun = reason;
      }
      return this.running;
    }
    this.clearTimer();
    // The callback starts now; a synchronous throw becomes a rejection, so `running` is set before anything settles.
    let pending: Promise<RefreshOutcome>;
    try {
      pending = Promise.resolve(this.options.refresh(reason));
    } catch (e) {
      pending = Promise.reject(e);
    }
    this.running = this.settle(pending);
    return this.running;
  }

  private async settle(pending: Promise<RefreshOutcome>): Promise<void> {
    let outcome: RefreshOutcome;
    try {
      outcome = await pending;
    } catch {
      outcome = 'failed';
    }
    this.failures = outcome === 'failed' ? this.failures + 1 : 0;
    // The interval counts from the end of a refresh, so a slow endpoint is not polled back to back.
    this.lastRunAt = this.timers.now();
    this.running = undefined;
    const rerun = this.rerun;
    this.rerun = undefined;
    if (rerun && !this.disposed) {
      await this.refresh(rerun);
      return;
    }
    this.schedule();
  }

  /** Turns automatic refreshes on (something shows the statuses and there is something to query) or off. */
  setActive(active: boolean): void {
    this.active = active;
    this.schedule();
  }

  setIntervalSeconds(seconds: number): void {
    this.intervalMs = seconds * 1000;
    this.schedule();
  }

  /** Losing focus stretches the wait; regaining it refreshes at once when a focused refresh would be due. */
  setFocused(focused: boolean): void {
    if (focused === this.focused) {
      return;
    }
    this.focused = focused;
    if (focused && this.active && this.intervalMs > 0 && !this.running && this.msUntilDue() === 0) {
      void this.refresh('focus');
      return;
    }
    this.schedule();
  }

  /** Milliseconds from the last run to the next automatic one. */
  nextDelayMs(): number {
    const base = this.intervalMs * (this.focused ? 1 : UNFOCUSED_INTERVAL_FACTOR);
    if (this.failures === 0) {
      return base;
    }
    // Never sooner than the normal wait, never longer than the cap unless the normal wait itself is longer.
    const doubled = Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** this.failures);
    return Math.max(base, Math.min(MAX_BACKOFF_MS, Math.round(doubled * (0.8 + 0.4 * this.random()))));
  }

  private msUntilDue(): number {
    const sinceLast = this.lastRunAt === undefined ? Infinity : this.timers.now() - this.lastRunAt;
    return Math.max(0, this.nextDelayMs() - sinceLast);
  }

  private schedule(): void {
    this.clearTimer();
    if (this.disposed || !this.active || this.intervalMs <= 0 || this.running) {
      return;
    }
    const reason: RefreshReason = this.lastRunAt === undefined ? 'startup' : this.failures > 0 ? 'backoff' : 'interval';
    const delay = this.msUntilDue();
    this.options.onSchedule?.(delay, reason);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.refresh(reason);
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }
}
