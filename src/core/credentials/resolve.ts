import * as l10n from '@vscode/l10n';
import { CredentialsNotFoundError } from '../api/errors';
import type { Credentials } from '../api/signing';
import { formatNumber } from '../locale';


export { maskAccessKeyId } from '../safeText';

export interface ResolvedCredentials {
  readonly credentials: Credentials;
  /** Where they came from, for the log and the tooltip: never the secret. */
  readonly source: string;
  /** Things the user should fix but that did not stop the lookup (a config file others can write); never a secret. */
  readonly warnings?: readonly string[];
  /** The default region of this source: the profile's `region_id`, else ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION_ID. */
  readonly region?: string;
  /** When temporary credentials stop working; absent for an AccessKey that does not expire. */
  readonly expiresAt?: Date;
  /** The aliyun CLI mode (or credentials-file type) that produced them, e.g. `RamRoleArn`. */
  readonly mode?: string;
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

export function checked(credentials: Credentials, source: string, warnings: readonly string[] = []): ResolvedCredentials {
  const problem = credentialsProblem(credentials);
  if (problem) {
    throw new CredentialsNotFoundError(l10n.t('The credentials from {0} are malformed: {1}', source, problem));
  }
  return warnings.length > 0 ? { credentials, source, warnings } : { credentials, source };
}

/** The region variables the aliyun CLI reads, in its order. */
const REGION_VARIABLES = ['ALIBABA_CLOUD_REGION_ID', 'ALIBABACLOUD_REGION_ID', 'ALICLOUD_REGION_ID'] as const;

/** The default region the environment names, if any: the one place that reads these variables. */
export function regionFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of REGION_VARIABLES) {
    const value = env[name]?.trim();
    if (value) {
      return value;
    }
  }
  return undefined;
}

/** The key families the aliyun CLI reads, in its order; each is read as a whole, with its own token. */
const KEY_FAMILIES = ['ALIBABA_CLOUD', 'ALIBABACLOUD', 'ALICLOUD'] as const;

/** `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`_SECURITY_TOKEN`, else the `ALIBABACLOUD_*`, else the older `ALICLOUD_*` spelling. */
export function environmentProvider(env: NodeJS.ProcessEnv = process.env): CredentialProvider {
  return {
    description: l10n.t('the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
    async resolve() {
      // Each family is read as a pair, so an ID from one is never signed with a secret from the other.
      const prefix = KEY_FAMILIES.find((p) => env[`${p}_ACCESS_KEY_ID`]?.trim() || env[`${p}_ACCESS_KEY_SECRET`]?.trim());
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
      const token = env[`${prefix}_SECURITY_TOKEN`]?.trim();
      const found = checked({ accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) }, l10n.t('environment variables'));
      const region = regionFromEnv(env);
      return { ...found, mode: token ? 'StsToken' : 'AK', ...(region ? { region } : {}) };
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
export async function resolveWithin(provider: CredentialProvider, deadlineMs: number): Promise<ResolvedCredentials | undefined> {
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
