import * as l10n from '@vscode/l10n';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsNotFoundError } from './api/errors';
import type { Credentials } from './api/signing';
import { ConfigFileError, readConfigFile, type ConfigFileContents } from './configFile';
import { formatNumber } from './locale';
import { quoteUntrusted, safeText } from './safeText';

export { maskAccessKeyId } from './safeText';

export interface ResolvedCredentials {
  readonly credentials: Credentials;
  /** Where they came from, for the log and the tooltip: never the secret. */
  readonly source: string;
  /** Things the user should fix but that did not stop the lookup (a config file others can write); never a secret. */
  readonly warnings?: readonly string[];
}

export interface CredentialProvider {
  /** What this provider reads, as a user would look for it. */
  readonly description: string;
  /** Undefined when this source has nothing; throws a CredentialsNotFoundError when it is present but unusable. */
  resolve(): Promise<ResolvedCredentials | undefined>;
  /** Appended when this source misses its deadline: what usually makes it hang. */
  readonly deadlineHint?: string;
}

const ACCESS_KEY_ID = /^[A-Za-z0-9._-]{4,128}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** Why an AccessKey pair is malformed (never quoting the secret), or undefined when it looks usable. */
export function credentialsProblem(c: Credentials): string | undefined {
  if (!ACCESS_KEY_ID.test(c.accessKeyId)) {
    return l10n.t('the AccessKey ID must be 4-128 letters, digits, dots, dashes or underscores');
  }
  if (!PRINTABLE.test(c.accessKeySecret)) {
    return l10n.t('the AccessKey secret must be printable ASCII without spaces');
  }
  if (c.securityToken !== undefined && c.securityToken !== '' && !PRINTABLE.test(c.securityToken)) {
    return l10n.t('the STS token must be printable ASCII without spaces');
  }
  return undefined;
}

function checked(credentials: Credentials, source: string, warnings: readonly string[] = []): ResolvedCredentials {
  const problem = credentialsProblem(credentials);
  if (problem) {
    throw new CredentialsNotFoundError(l10n.t('The credentials from {0} are malformed: {1}', source, problem));
  }
  return warnings.length > 0 ? { credentials, source, warnings } : { credentials, source };
}

/** `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`ALIBABA_CLOUD_SECURITY_TOKEN` (and the aliyun CLI's older `ALICLOUD_*`). */
export function environmentProvider(env: NodeJS.ProcessEnv = process.env): CredentialProvider {
  return {
    description: l10n.t('the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    async resolve() {
      // Each family is read as a pair, so an ID from one is never signed with a secret from the other.
      const prefix = ['ALIBABA_CLOUD', 'ALICLOUD'].find((p) => env[`${p}_ACCESS_KEY_ID`]?.trim() || env[`${p}_ACCESS_KEY_SECRET`]?.trim());
      if (!prefix) {
        return undefined;
      }
      const id = env[`${prefix}_ACCESS_KEY_ID`]?.trim();
      const secret = env[`${prefix}_ACCESS_KEY_SECRET`]?.trim();
      if (!id || !secret) {
        const [missing, present] = id ? ['SECRET', 'ID'] : ['ID', 'SECRET'];
        throw new CredentialsNotFoundError(
          l10n.t('{0} is not set, but {1} is: set both', `${prefix}_ACCESS_KEY_${missing}`, `${prefix}_ACCESS_KEY_${present}`),
        );
      }
      const token = env['ALIBABA_CLOUD_SECURITY_TOKEN']?.trim();
      return checked({ accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) }, l10n.t('environment variables'));
    },
  };
}

export interface AliyunProfileOptions {
  /** `--profile`; else `ALIBABA_CLOUD_PROFILE`; else the file's `current`; else `default`. */
  readonly profile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** Reads the file; undefined when it does not exist. Tests replace it; the default refuses FIFOs, devices and big files. */
  readonly readFile?: (path: string) => Promise<ConfigFileContents | undefined>;
}

export function aliyunConfigPath(home: string = homedir()): string {
  return join(home, '.aliyun', 'config.json');
}

interface AliyunProfile {
  name?: unknown;
  mode?: unknown;
  access_key_id?: unknown;
  access_key_secret?: unknown;
  sts_token?: unknown;
}

/** How many profile names an error lists before "and N more": a hostile file could hold thousands. */
const MAX_LISTED_PROFILES = 20;

/** A name from the file, the environment or the command line, shown quoted with its control characters escaped. */
function shownName(name: string): string {
  return quoteUntrusted(name, 64);
}

/** In a list of names a plain one stays bare (`dev, Prod`); anything else is quoted and escaped. */
function listedName(name: string): string {
  return /^[\w.@-]{1,64}$/.test(name) ? name : shownName(name);
}

/** The aliyun CLI's profile file, modes `AK` and `StsToken`. Read only; keys are never written back. */
export function aliyunProfileProvider(options: AliyunProfileOptions = {}): CredentialProvider {
  const env = options.env ?? process.env;
  const path = aliyunConfigPath(options.home ?? env['HOME'] ?? homedir());
  const shownPath = safeText(path);
  const read = options.readFile ?? ((p: string) => readConfigFile(p));
  return {
    description: l10n.t('the aliyun CLI profile file {0}', shownPath),
    deadlineHint: l10n.t('is it on a network drive that stopped answering?'),
    async resolve() {
      let file: ConfigFileContents | undefined;
      try {
        file = await read(path);
      } catch (e) {
        if (e instanceof ConfigFileError) {
          throw new CredentialsNotFoundError(e.message);
        }
        const code = (e as NodeJS.ErrnoException | undefined)?.code;
        throw new CredentialsNotFoundError(typeof code === 'string' ? l10n.t('Cannot read {0}: {1}', shownPath, code) : l10n.t('Cannot read {0}', shownPath));
      }
      if (file === undefined) {
        if (options.profile) {
          throw new CredentialsNotFoundError(l10n.t('Profile {0} was asked for, but {1} does not exist', shownName(options.profile), shownPath));
        }
        return undefined;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(file.text);
      } catch {
        // JSON.parse's message quotes the text around the error, which holds secrets.
        throw new CredentialsNotFoundError(l10n.t('{0} is not valid JSON', shownPath));
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new CredentialsNotFoundError(l10n.t('{0} is not a JSON object', shownPath));
      }
      const config = parsed as { current?: unknown; profiles?: unknown };
      const profiles = (Array.isArray(config.profiles) ? (config.profiles as unknown[]) : []).filter(
        (p): p is AliyunProfile => typeof p === 'object' && p !== null,
      );
      const wanted =
        options.profile?.trim() ||
        env['ALIBABA_CLOUD_PROFILE']?.trim() ||
        (typeof config.current === 'string' && config.current.trim()) ||
        'default';
      const profile =
        profiles.find((p) => p.name === wanted) ??
        profiles.find((p) => typeof p.name === 'string' && p.name.toLowerCase() === wanted.toLowerCase());
      if (!profile) {
        const names = profiles.flatMap((p) => (typeof p.name === 'string' ? [listedName(p.name)] : []));
        const listed = names.slice(0, MAX_LISTED_PROFILES).join(', ');
        const profilesText =
          names.length > MAX_LISTED_PROFILES
            ? l10n.t('{0} and {1} more', listed, names.length - MAX_LISTED_PROFILES)
            : listed || l10n.t('none');
        throw new CredentialsNotFoundError(l10n.t('Profile {0} is not in {1} (profiles: {2})', shownName(wanted), shownPath, profilesText));
      }
      const mode = typeof profile.mode === 'string' ? profile.mode : 'AK';
      const source = l10n.t('aliyun CLI profile {0} ({1})', shownName(wanted), shownPath);
      const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
      if (/^ak$/i.test(mode)) {
        return checked({ accessKeyId: str(profile.access_key_id), accessKeySecret: str(profile.access_key_secret) }, source, file.warnings);
      }
      if (/^ststoken$/i.test(mode)) {
        return checked(
          { accessKeyId: str(profile.access_key_id), accessKeySecret: str(profile.access_key_secret), securityToken: str(profile.sts_token) },
          source,
          file.warnings,
        );
      }
      const shownMode = /^[A-Za-z]{1,40}$/.test(mode) ? mode : quoteUntrusted(mode, 40);
      throw new CredentialsNotFoundError(
        l10n.t(
          'Profile {0} in {1} uses mode {2}; only AK and StsToken profiles are supported (or set the ALIBABA_CLOUD_* environment variables)',
          shownName(wanted), shownPath, shownMode,
        ),
      );
    },
  };
}

/** How long one credential source may take before it counts as broken. */
export const CREDENTIAL_SOURCE_DEADLINE_MS = 5000;

/** The largest delay setTimeout honours; beyond it Node fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

export interface ResolveCredentialsOptions {
  /** Per source; tests shorten it. */
  readonly deadlineMs?: number;
}

function formatDeadline(ms: number): string {
  return ms >= 1000 ? l10n.t('{0} s', formatNumber(Number((ms / 1000).toFixed(1)))) : l10n.t('{0} ms', formatNumber(ms));
}

/** One provider's answer, or a CredentialsNotFoundError naming it once the deadline passes. */
async function resolveWithin(provider: CredentialProvider, deadlineMs: number): Promise<ResolvedCredentials | undefined> {
  // An async wrapper turns a provider that throws synchronously into a rejection like any other.
  const answer = (async () => provider.resolve())();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    // Not unref'd on purpose: a source hung on nothing Node tracks would otherwise let the CLI exit silently.
    timer = setTimeout(() => {
      const within = formatDeadline(deadlineMs);
      reject(
        new CredentialsNotFoundError(
          provider.deadlineHint
            ? l10n.t('Credential lookup stopped: {0} did not answer within {1} ({2}); no later source was tried', provider.description, within, provider.deadlineHint)
            : l10n.t('Credential lookup stopped: {0} did not answer within {1}; no later source was tried', provider.description, within),
        ),
      );
    }, deadlineMs);
  });
  try {
    // race subscribes to the answer, so one that fails after the deadline is handled, never an unhandled rejection.
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The first provider that has credentials wins; with none, the error names every place that was looked at. A
 * provider that does not answer within the deadline is an error, not a miss: falling through to a later source
 * could sign with an account the user did not expect.
 */
export async function resolveCredentials(
  providers: readonly CredentialProvider[],
  { deadlineMs = CREDENTIAL_SOURCE_DEADLINE_MS }: ResolveCredentialsOptions = {},
): Promise<ResolvedCredentials> {
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0 || deadlineMs > MAX_TIMER_MS) {
    throw new RangeError(`deadlineMs must be between 1 and ${MAX_TIMER_MS}, not ${deadlineMs}`);
  }
  for (const provider of providers) {
    const found = await resolveWithin(provider, deadlineMs);
    if (found) {
      return found;
    }
  }
  throw new CredentialsNotFoundError(
    l10n.t('No Alibaba Cloud credentials found. Looked in {0}.', providers.map((p) => p.description).join(l10n.t('; then '))),
  );
}
