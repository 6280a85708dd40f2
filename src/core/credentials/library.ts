/**
 * The parts of `@alicloud/credentials` (pinned to 2.4.7) this project uses: its per-mode providers, deep-imported so
 * its default chain and CLI-profile reader (which quote whole config files in errors) never reach the bundle.
 * We rely on two internals: each HTTP provider's per-instance `doRequest` field (our transport replaces it) and the
 * public `refresher` field (we call it ourselves, bypassing the library's cache, which serves expired keys when a
 * renewal fails). test/unit/credentials-library.test.ts fails if either disappears.
 */
import CloudSSOCredentialsProvider from '@alicloud/credentials/dist/src/providers/cloud_sso';
import ECSRAMRoleCredentialsProvider from '@alicloud/credentials/dist/src/providers/ecs_ram_role';
import ExternalCredentialsProvider from '@alicloud/credentials/dist/src/providers/external';
import OAuthCredentialsProvider from '@alicloud/credentials/dist/src/providers/oauth';
import OIDCRoleArnCredentialsProvider from '@alicloud/credentials/dist/src/providers/oidc_role_arn';
import RAMRoleARNCredentialsProvider from '@alicloud/credentials/dist/src/providers/ram_role_arn';
import URICredentialsProvider from '@alicloud/credentials/dist/src/providers/uri';
import type { LibraryDoRequest } from './transport';

export {
  CloudSSOCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  ExternalCredentialsProvider,
  OAuthCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  URICredentialsProvider,
};

/** What the library's session refresher returns (providers/session.ts `Session`). */
export interface LibrarySession {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  readonly expiration: string;
}

/** What a library provider reads from a source provider (its `CredentialsProvider` interface). */
export interface LibrarySourceProvider {
  getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken: string; providerName: string }>;
  getProviderName(): string;
}

/** The two internals relied on, as they are in 2.4.7. */
interface Internals {
  doRequest?: unknown;
  refresher?: unknown;
}

export class LibraryChangedError extends Error {
  constructor(what: string) {
    super(`@alicloud/credentials changed: ${what}; this build expects version 2.4.7`);
    this.name = 'LibraryChangedError';
  }
}

/**
 * Puts our transport into a session provider and returns its refresher. Throws when the fields are gone, instead of
 * silently falling back to the library's own HTTP client (no proxy, secrets in its errors).
 */
export function adopt(provider: object, doRequest: LibraryDoRequest): () => Promise<LibrarySession> {
  const internals = provider as Internals;
  if (!('doRequest' in internals) || typeof internals.doRequest !== 'function') {
    throw new LibraryChangedError(`${provider.constructor.name} has no doRequest field`);
  }
  if (typeof internals.refresher !== 'function') {
    throw new LibraryChangedError(`${provider.constructor.name} has no refresher`);
  }
  internals.doRequest = doRequest;
  const refresher = internals.refresher as () => Promise<LibrarySession>;
  return () => refresher.call(provider);
}
