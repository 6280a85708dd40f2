import * as l10n from '@vscode/l10n';
import { CredentialsNotFoundError } from '../api/errors';
import type { Credentials } from '../api/signing';
import type { KnownSecrets } from '../safeText';
import { credentialFailure, type Service } from './failures';
import {
  adopt,
  CloudSSOCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  ExternalCredentialsProvider,
  OAuthCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  RAMRoleARNCredentialsProvider,
  URICredentialsProvider,
  type LibrarySession,
  type LibrarySourceProvider,
} from './library';
import { ExpiredCredentialsError, parseExpiration, RenewingSession, type Issued } from './session';
import { createCredentialTransport, loopbackOverride, type CredentialTransport, type TransportOptions } from './transport';

/** Everything a mode needs from the chain: the environment it was given, the clock, the network settings. */
export interface ModeEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly proxy?: string;
  readonly requestTimeoutMs: number;
  readonly now: () => Date;
}

/** One way of getting credentials, with its session: what a link holds. */
export interface Issuer {
  readonly mode: string;
  readonly label: string;
  get(): Promise<Issued>;
  forget(): void;
}

/** The aliyun CLI's OAuth sign-in services and client IDs (as in @alicloud/credentials cli_profile.ts). */
export const OAUTH_SITES: Readonly<Record<string, { readonly url: string; readonly clientId: string }>> = {
  CN: { url: 'https://oauth.aliyun.com', clientId: '4038181954557748008' },
  INTL: { url: 'https://oauth.alibabacloud.com', clientId: '4103531455503354461' },
};

const STS_DEFAULT_DURATION_SECONDS = 3600;
const STS_MIN_DURATION_SECONDS = 900;

/** `ALIBABA_CLOUD_X`, else the aliyun CLI's `ALIBABACLOUD_X` spelling. */
export function envValue(env: NodeJS.ProcessEnv, suffix: string): string | undefined {
  return env[`ALIBABA_CLOUD_${suffix}`]?.trim() || env[`ALIBABACLOUD_${suffix}`]?.trim() || undefined;
}

export function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  return env[name]?.trim().toLowerCase() === 'true';
}

/**
 * The STS endpoint: the profile's, else ALIBABA_CLOUD_STS_ENDPOINT, else the regional (or VPC) one from the
 * profile's `sts_region` or ALIBABA_CLOUD_STS_REGION, else sts.aliyuncs.com. Always explicit, so the library never
 * reads process.env behind the chain's back.
 */
export function stsEndpoint(env: NodeJS.ProcessEnv, profile: { endpoint?: string; region?: string; vpc?: boolean } = {}): string {
  const explicit = profile.endpoint || envValue(env, 'STS_ENDPOINT');
  if (explicit) {
    return explicit;
  }
  const region = profile.region || envValue(env, 'STS_REGION');
  const vpc = profile.vpc === true || envFlag(env, 'ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED');
  if (region) {
    return vpc ? `sts-vpc.${region}.aliyuncs.com` : `sts.${region}.aliyuncs.com`;
  }
  return 'sts.aliyuncs.com';
}

export function roleSessionName(env: NodeJS.ProcessEnv, fromProfile?: string): string {
  return fromProfile || envValue(env, 'ROLE_SESSION_NAME') || `dts-sync-status-${Date.now()}`;
}

export function durationSeconds(value: number | undefined): number {
  return value !== undefined && value >= STS_MIN_DURATION_SECONDS ? Math.floor(value) : STS_DEFAULT_DURATION_SECONDS;
}

/** Throws a message naming the source and mode when a required field is empty; never inherits it from the environment. */
export function required(label: string, fields: Readonly<Record<string, string>>): void {
  const missing = Object.entries(fields)
    .filter(([, v]) => v === '')
    .map(([k]) => k);
  if (missing.length > 0) {
    throw new CredentialsNotFoundError(l10n.t('{0}: {1} is empty', label, missing.join(', ')));
  }
}

function fromSession(session: LibrarySession): Issued {
  const expiresAt = parseExpiration(session.expiration);
  if (!expiresAt) {
    throw new Error('the answer has no valid Expiration');
  }
  return {
    credentials: { accessKeyId: session.accessKeyId, accessKeySecret: session.accessKeySecret, securityToken: session.securityToken },
    expiresAt,
  };
}

function knownOf(c: Credentials | undefined): KnownSecrets {
  return c ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken } : {};
}

export interface IssuerSpec {
  readonly mode: string;
  readonly label: string;
  readonly service: Service;
  readonly timeoutMs: number;
  readonly known?: KnownSecrets;
  readonly hint?: (message: string) => string | undefined;
  /** One renewal; the transport's last answer is read when it fails. */
  readonly issue: (transport: CredentialTransport | undefined) => Promise<Issued>;
  readonly transport?: CredentialTransport;
}

/** An issuer from a spec: its failures become our messages naming the source and mode; renewals single-flight. */
export function makeIssuer(spec: IssuerSpec, now: () => Date): Issuer {
  const session = new RenewingSession(async () => {
    spec.transport?.begin();
    try {
      const issued = await spec.issue(spec.transport);
      if (issued.expiresAt && issued.expiresAt.getTime() <= now().getTime()) {
        // Already expired on arrival (a skewed or broken issuer): an error, never a key that cannot sign.
        throw new ExpiredCredentialsError(issued.expiresAt, new Error('the answer holds credentials that have already expired'));
      }
      return issued;
    } catch (e) {
      throw credentialFailure(e, {
        label: spec.label,
        service: spec.service,
        timeoutMs: spec.timeoutMs,
        lastAnswer: spec.transport?.lastAnswer,
        known: spec.known,
        hint: spec.hint,
      });
    }
  }, now);
  return {
    mode: spec.mode,
    label: spec.label,
    async get() {
      try {
        return await session.get();
      } catch (e) {
        throw credentialFailure(e, { label: spec.label, service: spec.service, timeoutMs: spec.timeoutMs, known: spec.known, hint: spec.hint });
      }
    },
    forget: () => session.forget(),
  };
}

export function staticIssuer(mode: string, label: string, credentials: Credentials): Issuer {
  return { mode, label, get: async () => ({ credentials }), forget: () => undefined };
}

export function transportFor(environment: ModeEnvironment, extra: Partial<TransportOptions> = {}): CredentialTransport {
  return createCredentialTransport({
    proxy: environment.proxy,
    env: environment.env,
    timeoutMs: environment.requestTimeoutMs,
    ecsMetadataEndpoint: loopbackOverride(environment.env['DTS_SYNC_ECS_METADATA_ENDPOINT']),
    oauthEndpoint: loopbackOverride(environment.env['DTS_SYNC_OAUTH_ENDPOINT']),
    ...extra,
  });
}

/** A source for the library's role providers that is one of our issuers, so its own session is cached and single-flighted. */
export function asLibrarySource(issuer: Issuer): LibrarySourceProvider {
  return {
    async getCredentials() {
      const { credentials } = await issuer.get();
      // '' is the library's 'no token': it sends SecurityToken only when truthy.
      return { ...credentials, securityToken: credentials.securityToken ?? '', providerName: 'dts_sync_status' };
    },
    getProviderName: () => 'dts_sync_status',
  };
}

export interface RoleSpec {
  readonly roleArn: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly externalId?: string;
  readonly policy?: string;
  readonly endpoint: string;
}

/** AssumeRole with the library's signing, from a source issuer, through our transport. */
export function ramRoleIssuer(mode: string, label: string, source: Issuer, role: RoleSpec, environment: ModeEnvironment): Issuer {
  const transport = transportFor(environment);
  let builder = RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(asLibrarySource(source))
    .withRoleArn(role.roleArn)
    .withRoleSessionName(roleSessionName(environment.env, role.sessionName))
    .withDurationSeconds(durationSeconds(role.durationSeconds))
    .withStsEndpoint(role.endpoint)
    .withEnableVpc(false);
  if (role.externalId) {
    builder = builder.withExternalId(role.externalId);
  }
  if (role.policy) {
    builder = builder.withPolicy(role.policy);
  }
  const refresh = adopt(builder.build(), transport.doRequest);
  return makeIssuer(
    {
      mode,
      label,
      service: 'sts',
      timeoutMs: environment.requestTimeoutMs,
      transport,
      issue: async () => fromSession(await refresh()),
      hint: (m) => (m === 'the access key secret is invalid' ? l10n.t('STS rejected the AccessKey secret of the source credentials') : undefined),
    },
    environment.now,
  );
}

export interface OidcSpec {
  readonly roleArn: string;
  readonly providerArn: string;
  readonly tokenFile: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly endpoint: string;
}

export function oidcIssuer(label: string, spec: OidcSpec, environment: ModeEnvironment): Issuer {
  const transport = transportFor(environment);
  const provider = OIDCRoleArnCredentialsProvider.builder()
    .withRoleArn(spec.roleArn)
    .withOIDCProviderArn(spec.providerArn)
    .withOIDCTokenFilePath(spec.tokenFile)
    .withRoleSessionName(roleSessionName(environment.env, spec.sessionName))
    .withDurationSeconds(durationSeconds(spec.durationSeconds))
    .withStsEndpoint(spec.endpoint)
    .withEnableVpc(false)
    .build();
  const refresh = adopt(provider, transport.doRequest);
  return makeIssuer(
    {
      mode: 'OIDC',
      label,
      service: 'sts',
      timeoutMs: environment.requestTimeoutMs,
      transport,
      issue: async () => fromSession(await refresh()),
      hint: (m) => (/ENOENT|EACCES|no such file/i.test(m) ? l10n.t('cannot read the OIDC token file') : undefined),
    },
    environment.now,
  );
}

export function uriIssuer(mode: string, label: string, uri: string, environment: ModeEnvironment): Issuer {
  // A URI the user gave may be plain http to a sidecar, as the aliyun CLI allows.
  const transport = transportFor(environment, { allowHttp: true });
  const provider = URICredentialsProvider.builder().withCredentialsURI(uri).build();
  const refresh = adopt(provider, transport.doRequest);
  return makeIssuer(
    { mode, label, service: 'uri', timeoutMs: environment.requestTimeoutMs, transport, issue: async () => fromSession(await refresh()) },
    environment.now,
  );
}

export function ecsIssuer(mode: string, label: string, roleName: string | undefined, environment: ModeEnvironment): Issuer {
  const transport = transportFor(environment);
  // The constructor, not build(): build() reads ALIBABA_CLOUD_ECS_METADATA* from process.env, and the chain has its own env.
  const builder = ECSRAMRoleCredentialsProvider.builder().withDisableIMDSv1(envFlag(environment.env, 'ALIBABA_CLOUD_IMDSV1_DISABLED'));
  if (roleName) {
    builder.withRoleName(roleName);
  }
  const refresh = adopt(new ECSRAMRoleCredentialsProvider(builder), transport.doRequest);
  return makeIssuer(
    { mode, label, service: 'ecs', timeoutMs: environment.requestTimeoutMs, transport, issue: async () => fromSession(await refresh()) },
    environment.now,
  );
}

export interface SsoSpec {
  readonly signInUrl: string;
  readonly accountId: string;
  readonly accessConfig: string;
  readonly accessToken: string;
  readonly accessTokenExpire: number;
}

export function cloudSsoIssuer(label: string, profileName: string, spec: SsoSpec, environment: ModeEnvironment): Issuer {
  const transport = transportFor(environment);
  const relogin = l10n.t('the CloudSSO sign-in has expired; run aliyun configure --profile {0} --mode CloudSSO again', profileName);
  return makeIssuer(
    {
      mode: 'CloudSSO',
      label,
      service: 'sso',
      timeoutMs: environment.requestTimeoutMs,
      transport,
      known: { securityToken: spec.accessToken },
      issue: async () => {
        if (spec.accessTokenExpire * 1000 <= environment.now().getTime()) {
          throw new CredentialsNotFoundError(l10n.t('{0}: {1}', label, relogin));
        }
        const provider = CloudSSOCredentialsProvider.builder()
          .withSignInUrl(spec.signInUrl)
          .withAccountId(spec.accountId)
          .withAccessConfig(spec.accessConfig)
          .withAccessToken(spec.accessToken)
          .withAccessTokenExpire(spec.accessTokenExpire)
          .build();
        // @alicloud/credentials 2.4.7 builds this body but never sends it; the service needs it to know the account
        // and access configuration (the aliyun CLI sends it), so it is added here.
        const body = Buffer.from(JSON.stringify({ AccountId: spec.accountId, AccessConfigurationId: spec.accessConfig }), 'utf8');
        return fromSession(await adopt(provider, (req) => transport.doRequest({ ...req, bodyBytes: req.bodyBytes ?? body }))());
      },
      hint: (m) => (/access token is empty or expired/.test(m) ? relogin : undefined),
    },
    environment.now,
  );
}

export interface OAuthSpec {
  readonly site: { readonly url: string; readonly clientId: string };
  readonly refreshToken: string;
  readonly accessToken: string;
  readonly accessTokenExpire: number;
  /** Called with the renewed tokens and keys; the aliyun CLI's config is rewritten from it. */
  readonly onUpdate: (changes: Readonly<Record<string, string | number>>) => Promise<void>;
}

export function oauthIssuer(label: string, spec: OAuthSpec, environment: ModeEnvironment): Issuer {
  const transport = transportFor(environment);
  const provider = OAuthCredentialsProvider.builder()
    .withSignInUrl(spec.site.url)
    .withClientId(spec.site.clientId)
    .withRefreshToken(spec.refreshToken)
    .withAccessToken(spec.accessToken)
    .withAccessTokenExpire(spec.accessTokenExpire)
    .withTokenUpdateCallback((refreshToken, accessToken, accessKeyId, accessKeySecret, securityToken, accessTokenExpire, stsExpire) =>
      spec.onUpdate({
        oauth_refresh_token: refreshToken,
        oauth_access_token: accessToken,
        oauth_access_token_expire: accessTokenExpire,
        access_key_id: accessKeyId,
        access_key_secret: accessKeySecret,
        sts_token: securityToken,
        sts_expiration: stsExpire,
      }),
    )
    .build();
  const refresh = adopt(provider, transport.doRequest);
  return makeIssuer(
    {
      mode: 'OAuth',
      label,
      service: 'oauth',
      timeoutMs: environment.requestTimeoutMs,
      transport,
      known: { securityToken: spec.refreshToken, accessKeySecret: spec.accessToken },
      issue: async () => fromSession(await refresh()),
      hint: (m) => (/failed to refresh OAuth token/.test(m) ? l10n.t('the OAuth sign-in could not be renewed; run aliyun configure --mode OAuth again') : undefined),
    },
    environment.now,
  );
}

export interface ExternalSpec {
  readonly command: string;
  readonly onUpdate: (changes: Readonly<Record<string, string | number>>) => Promise<void>;
}

/** The external command runs once per renewal (a fresh provider each time, so the library's own cache never answers). */
export function externalIssuer(label: string, spec: ExternalSpec, environment: ModeEnvironment): Issuer {
  return makeIssuer(
    {
      mode: 'External',
      label,
      service: 'external',
      timeoutMs: environment.requestTimeoutMs,
      issue: async () => {
        let expiration = 0;
        const provider = ExternalCredentialsProvider.builder()
          .withProcessCommand(spec.command)
          .withTimeout(environment.requestTimeoutMs)
          .withCredentialUpdateCallback(async (accessKeyId, accessKeySecret, securityToken, expires) => {
            expiration = expires;
            await spec.onUpdate({ access_key_id: accessKeyId, access_key_secret: accessKeySecret, sts_token: securityToken ?? '', sts_expiration: expires });
          })
          .build();
        const c = await provider.getCredentials();
        const credentials: Credentials = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken ? { securityToken: c.securityToken } : {}) };
        return expiration > 0 ? { credentials, expiresAt: new Date(expiration * 1000) } : { credentials };
      },
      hint: (m) => {
        if (/^failed to execute external command/.test(m)) {
          return l10n.t('the external command failed or did not finish within {0} s', Math.round(environment.requestTimeoutMs / 1000));
        }
        if (/^failed to parse external command output/.test(m)) {
          return l10n.t('the external command did not print JSON');
        }
        if (/credential response/.test(m)) {
          return l10n.t('the external command printed no complete AccessKey');
        }
        return undefined;
      },
    },
    environment.now,
  );
}

export { knownOf };
