import * as l10n from '@vscode/l10n';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsNotFoundError } from '../api/errors';
import { safeText } from '../safeText';
import {
  aliyunConfigPath,
  findProfile,
  listNames,
  profileNameFromEnv,
  profileNames,
  readAliyunConfig,
  readSafely,
  shownName,
  type AliyunProfile,
  type ReadFile,
} from './aliyunConfig';
import { parseIni } from './iniFile';
import { ecsIssuer, envFlag, envValue, oidcIssuer, ramRoleIssuer, required, staticIssuer, stsEndpoint, uriIssuer, type Issuer, type ModeEnvironment } from './modes';
import { aliyunProfileIssuer, profileFingerprint } from './profiles';
import { checked, regionFromEnv, type CredentialProvider, type ResolvedCredentials } from './resolve';
import { ECS_METADATA_HOST, createCredentialTransport, loopbackOverride, type LibraryRequest } from './transport';

/** A link of the chain: a credential provider that also holds a session it can forget. */
export interface Link extends CredentialProvider {
  /** Forgets held sessions and anything learned (the ECS probe's answer). */
  reset(): void;
}

export interface LinkOptions extends ModeEnvironment {
  readonly home: string;
  readonly readFile?: ReadFile;
}

/** Holds one issuer per source fingerprint: a changed profile gets a new session, an unchanged one keeps its own. */
class IssuerCache {
  private key: string | undefined;
  private issuer: Issuer | undefined;

  get(key: string, build: () => Issuer): Issuer {
    if (this.key !== key || !this.issuer) {
      this.issuer = build();
      this.key = key;
    }
    return this.issuer;
  }

  reset(): void {
    this.issuer?.forget();
    this.issuer = undefined;
    this.key = undefined;
  }
}

async function answer(issuer: Issuer, source: string, warnings: readonly string[], region: string | undefined): Promise<ResolvedCredentials> {
  const issued = await issuer.get();
  const found = checked(issued.credentials, source, warnings);
  return {
    ...found,
    mode: issuer.mode,
    ...(region ? { region } : {}),
    ...(issued.expiresAt ? { expiresAt: issued.expiresAt } : {}),
  };
}

export interface AliyunProfileLinkOptions extends LinkOptions {
  /** A name the user chose (`--profile`, an account): a miss is for the caller to report. */
  readonly profile?: string;
}

/** What a named lookup found in a file, for the "in neither file" message. */
export interface NamedMiss {
  /** Undefined when the file does not exist. */
  readonly names: readonly string[] | undefined;
}

/** The aliyun CLI's `~/.aliyun/config.json`, every mode. The file is read on each call; a session survives as long as its profile is unchanged. */
export function aliyunProfileLink(options: AliyunProfileLinkOptions): Link & { lastMiss?: NamedMiss } {
  const path = aliyunConfigPath(options.home);
  const shownPath = safeText(path);
  const cache = new IssuerCache();
  const writeBackWarnings: string[] = [];
  const link: Link & { lastMiss?: NamedMiss } = {
    description: options.profile
      ? l10n.t('the aliyun CLI profile {0} in {1}', shownName(options.profile), shownPath)
      : l10n.t('the aliyun CLI profile file {0}', shownPath),
    deadlineHint: l10n.t('is it on a network drive that stopped answering?'),
    async resolve() {
      link.lastMiss = undefined;
      const config = await readAliyunConfig(path, options.readFile);
      if (!config) {
        link.lastMiss = { names: undefined };
        return undefined;
      }
      const fromEnv = options.profile ? undefined : profileNameFromEnv(options.env);
      const wanted = options.profile?.trim() || fromEnv || config.current || 'default';
      const profile = findProfile(config.profiles, wanted);
      if (!profile) {
        const names = profileNames(config.profiles);
        link.lastMiss = { names };
        if (options.profile || fromEnv) {
          // A name the user chose may be in the credentials file instead.
          return undefined;
        }
        throw new CredentialsNotFoundError(l10n.t('Profile {0} is not in {1} (profiles: {2})', shownName(wanted), shownPath, listNames(names)));
      }
      const issuer = cache.get(profileFingerprint(config.profiles, profile), () =>
        aliyunProfileIssuer(config.profiles, profile, { ...options, configPath: path, warn: (w) => writeBackWarnings.push(w) }),
      );
      const region = profileRegion(profile) ?? regionFromEnv(options.env);
      const found = await answer(issuer, issuer.label, config.warnings, region);
      const extra = writeBackWarnings.splice(0);
      return extra.length > 0 ? { ...found, warnings: [...(found.warnings ?? []), ...extra] } : found;
    },
    reset: () => cache.reset(),
  };
  return link;
}

function profileRegion(profile: AliyunProfile): string | undefined {
  const region = profile['region_id'];
  return typeof region === 'string' && region.trim() ? region.trim() : undefined;
}

export function credentialsFilePath(env: NodeJS.ProcessEnv, home: string): { path: string; explicit: boolean } {
  const fromEnv = env['ALIBABA_CLOUD_CREDENTIALS_FILE']?.trim();
  return fromEnv ? { path: fromEnv, explicit: true } : { path: join(home, '.alibabacloud', 'credentials'), explicit: false };
}

export function credentialsFileLabel(name: string, type: string): string {
  return l10n.t('credentials file profile {0} ({1})', shownName(name), /^[a-z_]{1,40}$/.test(type) ? type : shownName(type));
}

/** `~/.alibabacloud/credentials` or ALIBABA_CLOUD_CREDENTIALS_FILE: types access_key, ecs_ram_role, ram_role_arn. */
export function credentialsFileLink(options: AliyunProfileLinkOptions): Link & { lastMiss?: NamedMiss } {
  const { path, explicit } = credentialsFilePath(options.env, options.home);
  const shownPath = safeText(path);
  const cache = new IssuerCache();
  const link: Link & { lastMiss?: NamedMiss } = {
    description: options.profile
      ? l10n.t('the profile {0} of the credentials file {1}', shownName(options.profile), shownPath)
      : l10n.t('the credentials file {0}', shownPath),
    deadlineHint: l10n.t('is it on a network drive that stopped answering?'),
    async resolve() {
      link.lastMiss = undefined;
      const file = await readSafely(path, options.readFile);
      if (!file) {
        if (explicit && !options.profile) {
          throw new CredentialsNotFoundError(l10n.t('ALIBABA_CLOUD_CREDENTIALS_FILE names {0}, which does not exist', shownPath));
        }
        link.lastMiss = { names: undefined };
        return undefined;
      }
      const sections = parseIni(file.text);
      const name = options.profile?.trim() || profileNameFromEnv(options.env) || 'default';
      const section = sections.get(name) ?? [...sections].find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
      if (!section) {
        link.lastMiss = { names: [...sections.keys()] };
        return undefined;
      }
      const get = (key: string): string => section.get(key)?.trim() ?? '';
      const type = get('type');
      const label = credentialsFileLabel(name, type || 'access_key');
      const issuer = cache.get(JSON.stringify([...section].sort()), (): Issuer => {
        const ak = () => {
          required(label, { access_key_id: get('access_key_id'), access_key_secret: get('access_key_secret') });
          return { accessKeyId: get('access_key_id'), accessKeySecret: get('access_key_secret') };
        };
        switch (type || 'access_key') {
          case 'access_key':
            return staticIssuer('access_key', label, ak());
          case 'ecs_ram_role':
            return ecsIssuer('ecs_ram_role', label, get('role_name') || undefined, options);
          case 'ram_role_arn': {
            required(label, { role_arn: get('role_arn') });
            return ramRoleIssuer('ram_role_arn', label, staticIssuer('access_key', label, ak()), {
              roleArn: get('role_arn'),
              sessionName: get('role_session_name') || undefined,
              policy: get('policy') || undefined,
              externalId: get('external_id') || undefined,
              endpoint: stsEndpoint(options.env, { endpoint: get('sts_endpoint'), region: get('sts_region') }),
            }, options);
          }
          default:
            throw new CredentialsNotFoundError(l10n.t('{0}: type must be access_key, ecs_ram_role or ram_role_arn', label));
        }
      });
      return answer(issuer, label, file.warnings, get('region_id') || regionFromEnv(options.env));
    },
    reset: () => cache.reset(),
  };
  return link;
}

/** ALIBABA_CLOUD_CREDENTIALS_URI: only when set (the official chain requests `https://undefined/` otherwise). */
export function credentialsUriLink(options: LinkOptions): Link {
  const cache = new IssuerCache();
  return {
    description: l10n.t('the credentials URI in ALIBABA_CLOUD_CREDENTIALS_URI'),
    async resolve() {
      const uri = envValue(options.env, 'CREDENTIALS_URI');
      if (!uri) {
        return undefined;
      }
      const label = l10n.t('ALIBABA_CLOUD_CREDENTIALS_URI ({0})', 'CredentialsURI');
      return answer(cache.get(uri, () => uriIssuer('CredentialsURI', label, uri, options)), label, [], regionFromEnv(options.env));
    },
    reset: () => cache.reset(),
  };
}

const OIDC_VARIABLES = ['ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'] as const;

/** ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN and _OIDC_TOKEN_FILE (RRSA on ACK): only when the OIDC ones are set. */
export function oidcEnvLink(options: LinkOptions): Link {
  const cache = new IssuerCache();
  return {
    description: l10n.t('the OIDC variables ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE'),
    async resolve() {
      const values = OIDC_VARIABLES.map((v) => options.env[v]?.trim() ?? '');
      const [roleArn, providerArn, tokenFile] = values;
      if (!providerArn && !tokenFile) {
        return undefined;
      }
      const label = l10n.t('environment variables ALIBABA_CLOUD_OIDC_* ({0})', 'OIDC');
      const missing = OIDC_VARIABLES.filter((_, i) => values[i] === '');
      if (missing.length > 0) {
        throw new CredentialsNotFoundError(l10n.t('{0}: {1} is not set', label, missing.join(', ')));
      }
      const key = JSON.stringify([...values, options.env['ALIBABA_CLOUD_ROLE_SESSION_NAME'], envValue(options.env, 'STS_REGION')]);
      const issuer = cache.get(key, () =>
        oidcIssuer(label, { roleArn, providerArn, tokenFile, sessionName: envValue(options.env, 'ROLE_SESSION_NAME'), endpoint: stsEndpoint(options.env) }, options),
      );
      return answer(issuer, label, [], regionFromEnv(options.env));
    },
    reset: () => cache.reset(),
  };
}

/** How long the ECS probe waits when no ALIBABA_CLOUD_ECS_METADATA asks for it: a laptop must not wait for it. */
export const ECS_PROBE_TIMEOUT_MS = 1000;

/**
 * The ECS instance's RAM role. With ALIBABA_CLOUD_ECS_METADATA (the role name) it is a source like any other;
 * without it, one short probe finds out whether this is an ECS instance with a role, and a miss is remembered
 * until reset(). ALIBABA_CLOUD_ECS_METADATA_DISABLED=true turns it off.
 */
export function ecsLink(options: LinkOptions): Link {
  const cache = new IssuerCache();
  let probe: Promise<string | undefined> | undefined;
  return {
    description: l10n.t('the ECS instance RAM role ({0})', ECS_METADATA_HOST),
    async resolve() {
      if (envFlag(options.env, 'ALIBABA_CLOUD_ECS_METADATA_DISABLED')) {
        return undefined;
      }
      const named = options.env['ALIBABA_CLOUD_ECS_METADATA']?.trim();
      const roleName = named || (await (probe ??= probeEcsRole(options)));
      if (!roleName) {
        return undefined;
      }
      const label = l10n.t('ECS instance RAM role {0} ({1})', shownName(roleName), 'EcsRamRole');
      return answer(cache.get(roleName, () => ecsIssuer('EcsRamRole', label, roleName, options)), label, [], regionFromEnv(options.env));
    },
    reset: () => {
      probe = undefined;
      cache.reset();
    },
  };
}

/** The instance's role name, or undefined when nothing answers like the metadata service within the probe's timeout. */
async function probeEcsRole(options: LinkOptions): Promise<string | undefined> {
  const transport = createCredentialTransport({
    env: options.env,
    timeoutMs: Math.min(ECS_PROBE_TIMEOUT_MS, options.requestTimeoutMs),
    ecsMetadataEndpoint: loopbackOverride(options.env['DTS_SYNC_ECS_METADATA_ENDPOINT']),
  });
  const at = (method: string, path: string, headers: Record<string, string> = {}): LibraryRequest => ({ method, protocol: 'http', host: ECS_METADATA_HOST, path, headers });
  try {
    let token: string | undefined;
    try {
      const answer = await transport.doRequest(at('PUT', '/latest/api/token', { 'x-aliyun-ecs-metadata-token-ttl-seconds': '21600' }));
      token = answer.statusCode === 200 ? answer.body.toString('utf8').trim() : undefined;
    } catch {
      // Nothing answered: not an ECS instance (or the metadata service is blocked). No second try.
      return undefined;
    }
    const roles = await transport.doRequest(at('GET', '/latest/meta-data/ram/security-credentials/', token ? { 'x-aliyun-ecs-metadata-token': token } : {}));
    const name = roles.statusCode === 200 ? roles.body.toString('utf8').trim().split(/\s+/)[0] : undefined;
    return name && /^[\w.@+=,-]{1,64}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  } finally {
    await transport.close();
  }
}

/** Where the home folder is: the chain's option, else HOME of its environment, else the OS's. */
export function homeOf(home: string | undefined, env: NodeJS.ProcessEnv): string {
  return home ?? (env['HOME']?.trim() || homedir());
}

export { aliyunConfigPath, listNames, shownName };
