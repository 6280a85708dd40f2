import * as l10n from '@vscode/l10n';
import { CredentialsNotFoundError } from './api/errors';
import { resolveCredentials, type CredentialProvider, type ResolvedCredentials } from './credentials';
import { DEFAULT_ACCOUNT, type JobSpec } from './jobs';

/**
 * Accounts side by side: which accounts the configured jobs use, and which credential chain serves each. An account
 * is a named AccessKey in SecretStorage or, when none of that name is stored, an aliyun CLI / credentials-file
 * profile of that name. The `default` account is the stored `default` key first, then the default chain.
 */

export { DEFAULT_ACCOUNT } from './jobs';

/** What an account's chain answered; `region` is the profile's `region_id` when the source has one. */
export type AccountCredentials = ResolvedCredentials & { readonly region?: string };

/** A credential chain as the credentials module builds it: resolves (and caches) until `reset`. */
export interface AccountChain {
  readonly description: string;
  resolve(): Promise<AccountCredentials>;
  reset(): void;
}

/** Which chain serves an account; the composition root builds it (SecretStorage lives in the VS Code adapter). */
export type ChainSpec =
  | { readonly kind: 'default' }
  | { readonly kind: 'stored'; readonly account: string }
  | { readonly kind: 'profile'; readonly name: string };

/** The account a job is queried with. */
export function accountOf(job: Pick<JobSpec, 'account'>): string {
  return job.account ?? DEFAULT_ACCOUNT;
}

/** The accounts the jobs use, in the order they first appear; with no jobs, the default account (for the welcome view). */
export function accountsInUse(jobs: readonly Pick<JobSpec, 'account'>[]): string[] {
  const names = [...new Set(jobs.map(accountOf))];
  return names.length > 0 ? names : [DEFAULT_ACCOUNT];
}

/** The jobs of each account in use, in the accounts' order. */
export function jobsByAccount<T extends Pick<JobSpec, 'account'>>(jobs: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const job of jobs) {
    const name = accountOf(job);
    groups.set(name, [...(groups.get(name) ?? []), job]);
  }
  return groups;
}

/** The default account is the default chain; a stored name is its stored key; any other name is a profile. */
export function chainSpecFor(account: string, stored: ReadonlySet<string>): ChainSpec {
  if (account === DEFAULT_ACCOUNT) {
    return { kind: 'default' };
  }
  return stored.has(account) ? { kind: 'stored', account } : { kind: 'profile', name: account };
}

/** Every account worth listing: those in use first (in their order), then the stored ones, each once. */
export function knownAccounts(inUse: readonly string[], stored: Iterable<string>): string[] {
  return [...new Set([...inUse, ...[...stored].sort()])];
}

/**
 * A chain of one provider (a named stored key): no fall-through to the environment or a profile, which would sign
 * that account's jobs with another account's key. Same per-source deadline as every chain.
 */
export function providerChain(provider: CredentialProvider, deadlineMs?: number): AccountChain {
  let cached: Promise<AccountCredentials> | undefined;
  return {
    description: provider.description,
    resolve() {
      cached ??= resolveCredentials([provider], deadlineMs === undefined ? {} : { deadlineMs }).catch((e: unknown) => {
        cached = undefined;
        throw e instanceof CredentialsNotFoundError ? e : new CredentialsNotFoundError(e instanceof Error ? e.message : String(e));
      });
      return cached;
    },
    reset() {
      cached = undefined;
    },
  };
}

/** "Account staging: …", the way an error names the account it belongs to. */
export function accountMessage(account: string, message: string): string {
  return l10n.t('Account {0}: {1}', account, message);
}
