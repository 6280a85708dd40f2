import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsNotFoundError } from './api/errors';
import type { Credentials } from './api/signing';

export { maskAccessKeyId } from './safeText';

export interface ResolvedCredentials {
  readonly credentials: Credentials;
  /** Where they came from, for the log and the tooltip: never the secret. */
  readonly source: string;
}

export interface CredentialProvider {
  /** What this provider reads, as a user would look for it. */
  readonly description: string;
  /** Undefined when this source has nothing; throws a CredentialsNotFoundError when it is present but unusable. */
  resolve(): Promise<ResolvedCredentials | undefined>;
}

const ACCESS_KEY_ID = /^[A-Za-z0-9._-]{4,128}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

/** Why an AccessKey pair is malformed (never quoting the secret), or undefined when it looks usable. */
export function credentialsProblem(c: Credentials): string | undefined {
  if (!ACCESS_KEY_ID.test(c.accessKeyId)) {
    return 'the AccessKey ID must be 4-128 letters, digits, dots, dashes or underscores';
  }
  if (!PRINTABLE.test(c.accessKeySecret)) {
    return 'the AccessKey secret must be printable ASCII without spaces';
  }
  if (c.securityToken !== undefined && c.securityToken !== '' && !PRINTABLE.test(c.securityToken)) {
    return 'the STS token must be printable ASCII without spaces';
  }
  return undefined;
}

function checked(credentials: Credentials, source: string): ResolvedCredentials {
  const problem = credentialsProblem(credentials);
  if (problem) {
    throw new CredentialsNotFoundError(`The credentials from ${source} are malformed: ${problem}`);
  }
  return { credentials, source };
}

/** `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`ALIBABA_CLOUD_SECURITY_TOKEN` (and the aliyun CLI's older `ALICLOUD_*`). */
export function environmentProvider(env: NodeJS.ProcessEnv = process.env): CredentialProvider {
  return {
    description: 'the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    async resolve() {
      // Each family is read as a pair, so an ID from one is never signed with a secret from the other.
      const prefix = ['ALIBABA_CLOUD', 'ALICLOUD'].find((p) => env[`${p}_ACCESS_KEY_ID`]?.trim() || env[`${p}_ACCESS_KEY_SECRET`]?.trim());
      if (!prefix) {
        return undefined;
      }
      const id = env[`${prefix}_ACCESS_KEY_ID`]?.trim();
      const secret = env[`${prefix}_ACCESS_KEY_SECRET`]?.trim();
      if (!id || !secret) {
        throw new CredentialsNotFoundError(
          `${prefix}_ACCESS_KEY_${id ? 'SECRET' : 'ID'} is not set, but ${prefix}_ACCESS_KEY_${id ? 'ID' : 'SECRET'} is: set both`,
        );
      }
      const token = env['ALIBABA_CLOUD_SECURITY_TOKEN']?.trim();
      return checked({ accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) }, 'environment variables');
    },
  };
}

export interface AliyunProfileOptions {
  /** `--profile`; else `ALIBABA_CLOUD_PROFILE`; else the file's `current`; else `default`. */
  readonly profile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly readText?: (path: string) => Promise<string>;
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

/** The aliyun CLI's profile file, modes `AK` and `StsToken`. Read only; keys are never written back. */
export function aliyunProfileProvider(options: AliyunProfileOptions = {}): CredentialProvider {
  const env = options.env ?? process.env;
  const path = aliyunConfigPath(options.home ?? env['HOME'] ?? homedir());
  const read = options.readText ?? ((p: string) => readFile(p, 'utf8'));
  return {
    description: `the aliyun CLI profile file ${path}`,
    async resolve() {
      let text: string;
      try {
        text = await read(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          if (options.profile) {
            throw new CredentialsNotFoundError(`Profile "${options.profile}" was asked for, but ${path} does not exist`);
          }
          return undefined;
        }
        throw new CredentialsNotFoundError(`Cannot read ${path}: ${(e as Error).message}`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CredentialsNotFoundError(`${path} is not valid JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new CredentialsNotFoundError(`${path} is not a JSON object`);
      }
      const config = parsed as { current?: unknown; profiles?: unknown };
      const profiles = Array.isArray(config.profiles) ? (config.profiles as AliyunProfile[]) : [];
      const wanted =
        options.profile?.trim() ||
        env['ALIBABA_CLOUD_PROFILE']?.trim() ||
        (typeof config.current === 'string' && config.current.trim()) ||
        'default';
      const profile =
        profiles.find((p) => p.name === wanted) ??
        profiles.find((p) => typeof p.name === 'string' && p.name.toLowerCase() === wanted.toLowerCase());
      if (!profile) {
        const names = profiles.map((p) => String(p.name)).join(', ') || 'none';
        throw new CredentialsNotFoundError(`Profile "${wanted}" is not in ${path} (profiles: ${names})`);
      }
      const mode = typeof profile.mode === 'string' ? profile.mode : 'AK';
      const source = `aliyun CLI profile "${wanted}" (${path})`;
      const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
      if (/^ak$/i.test(mode)) {
        return checked({ accessKeyId: str(profile.access_key_id), accessKeySecret: str(profile.access_key_secret) }, source);
      }
      if (/^ststoken$/i.test(mode)) {
        return checked(
          { accessKeyId: str(profile.access_key_id), accessKeySecret: str(profile.access_key_secret), securityToken: str(profile.sts_token) },
          source,
        );
      }
      throw new CredentialsNotFoundError(
        `Profile "${wanted}" in ${path} uses mode ${mode}; only AK and StsToken profiles are supported (or set the ALIBABA_CLOUD_* environment variables)`,
      );
    },
  };
}

/** The first provider that has credentials wins; with none, the error names every place that was looked at. */
export async function resolveCredentials(providers: readonly CredentialProvider[]): Promise<ResolvedCredentials> {
  for (const provider of providers) {
    const found = await provider.resolve();
    if (found) {
      return found;
    }
  }
  throw new CredentialsNotFoundError(
    `No Alibaba Cloud credentials found. Looked in ${providers.map((p) => p.description).join('; then ')}.`,
  );
}
