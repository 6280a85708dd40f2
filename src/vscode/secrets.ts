// The core's l10n (configured with VS Code's bundle at activation): this adapter uses 'vscode' only for types, so it
// also runs in the bare-Node unit tests.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import { CredentialsNotFoundError } from '../core/api/errors';
import type { Credentials } from '../core/api/signing';
import { credentialsProblem, type CredentialProvider } from '../core/credentials';
import { accountNameProblem, DEFAULT_ACCOUNT } from '../core/jobs';

/** The default account's key: the one entry earlier versions stored, so an existing key stays the `default` account. */
const SECRET_KEY = 'dtsSync.credentials';
/** The names of the other stored accounts: SecretStorage cannot list its keys. */
const INDEX_KEY = 'dtsSync.accountIndex';

/** The source name the chain reports for the stored default key. */
export const SECRET_STORAGE_SOURCE = 'VS Code SecretStorage';

function secretKey(account: string): string {
  return account === DEFAULT_ACCOUNT ? SECRET_KEY : `${SECRET_KEY}.${account}`;
}

/** The source name of an account's stored key (the default one as before). */
export function storedSource(account: string): string {
  return account === DEFAULT_ACCOUNT ? SECRET_STORAGE_SOURCE : l10n.t('VS Code SecretStorage (account {0})', account);
}

/** Thrown when SecretStorage itself fails (no OS keyring on Linux, for one). */
export class SecretStorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      l10n.t(
        'VS Code could not use its secret storage ({0}). Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET in the environment VS Code starts from, or configure an aliyun CLI profile in ~/.aliyun/config.json, instead.',
        cause instanceof Error ? cause.message : String(cause),
      ),
    );
    this.name = 'SecretStorageUnavailableError';
  }
}

/**
 * The AccessKeys stored by "Set AccessKey…", one per account: each a SecretStorage entry holding ID, secret and
 * optional STS token, plus an index of the account names (never a secret).
 */
export class SecretCredentials {
  private reportedUnavailable = false;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  readonly onDidChange = (listener: () => void): vscode.Disposable =>
    this.secrets.onDidChange((e) => {
      if (e.key === SECRET_KEY || e.key === INDEX_KEY || e.key.startsWith(`${SECRET_KEY}.`)) {
        listener();
      }
    });

  /** The names of the stored accounts, `default` first when its key is stored. */
  async accounts(): Promise<string[]> {
    let raw: string | undefined;
    let hasDefault: boolean;
    try {
      [raw, hasDefault] = await Promise.all([this.secrets.get(INDEX_KEY), this.secrets.get(SECRET_KEY).then((v) => Boolean(v))]);
    } catch (e) {
      throw new SecretStorageUnavailableError(e);
    }
    return [...(hasDefault ? [DEFAULT_ACCOUNT] : []), ...parseIndex(raw)];
  }

  async get(account: string = DEFAULT_ACCOUNT): Promise<Credentials | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.secrets.get(secretKey(account));
    } catch (e) {
      throw new SecretStorageUnavailableError(e);
    }
    if (!raw) {
      return undefined;
    }
    try {
      const parsed = JSON.parse(raw) as Partial<Credentials>;
      if (typeof parsed.accessKeyId === 'string' && typeof parsed.accessKeySecret === 'string') {
        return {
          accessKeyId: parsed.accessKeyId,
          accessKeySecret: parsed.accessKeySecret,
          ...(typeof parsed.securityToken === 'string' && parsed.securityToken ? { securityToken: parsed.securityToken } : {}),
        };
      }
    } catch {
      // Falls through to the message below; the stored value is never quoted.
    }
    throw new CredentialsNotFoundError(
      account === DEFAULT_ACCOUNT
        ? l10n.t('The stored AccessKey is unreadable; run "DTS: Set AccessKey…" again')
        : l10n.t('The stored AccessKey of account {0} is unreadable; run "DTS: Set AccessKey…" again', account),
    );
  }

  async store(credentials: Credentials, account: string = DEFAULT_ACCOUNT): Promise<void> {
    const problem = credentialsProblem(credentials) ?? accountNameProblem(account);
    if (problem) {
      throw new CredentialsNotFoundError(l10n.t('Not stored: {0}', problem));
    }
    try {
      // The index first: a key that is stored is always listed, so it can always be cleared.
      if (account !== DEFAULT_ACCOUNT) {
        await this.updateIndex((names) => (names.includes(account) ? names : [...names, account]));
      }
      await this.secrets.store(secretKey(account), JSON.stringify(credentials));
    } catch (e) {
      throw new SecretStorageUnavailableError(e);
    }
  }

  async clear(account: string = DEFAULT_ACCOUNT): Promise<void> {
    try {
      await this.secrets.delete(secretKey(account));
      if (account !== DEFAULT_ACCOUNT) {
        await this.updateIndex((names) => names.filter((n) => n !== account));
      }
    } catch (e) {
      throw new SecretStorageUnavailableError(e);
    }
  }

  private async updateIndex(change: (names: string[]) => string[]): Promise<void> {
    const before = parseIndex(await this.secrets.get(INDEX_KEY));
    const after = change(before);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      await this.secrets.store(INDEX_KEY, JSON.stringify(after));
    }
  }

  /**
   * First link of the credential chain. A broken SecretStorage is reported, then the chain goes on; one that never
   * answers is stopped by `resolveCredentials`' deadline and is an error, since the chain going on could pick a
   * different account than the stored one.
   */
  provider(onUnavailable: (error: SecretStorageUnavailableError) => void, account: string = DEFAULT_ACCOUNT): CredentialProvider {
    return {
      description:
        account === DEFAULT_ACCOUNT
          ? l10n.t('VS Code SecretStorage ("DTS: Set AccessKey…")')
          : l10n.t('VS Code SecretStorage, account {0} ("DTS: Set AccessKey…")', account),
      deadlineHint: l10n.t('the OS keyring may be locked or waiting for its password'),
      resolve: async () => {
        try {
          const credentials = await this.get(account);
          return credentials ? { credentials, source: storedSource(account) } : undefined;
        } catch (e) {
          if (e instanceof SecretStorageUnavailableError) {
            // Said once per session: the chain is looked up on every refresh.
            if (!this.reportedUnavailable) {
              this.reportedUnavailable = true;
              onUnavailable(e);
            }
            return undefined;
          }
          throw e;
        }
      },
    };
  }
}

/** The index as stored; anything malformed is an empty index (the keys themselves are untouched). */
function parseIndex(raw: string | undefined): string[] {
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed)
      ? [...new Set(parsed.filter((n): n is string => typeof n === 'string' && n !== DEFAULT_ACCOUNT && accountNameProblem(n) === undefined))]
      : [];
  } catch {
    return [];
  }
}
