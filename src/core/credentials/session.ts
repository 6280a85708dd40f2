import type { Credentials } from '../api/signing';

/** Temporary credentials and when they stop working; no expiry means they last until the source changes. */
export interface Issued {
  readonly credentials: Credentials;
  readonly expiresAt?: Date;
}

/** Renew this long before expiry (less for short sessions), so a request signed now still arrives in time. */
export const RENEW_BEFORE_MS = 5 * 60 * 1000;

/** Thrown when a renewal failed and the credentials held have expired; carries the renewal's own error. */
export class ExpiredCredentialsError extends Error {
  constructor(
    readonly expiredAt: Date,
    override readonly cause: unknown,
  ) {
    super('the temporary credentials expired and could not be renewed');
    this.name = 'ExpiredCredentialsError';
  }
}

/**
 * Temporary credentials cached until shortly before they expire, then renewed on the next call; no timers.
 * Concurrent callers share one renewal. A renewal that fails while the held credentials are still valid returns
 * them (the next call tries again); once they have expired the failure is an error, never the expired key.
 */
export class RenewingSession {
  private held: Issued | undefined;
  private inFlight: Promise<Issued> | undefined;

  constructor(
    private readonly issue: () => Promise<Issued>,
    private readonly now: () => Date,
  ) {}

  async get(): Promise<Issued> {
    const held = this.held;
    if (held && !this.due(held)) {
      return held;
    }
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets the held credentials (the source changed, or DTS rejected them). */
  forget(): void {
    this.held = undefined;
  }

  private due(held: Issued): boolean {
    if (!held.expiresAt) {
      return false;
    }
    const lifetimeLeft = held.expiresAt.getTime() - this.now().getTime();
    return lifetimeLeft <= RENEW_BEFORE_MS;
  }

  private async renew(): Promise<Issued> {
    const held = this.held;
    try {
      const issued = await this.issue();
      this.held = issued;
      return issued;
    } catch (e) {
      if (held?.expiresAt && held.expiresAt.getTime() > this.now().getTime()) {
        return held;
      }
      if (held?.expiresAt) {
        this.held = undefined;
        throw new ExpiredCredentialsError(held.expiresAt, e);
      }
      throw e;
    }
  }
}

/** `Expiration` of an STS-style answer; undefined when it is not a date (treated as a failed answer by callers). */
export function parseExpiration(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    // Seconds since the epoch, as the aliyun CLI writes sts_expiration.
    return new Date(value * 1000);
  }
  if (typeof value !== 'string' || value.trim() === '') {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
