import * as l10n from '@vscode/l10n';
import { CredentialsNotFoundError } from '../api/errors';
import { safeText } from '../safeText';
import { aliyunConfigPath, listNames, shownName, type ReadFile } from './aliyunConfig';
import {
  aliyunProfileLink,
  credentialsFileLink,
  credentialsFilePath,
  credentialsUriLink,
  ecsLink,
  homeOf,
  oidcEnvLink,
  type Link,
  type LinkOptions,
} from './links';
import { envFlag } from './modes';
import { CREDENTIAL_SOURCE_DEADLINE_MS, environmentProvider, regionFromEnv, resolveWithin, type CredentialProvider, type ResolvedCredentials } from './resolve';

export interface ChainOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The home folder of ~/.aliyun and ~/.alibabacloud; default HOME of `env`, else the OS's. */
  readonly home?: string;
  /** The proxy of the DTS requests; without one HTTPS_PROXY / HTTP_PROXY / NO_PROXY of `env` apply. */
  readonly proxy?: string;
  /** Per credential request (STS, credentials URI, ECS metadata, CloudSSO, OAuth, the external command). */
  readonly requestTimeoutMs?: number;
  /** Per link of the chain; a link that takes longer is an error, and no later link is tried. */
  readonly deadlineMs?: number;
  /** Links before all others: the extension's SecretStorage. */
  readonly first?: readonly CredentialProvider[];
  readonly now?: () => Date;
}

/** Tests' seam: the file reader (the default refuses FIFOs, devices and big files). */
export interface ChainTestOptions extends ChainOptions {
  readonly readFile?: ReadFile;
}

export interface CredentialChain {
  readonly description: string;
  resolve(): Promise<ResolvedCredentials>;
  /** Forget the cached link and held sessions, e.g. after a change of settings, secrets or files, or a rejected key. */
  reset(): void;
}

export const DEFAULT_CREDENTIAL_REQUEST_TIMEOUT_MS = 10_000;

function linkOptions(options: ChainTestOptions): LinkOptions {
  return {
    env: options.env,
    proxy: options.proxy,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_CREDENTIAL_REQUEST_TIMEOUT_MS,
    now: options.now ?? (() => new Date()),
    home: homeOf(options.home, options.env),
    readFile: options.readFile,
  };
}

/** Long enough for a chained role (two STS requests) and a file read; a link past it is broken, not slow. */
function deadlineOf(options: ChainOptions): number {
  const request = options.requestTimeoutMs ?? DEFAULT_CREDENTIAL_REQUEST_TIMEOUT_MS;
  return options.deadlineMs ?? Math.max(CREDENTIAL_SOURCE_DEADLINE_MS, 2 * request + 1000);
}

/** A provider that is not one of our links (SecretStorage) has nothing to forget. */
function asLink(provider: CredentialProvider): Link {
  return 'reset' in provider && typeof (provider as Link).reset === 'function' ? (provider as Link) : Object.assign(Object.create(provider) as Link, { reset: () => undefined });
}

/**
 * Walks the links once and remembers which answered; later calls ask only that link. When it fails or no longer
 * answers, the chain is walked again, once, from the start. Concurrent callers share one walk.
 */
class CachingChain implements CredentialChain {
  private answering: number | undefined;
  private inFlight: Promise<ResolvedCredentials> | undefined;

  constructor(
    readonly description: string,
    private readonly links: readonly Link[],
    private readonly deadlineMs: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onMiss: () => CredentialsNotFoundError,
  ) {}

  resolve(): Promise<ResolvedCredentials> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  reset(): void {
    this.answering = undefined;
    for (const link of this.links) {
      link.reset();
    }
  }

  private async run(): Promise<ResolvedCredentials> {
    let failed: { index: number; error: unknown } | undefined;
    if (this.answering !== undefined) {
      const index = this.answering;
      try {
        const found = await resolveWithin(this.links[index], this.deadlineMs);
        if (found) {
          return this.withRegion(found);
        }
      } catch (e) {
        failed = { index, error: e };
      }
      this.answering = undefined;
    }
    for (let index = 0; index < this.links.length; index++) {
      if (failed?.index === index) {
        // Just failed: the earlier links had their chance again; asking it twice would double a timeout.
        throw failed.error;
      }
      const found = await resolveWithin(this.links[index], this.deadlineMs);
      if (found) {
        this.answering = index;
        return this.withRegion(found);
      }
    }
    throw this.onMiss();
  }

  private withRegion(found: ResolvedCredentials): ResolvedCredentials {
    if (found.region) {
      return found;
    }
    const region = regionFromEnv(this.env);
    return region ? { ...found, region } : found;
  }
}

/**
 * The default chain, in the official order: SecretStorage (`first`), the environment (ALIBABA_CLOUD_*,
 * ALIBABACLOUD_*, ALICLOUD_*), the OIDC variables, the aliyun CLI profile (unless ALIBABA_CLOUD_CLI_PROFILE_DISABLED),
 * the credentials file, ALIBABA_CLOUD_CREDENTIALS_URI, and last the ECS instance role.
 */
export function defaultChain(options: ChainOptions): CredentialChain {
  const shared = linkOptions(options);
  const links: Link[] = [...(options.first ?? []).map(asLink), asLink(environmentProvider(options.env)), oidcEnvLink(shared)];
  if (!envFlag(options.env, 'ALIBABA_CLOUD_CLI_PROFILE_DISABLED')) {
    links.push(aliyunProfileLink(shared));
  }
  links.push(credentialsFileLink(shared), credentialsUriLink(shared), ecsLink(shared));
  const description = links.map((l) => l.description).join(l10n.t('; then '));
  return new CachingChain(description, links, deadlineOf(options), options.env, () =>
    new CredentialsNotFoundError(l10n.t('No Alibaba Cloud credentials found. Looked in {0}.', description)),
  );
}

/** One named profile: of the aliyun CLI if it has one of that name, else of the credentials file. */
export function profileChain(name: string, options: ChainOptions): CredentialChain {
  const shared = linkOptions(options);
  const cli = aliyunProfileLink({ ...shared, profile: name });
  const file = credentialsFileLink({ ...shared, profile: name });
  const cliPath = safeText(aliyunConfigPath(shared.home));
  const filePath = safeText(credentialsFilePath(options.env, shared.home).path);
  const where = (names: readonly string[] | undefined, path: string): string =>
    names === undefined ? l10n.t('{0} (does not exist)', path) : l10n.t('{0} (profiles: {1})', path, listNames(names));
  return new CachingChain(l10n.t('the profile {0}', shownName(name)), [cli, file], deadlineOf(options), options.env, () =>
    new CredentialsNotFoundError(
      l10n.t('Profile {0} is in neither {1} nor {2}', shownName(name), where(cli.lastMiss?.names, cliPath), where(file.lastMiss?.names, filePath)),
    ),
  );
}

export interface AliyunProfileOptions {
  /** `--profile`; else ALIBABACLOUD_PROFILE / ALIBABA_CLOUD_PROFILE / ALICLOUD_PROFILE; else the file's `current`; else `default`. */
  readonly profile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly readFile?: ReadFile;
  readonly proxy?: string;
  readonly requestTimeoutMs?: number;
  readonly now?: () => Date;
}

/** The aliyun CLI profile file as one provider (every mode), for callers that build their own list. */
export function aliyunProfileProvider(options: AliyunProfileOptions = {}): CredentialProvider {
  const env = options.env ?? process.env;
  const link = aliyunProfileLink({ ...linkOptions({ ...options, env }), profile: options.profile });
  return {
    description: link.description,
    deadlineHint: link.deadlineHint,
    async resolve() {
      const found = await link.resolve();
      if (!found && options.profile) {
        const names = link.lastMiss?.names;
        const path = safeText(aliyunConfigPath(homeOf(options.home, env)));
        throw new CredentialsNotFoundError(
          names === undefined
            ? l10n.t('Profile {0} was asked for, but {1} does not exist', shownName(options.profile), path)
            : l10n.t('Profile {0} is not in {1} (profiles: {2})', shownName(options.profile), path, listNames(names)),
        );
      }
      return found;
    },
  };
}
