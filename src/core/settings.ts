import * as l10n from '@vscode/l10n';
import { parseEndpoint } from './api/endpoints';
import type { SignatureVersion } from './api/signing';
import { accountNameProblem, DEFAULT_ACCOUNT, parseJobList, type JobSpec } from './jobs';
import { parseExpiryWarningDays } from './expiry';
import { regionProblem } from './regions';

/** The extension's settings after validation; every field has a usable value. */
export interface Settings {
  readonly jobs: readonly JobSpec[];
  readonly defaultRegion: string;
  /** Where `defaultRegion` came from: the setting, the default account's profile (`region_id`), or the built-in default. */
  readonly defaultRegionFrom: 'setting' | 'profile' | 'built-in';
  readonly refreshIntervalSeconds: number;
  readonly lagWarningSeconds: number;
  /** `dtsSync.expiryWarningDays`: a subscription expiring within this many days is a warning. */
  readonly expiryWarningDays: number;
  /** Undefined: the official endpoint of each region. */
  readonly endpoint: string | undefined;
  /**
   * Why no request may be sent at all (a plain-http endpoint the user did not opt in to): every refresh fails with
   * it, rather than sending the signed requests somewhere the user did not ask for.
   */
  readonly endpointRefusal: string | undefined;
  /** `dtsSync.allowInsecureEndpoint` (machine scope): plain http:// to a host that is not loopback. */
  readonly allowInsecureEndpoint: boolean;
  readonly signatureVersion: SignatureVersion;
  readonly requestTimeoutSeconds: number;
  readonly notifyOnFailure: boolean;
  /** VS Code's `http.proxy`, when set and usable; requests then go through it. */
  readonly httpProxy: string | undefined;
  /** `dtsSync.watchRegions`: every sync job of these regions (each with its account) is watched too. */
  readonly watchRegions: readonly WatchedRegion[];
  /** `dtsSync.groupBy`: how the tree groups jobs. */
  readonly groupBy: GroupBy;
  /** One sentence per setting that was ignored, for the view's message and the log. */
  readonly problems: readonly string[];
}

export interface WatchedRegion {
  readonly region: string;
  /** The account whose credentials list the region (`default` when the entry names none). */
  readonly account: string;
}

export type GroupBy = 'none' | 'region' | 'health';
export const GROUP_BY_VALUES: readonly GroupBy[] = ['none', 'region', 'health'];

/** More regions than DTS has would only multiply listing calls. */
export const MAX_WATCH_REGIONS = 30;

/**
 * `dtsSync.watchRegions`: region IDs (`"cn-hangzhou"`) or `{ "region": "cn-hangzhou", "account": "prod" }`. Bad
 * entries are dropped with a problem each; the same region and account twice is one entry.
 */
export function parseWatchRegions(value: unknown): { regions: WatchedRegion[]; problems: string[] } {
  const regions: WatchedRegion[] = [];
  const problems: string[] = [];
  if (value === undefined || value === null) {
    return { regions, problems };
  }
  if (!Array.isArray(value)) {
    return { regions, problems: [l10n.t('{0} must be a list of region IDs; ignored', 'dtsSync.watchRegions')] };
  }
  const seen = new Set<string>();
  for (const entry of value.slice(0, MAX_WATCH_REGIONS) as unknown[]) {
    let region: unknown = entry;
    let account: unknown = DEFAULT_ACCOUNT;
    if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      region = Object.hasOwn(entry, 'region') ? (entry as Record<string, unknown>).region : undefined;
      account = Object.hasOwn(entry, 'account') ? (entry as Record<string, unknown>).account : DEFAULT_ACCOUNT;
    }
    const regionText = typeof region === 'string' ? region.trim() : '';
    const problem = regionProblem(regionText);
    const accountText = typeof account === 'string' && account.trim() !== '' ? account.trim() : undefined;
    const accountIssue = accountText === undefined ? l10n.t('not an account name') : accountNameProblem(accountText);
    if (problem || accountIssue || accountText === undefined) {
      problems.push(l10n.t('{0}: {1}; entry ignored', 'dtsSync.watchRegions', problem ?? accountIssue ?? ''));
      continue;
    }
    const key = `${accountText}\u0000${regionText}`;
    if (!seen.has(key)) {
      seen.add(key);
      regions.push({ region: regionText, account: accountText });
    }
  }
  if (value.length > MAX_WATCH_REGIONS) {
    problems.push(l10n.t('{0} lists {1} regions; only the first {2} are watched', 'dtsSync.watchRegions', value.length, MAX_WATCH_REGIONS));
  }
  return { regions, problems };
}

export const DEFAULT_SETTINGS = {
  defaultRegion: 'cn-hangzhou',
  refreshIntervalSeconds: 60,
  lagWarningSeconds: 300,
  signatureVersion: 'v3' as SignatureVersion,
  requestTimeoutSeconds: 10,
  notifyOnFailure: true,
};

/** A lag threshold past a week would hide every lag that matters (a workspace could set 9e15). */
export const MAX_LAG_WARNING_SECONDS = 7 * 86_400;
/** Per-attempt timeout bounds, for the setting and the CLI alike. */
export const MIN_REQUEST_TIMEOUT_SECONDS = 1;
export const MAX_REQUEST_TIMEOUT_SECONDS = 300;

/** Shortest automatic refresh interval; anything lower would only burn the API's rate limit. */
export const MIN_REFRESH_INTERVAL_SECONDS = 10;

/**
 * Reads raw values (as `WorkspaceConfiguration.get` returns them) into settings, falling back per field. `get` answers
 * undefined for `defaultRegion` when the user has not set it; `profileRegion` (the default account's profile region)
 * is then the region of bare job IDs.
 */
export function parseSettings(get: (key: string) => unknown, rawProxy?: unknown, profileRegions?: ReadonlyMap<string, string>): Settings {
  const problems: string[] = [];
  const number = (key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = get(key);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      problems.push(l10n.t('{0} must be a number from {1} to {2}; using {3}', `dtsSync.${key}`, min, max, fallback));
      return fallback;
    }
    return value;
  };

  let defaultRegion = DEFAULT_SETTINGS.defaultRegion;
  let defaultRegionFrom: Settings['defaultRegionFrom'] = 'built-in';
  // A profile's region only when it is a region: the file is not trusted to name anything else.
  const profileRegion = profileRegions?.get(DEFAULT_ACCOUNT);
  if (profileRegion !== undefined && regionProblem(profileRegion) === undefined) {
    defaultRegion = profileRegion;
    defaultRegionFrom = 'profile';
  }
  const rawRegion = get('defaultRegion');
  if (typeof rawRegion === 'string' && rawRegion.trim() !== '') {
    const problem = regionProblem(rawRegion.trim());
    if (problem) {
      problems.push(l10n.t('{0}: {1}; using {2}', 'dtsSync.defaultRegion', problem, defaultRegion));
    } else {
      defaultRegion = rawRegion.trim();
      defaultRegionFrom = 'setting';
    }
  }

  let refreshIntervalSeconds = number('refreshIntervalSeconds', DEFAULT_SETTINGS.refreshIntervalSeconds, 0, 86400);
  if (refreshIntervalSeconds > 0 && refreshIntervalSeconds < MIN_REFRESH_INTERVAL_SECONDS) {
    problems.push(l10n.t('{0} below {1} is raised to {1}', 'dtsSync.refreshIntervalSeconds', MIN_REFRESH_INTERVAL_SECONDS));
    refreshIntervalSeconds = MIN_REFRESH_INTERVAL_SECONDS;
  }

  const allowInsecureEndpoint = get('allowInsecureEndpoint') === true;
  let endpoint: string | undefined;
  let endpointRefusal: string | undefined;
  const rawEndpoint = get('endpoint');
  if (typeof rawEndpoint === 'string' && rawEndpoint.trim() !== '') {
    try {
      endpoint = parseEndpoint(rawEndpoint.trim(), { allowInsecureHttp: allowInsecureEndpoint }).origin;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // A well-formed http:// endpoint is refused outright: falling back to the official endpoints would send the
      // user's requests to a place they did not choose.
      if (parseableWithOptIn(rawEndpoint.trim())) {
        endpointRefusal = l10n.t('{0}: {1}', 'dtsSync.endpoint', message);
        problems.push(endpointRefusal);
      } else {
        problems.push(l10n.t('{0}: {1}; using the official endpoints', 'dtsSync.endpoint', message));
      }
    }
  }

  let signatureVersion = DEFAULT_SETTINGS.signatureVersion;
  const rawVersion = get('signatureVersion');
  if (rawVersion === 'v2' || rawVersion === 'v3') {
    signatureVersion = rawVersion;
  } else if (rawVersion !== undefined && rawVersion !== null) {
    problems.push(l10n.t('{0} must be "{1}" or "{2}"; using {1}', 'dtsSync.signatureVersion', 'v3', 'v2'));
  }

  const rawNotify = get('notifyOnFailure');
  const notifyOnFailure = typeof rawNotify === 'boolean' ? rawNotify : DEFAULT_SETTINGS.notifyOnFailure;

  let httpProxy: string | undefined;
  if (typeof rawProxy === 'string' && rawProxy.trim() !== '') {
    const problem = proxyProblem(rawProxy.trim());
    if (problem) {
      problems.push(l10n.t('{0}: {1}; connecting directly', 'http.proxy', problem));
    } else {
      httpProxy = rawProxy.trim();
    }
  }

  // While the user has not set a default region, each account's profile region places that account's bare jobs.
  const accountRegion = (account: string): string | undefined => {
    const region = defaultRegionFrom === 'setting' ? undefined : profileRegions?.get(account);
    return region !== undefined && regionProblem(region) === undefined ? region : undefined;
  };
  const expiry = parseExpiryWarningDays(get('expiryWarningDays'));
  if (expiry.problem) {
    problems.push(expiry.problem);
  }
  const parsedJobs = parseJobList(get('jobs'), defaultRegion, accountRegion);
  const watched = parseWatchRegions(get('watchRegions'));
  problems.push(...watched.problems);
  const rawGroupBy = get('groupBy');
  let groupBy: GroupBy = 'none';
  if (typeof rawGroupBy === 'string' && (GROUP_BY_VALUES as readonly string[]).includes(rawGroupBy)) {
    groupBy = rawGroupBy as GroupBy;
  } else if (rawGroupBy !== undefined && rawGroupBy !== null) {
    problems.push(l10n.t('{0} must be one of {1}; using {2}', 'dtsSync.groupBy', GROUP_BY_VALUES.join(', '), 'none'));
  }
  return {
    jobs: parsedJobs.jobs,
    defaultRegion,
    defaultRegionFrom,
    refreshIntervalSeconds,
    lagWarningSeconds: number('lagWarningSeconds', DEFAULT_SETTINGS.lagWarningSeconds, 0, MAX_LAG_WARNING_SECONDS),
    expiryWarningDays: expiry.days,
    endpoint,
    endpointRefusal,
    allowInsecureEndpoint,
    signatureVersion,
    requestTimeoutSeconds: number(
      'requestTimeoutSeconds', DEFAULT_SETTINGS.requestTimeoutSeconds, MIN_REQUEST_TIMEOUT_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS,
    ),
    notifyOnFailure,
    httpProxy,
    watchRegions: watched.regions,
    groupBy,
    problems: [...parsedJobs.problems, ...problems],
  };
}

function parseableWithOptIn(raw: string): boolean {
  try {
    parseEndpoint(raw, { allowInsecureHttp: true });
    return true;
  } catch {
    return false;
  }
}

/** Why a proxy URL is unusable (never quoting it: it may carry a password), or undefined. */
function proxyProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return l10n.t('not a URL (expected http://host:port)');
  }
  return ['http:', 'https:', 'socks:', 'socks5:'].includes(url.protocol) ? undefined : l10n.t('not an http://, https:// or socks5:// URL');
}
