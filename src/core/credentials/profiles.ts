import * as l10n from '@vscode/l10n';
import { CredentialsNotFoundError } from '../api/errors';
import type { Credentials } from '../api/signing';
import { quoteUntrusted } from '../safeText';
import { booleanField, field, findProfile, numberField, shownName, writeBackProfile, type AliyunProfile } from './aliyunConfig';
import {
  cloudSsoIssuer,
  ecsIssuer,
  envFlag,
  envValue,
  externalIssuer,
  oauthIssuer,
  OAUTH_SITES,
  oidcIssuer,
  ramRoleIssuer,
  required,
  staticIssuer,
  stsEndpoint,
  uriIssuer,
  type Issuer,
  type ModeEnvironment,
} from './modes';

/** Every mode the aliyun CLI writes; matched exactly, as the aliyun CLI and the official library do. */
export const ALIYUN_MODES = ['AK', 'StsToken', 'RamRoleArn', 'ChainableRamRoleArn', 'EcsRamRole', 'OIDC', 'CredentialsURI', 'CloudSSO', 'OAuth', 'External'] as const;

/** How deep `source_profile` may chain before it counts as a loop. */
const MAX_SOURCE_DEPTH = 8;

export function profileLabel(name: string, mode: string): string {
  return l10n.t('aliyun CLI profile {0} ({1})', shownName(name), mode);
}

export function shownMode(mode: string): string {
  return /^[A-Za-z]{1,40}$/.test(mode) ? mode : quoteUntrusted(mode, 40);
}

export interface ProfileContext extends ModeEnvironment {
  readonly configPath: string;
  /** Called with a warning (no secret) when a write-back to config.json failed. */
  readonly warn: (warning: string) => void;
}

/** The mode of a profile; the aliyun CLI writes it, and `AK` is what a profile without one means. */
export function modeOf(profile: AliyunProfile): string {
  const mode = typeof profile.mode === 'string' && profile.mode.trim() !== '' ? profile.mode.trim() : 'AK';
  // A hand-edited `ak` or `ststoken` is accepted (this project always did), though the aliyun CLI matches exactly.
  return ALIYUN_MODES.find((m) => m.toLowerCase() === mode.toLowerCase()) ?? mode;
}

/** Builds the issuer of one aliyun CLI profile, validating its fields as the aliyun CLI's Validate() does. */
export function aliyunProfileIssuer(
  profiles: readonly AliyunProfile[],
  profile: AliyunProfile,
  context: ProfileContext,
  chain: readonly string[] = [],
): Issuer {
  const name = typeof profile.name === 'string' ? profile.name : '';
  const mode = modeOf(profile);
  const label = profileLabel(name, shownMode(mode));
  const f = (key: string): string => field(profile, key);
  const akOf = (): Credentials => {
    required(label, { access_key_id: f('access_key_id'), access_key_secret: f('access_key_secret') });
    return { accessKeyId: f('access_key_id'), accessKeySecret: f('access_key_secret') };
  };
  const endpoint = (): string =>
    stsEndpoint(context.env, { endpoint: f('sts_endpoint'), region: f('sts_region'), vpc: booleanField(profile, 'enable_vpc') });
  const writeBack = (writeMode: 'OAuth' | 'External') => async (changes: Readonly<Record<string, string | number>>) => {
    try {
      await writeBackProfile(context.configPath, name, writeMode, changes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException | undefined)?.code;
      context.warn(l10n.t('{0}: the renewed credentials could not be written back to {1} ({2})', label, context.configPath, typeof code === 'string' ? code : l10n.t('unknown error')));
    }
  };
  switch (mode) {
    case 'AK':
      return staticIssuer(mode, label, akOf());
    case 'StsToken': {
      required(label, { access_key_id: f('access_key_id'), access_key_secret: f('access_key_secret'), sts_token: f('sts_token') });
      return staticIssuer(mode, label, { ...akOf(), securityToken: f('sts_token') });
    }
    case 'RamRoleArn': {
      const source = staticIssuer('AK', label, akOf());
      required(label, { ram_role_arn: f('ram_role_arn') });
      return ramRoleIssuer(mode, label, source, roleOf(profile, endpoint()), context);
    }
    case 'ChainableRamRoleArn': {
      const sourceName = f('source_profile');
      required(label, { source_profile: sourceName, ram_role_arn: f('ram_role_arn') });
      if (chain.includes(sourceName) || chain.length >= MAX_SOURCE_DEPTH || sourceName === name) {
        throw new CredentialsNotFoundError(l10n.t('{0}: source_profile {1} leads back to itself', label, shownName(sourceName)));
      }
      const sourceProfile = findProfile(profiles, sourceName);
      if (!sourceProfile) {
        throw new CredentialsNotFoundError(l10n.t('{0}: its source_profile {1} is not in {2}', label, shownName(sourceName), context.configPath));
      }
      const source = aliyunProfileIssuer(profiles, sourceProfile, context, [...chain, name]);
      return ramRoleIssuer(mode, label, source, roleOf(profile, endpoint()), context);
    }
    case 'EcsRamRole':
      return ecsIssuer(mode, label, f('ram_role_name') || undefined, context);
    case 'OIDC': {
      required(label, { oidc_provider_arn: f('oidc_provider_arn'), oidc_token_file: f('oidc_token_file'), ram_role_arn: f('ram_role_arn') });
      return oidcIssuer(
        label,
        {
          roleArn: f('ram_role_arn'),
          providerArn: f('oidc_provider_arn'),
          tokenFile: f('oidc_token_file'),
          sessionName: f('ram_session_name') || undefined,
          durationSeconds: numberField(profile, 'duration_seconds') ?? numberField(profile, 'expired_seconds'),
          endpoint: endpoint(),
        },
        context,
      );
    }
    case 'CredentialsURI': {
      refuseExternalProcess(context.env, label);
      const uri = f('credentials_uri') || envValue(context.env, 'CREDENTIALS_URI') || '';
      required(label, { credentials_uri: uri });
      return uriIssuer(mode, label, uri, context);
    }
    case 'CloudSSO': {
      required(label, {
        cloud_sso_sign_in_url: f('cloud_sso_sign_in_url'),
        cloud_sso_account_id: f('cloud_sso_account_id'),
        cloud_sso_access_config: f('cloud_sso_access_config'),
        access_token: f('access_token'),
      });
      return cloudSsoIssuer(
        label,
        name,
        {
          signInUrl: f('cloud_sso_sign_in_url'),
          accountId: f('cloud_sso_account_id'),
          accessConfig: f('cloud_sso_access_config'),
          accessToken: f('access_token'),
          accessTokenExpire: numberField(profile, 'cloud_sso_access_token_expire') ?? 0,
        },
        context,
      );
    }
    case 'OAuth': {
      const site = OAUTH_SITES[f('oauth_site_type').toUpperCase()];
      if (!site) {
        throw new CredentialsNotFoundError(l10n.t('{0}: oauth_site_type must be CN or INTL', label));
      }
      required(label, { oauth_refresh_token: f('oauth_refresh_token') });
      return oauthIssuer(
        label,
        {
          site,
          refreshToken: f('oauth_refresh_token'),
          accessToken: f('oauth_access_token'),
          accessTokenExpire: numberField(profile, 'oauth_access_token_expire') ?? 0,
          onUpdate: writeBack('OAuth'),
        },
        context,
      );
    }
    case 'External': {
      refuseExternalProcess(context.env, label);
      required(label, { process_command: f('process_command') });
      return externalIssuer(label, { command: f('process_command'), onUpdate: writeBack('External') }, context);
    }
    default:
      throw new CredentialsNotFoundError(
        l10n.t('{0}: unknown mode; the aliyun CLI writes one of {1}', label, ALIYUN_MODES.join(', ')),
      );
  }
}

function roleOf(profile: AliyunProfile, endpoint: string) {
  return {
    roleArn: field(profile, 'ram_role_arn'),
    sessionName: field(profile, 'ram_session_name') || undefined,
    durationSeconds: numberField(profile, 'expired_seconds'),
    externalId: field(profile, 'external_id') || undefined,
    endpoint,
  };
}

/** ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS turns off External and CredentialsURI profiles, as in the aliyun CLI. */
function refuseExternalProcess(env: NodeJS.ProcessEnv, label: string): void {
  if (envFlag(env, 'ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS')) {
    throw new CredentialsNotFoundError(l10n.t('{0}: turned off by ALIBABA_CLOUD_DISABLE_EXTERNAL_PROCESS', label));
  }
}

/**
 * What identifies a profile's session: its fields, minus the ones a renewal writes back (OAuth, External), so our
 * own write-back does not look like a new profile.
 */
export function profileFingerprint(profiles: readonly AliyunProfile[], profile: AliyunProfile, depth = 0): string {
  const mode = modeOf(profile);
  const written = new Set(['access_key_id', 'access_key_secret', 'sts_token', 'sts_expiration', 'oauth_refresh_token', 'oauth_access_token', 'oauth_access_token_expire']);
  const entries = Object.entries(profile)
    .filter(([k]) => !((mode === 'OAuth' || mode === 'External') && written.has(k)))
    .sort(([a], [b]) => a.localeCompare(b));
  const source = mode === 'ChainableRamRoleArn' && depth < MAX_SOURCE_DEPTH ? findProfile(profiles, field(profile, 'source_profile')) : undefined;
  return JSON.stringify([entries, source ? profileFingerprint(profiles, source, depth + 1) : null]);
}
