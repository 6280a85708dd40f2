// The core's l10n (configured with VS Code's bundle at activation): this adapter uses 'vscode' only for types, so it
// also runs in the bare-Node unit tests.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import { CredentialsNotFoundError } from '../core/api/errors';
import type { Credentials } from '../core/api/signing';
import { credentialsProblem, type CredentialProvider } from '../core/credentials';

const SECRET_KEY = 'dtsSync.credentials';

/** The source name the chain reports for a stored key. */
export const SECRET_STORAGE_SOURCE = 'VS Code SecretStorage';

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

/** The AccessKey stored by "Set AccessKey…": one SecretStorage entry holding ID, secret and optional STS token. */
export class SecretCredentials {
  private reportedUnavailable = false;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  readonly onDidChange = (listener: () => void): vscode.Disposable =>
    this.secrets.onDidChange((e) => {
      if (e.key === SECRET_KEY) {
        listener();
      }
    });

  async get(): Promise<Credentials | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.secrets.get(SECRET_KEY);
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
    throw new CredentialsNotFoundError(l10n.t('The stored AccessKey is unreadable; run "DTS: Set AccessKey…" again'));
  }

  async store(credentials: Credentials): Promise<void> {
    const problem = credentialsProblem(credentials);
    if (problem) {
      throw new CredentialsNotFoundError(l10n.t('Not stored: {0}', problem));
    }
    try {
      await this.secrets.store(SECRET_KEY, JSON.stringify(credentials));
    } catch (e) {
      throw new SecretStorageUnavailableError(e);
    }
  }

  async clear(): Promise<void> {
    try {
      await this.secrets.delete(SECRET_KEY);
    } catch (e) {
      throw new SecretStorageUnavailableError(e);
    }
  }

  /**
   * First link of the credential chain. A broken SecretStorage is reported, then the chain goes on; one that never
   * answers is stopped by `resolveCredentials`' deadline and is an error, since the chain going on could pick a
   * different account than the stored one.
   */
  provider(onUnavailable: (error: SecretStorageUnavailableError) => void): CredentialProvider {
    return {
      description: l10n.t('VS Code SecretStorage ("DTS: Set AccessKey…")'),
      deadlineHint: l10n.t('the OS keyring may be locked or waiting for its password'),
      resolve: async () => {
        try {
          const credentials = await this.get();
          return credentials ? { credentials, source: SECRET_STORAGE_SOURCE } : undefined;
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
