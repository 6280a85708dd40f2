import { createHash, randomBytes } from 'node:crypto';
import { formatTimestamp } from '../../src/core/api/signing';
import type { KnownKey } from './auth';
import type { ScenarioRole } from './scenario';

/** How a temporary key was handed out. */
export type IssuedVia = 'AssumeRole' | 'AssumeRoleWithOIDC' | 'CredentialsURI' | 'EcsMetadata';

/** A temporary key the emulator handed out: a valid DTS (and STS) key until `expiresAt`. */
export interface IssuedKey extends KnownKey {
  readonly securityToken: string;
  readonly expiresAt: number;
  readonly roleArn: string;
  readonly via: IssuedVia;
  /** Emulator time (ms) it was issued. */
  readonly issuedAt: number;
}

/** What tests may read about an issued key: everything but the secret and the token. */
export interface IssuedCredential {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly via: IssuedVia;
  /** `yyyy-MM-ddTHH:mm:ssZ`, as the endpoint answered it. */
  readonly issued: string;
  readonly expiration: string;
}

/** Lifetime of keys from the credentials URI and the ECS metadata service unless the role sets `lifetimeSeconds`. */
export const DEFAULT_LIFETIME_SECONDS = 3600;

/** `answer: "expired"` hands out keys that expired this long ago. */
const EXPIRED_AGO_MS = 60_000;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  return [...randomBytes(length)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/** Expiration strings have whole seconds: the key really expires at the second its Expiration names. */
function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * Hands out temporary keys for the scenario's roles and remembers them. The keys outlive scenario changes (like nonces):
 * a key issued before a `setScenario` stays valid until it expires, as real STS keys outlive a change of the role.
 */
export class CredentialIssuer {
  private readonly keys = new Map<string, IssuedKey>();
  private readonly sessions = new Map<string, number>();

  constructor(private readonly clock: () => Date) {}

  /** True when the role answers no credentials now: `answer: "refuse"`, or its `maxSessions` are used up. */
  refuses(role: ScenarioRole): boolean {
    return role.answer === 'refuse' || (role.maxSessions !== undefined && this.sessionCount(role.arn) >= role.maxSessions);
  }

  /** A new scenario starts counting `maxSessions` afresh (as fault counters do); issued keys stay valid. */
  resetSessionCounts(): void {
    this.sessions.clear();
  }

  /** Sessions issued for the role since the scenario was set. */
  sessionCount(roleArn: string): number {
    return this.sessions.get(roleArn) ?? 0;
  }

  /**
   * A new temporary key for `role`, living `role.lifetimeSeconds`, else `requestedSeconds`, else an hour; already
   * expired when the role says `answer: "expired"`. The caller checks `refuses` first.
   */
  issue(role: ScenarioRole, via: IssuedVia, requestedSeconds?: number): IssuedKey {
    const now = this.clock().getTime();
    const lifetimeMs = (role.lifetimeSeconds ?? requestedSeconds ?? DEFAULT_LIFETIME_SECONDS) * 1000;
    const expiresAt = role.answer === 'expired' ? wholeSecond(now - EXPIRED_AGO_MS) : wholeSecond(now) + lifetimeMs;
    const key: IssuedKey = {
      accessKeyId: `STS.N${randomText(24)}`,
      accessKeySecret: randomText(44),
      // Real tokens are long base64 with + / and =: they exercise the signers' percent-encoding.
      securityToken: `CAIS${randomBytes(180).toString('base64')}`,
      expiresAt,
      roleArn: role.arn,
      via,
      issuedAt: now,
    };
    this.keys.set(key.accessKeyId, key);
    this.sessions.set(role.arn, this.sessionCount(role.arn) + 1);
    return key;
  }

  /** The newest key issued for `role` by `via` that has more than half its lifetime left (the ECS service hands it out again). */
  current(role: ScenarioRole, via: IssuedVia): IssuedKey | undefined {
    const now = this.clock().getTime();
    const mine = [...this.keys.values()].filter((k) => k.roleArn === role.arn && k.via === via);
    const newest = mine[mine.length - 1];
    return newest && newest.expiresAt - now > (newest.expiresAt - newest.issuedAt) / 2 ? newest : undefined;
  }

  /** Every issued key, expired ones included: they must answer InvalidSecurityToken.Expired, not "not found". */
  all(): readonly IssuedKey[] {
    return [...this.keys.values()];
  }

  described(): IssuedCredential[] {
    return this.all().map((k) => ({
      accessKeyId: k.accessKeyId,
      roleArn: k.roleArn,
      via: k.via,
      issued: formatTimestamp(new Date(k.issuedAt)),
      expiration: formatTimestamp(new Date(k.expiresAt)),
    }));
  }
}

/** The `Credentials` object STS, the credentials URI and the ECS metadata service all answer. */
export function credentialsBody(key: IssuedKey): { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string } {
  return {
    AccessKeyId: key.accessKeyId,
    AccessKeySecret: key.accessKeySecret,
    SecurityToken: key.securityToken,
    Expiration: formatTimestamp(new Date(key.expiresAt)),
  };
}

/** A stable numeric ID for a role, as the `AssumedRoleId` STS answers starts with one. */
export function roleId(arn: string): string {
  return BigInt(`0x${createHash('sha256').update(arn).digest('hex').slice(0, 15)}`).toString().padStart(18, '3');
}
