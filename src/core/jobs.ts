import * as l10n from '@vscode/l10n';
import { InvalidInputError } from './inputError';
import { regionProblem } from './regions';
import { quoteUntrusted, showJson, stripControl } from './safeText';

/**
 * More jobs than this are not watched: at 10 IDs a request and DTS's 20 calls/s per account and region, a longer
 * list (say, from a hostile workspace) would only burn the user's key and rate limit.
 */
export const MAX_JOBS = 500;

/** The setting the job list is read from; named in messages as is, never translated. */
const SETTING = 'dtsSync.jobs';

/** The account of entries that name none: the stored `default` key, else the default credential chain. */
export const DEFAULT_ACCOUNT = 'default';

/** A job the user asked to watch. */
export interface JobSpec {
  readonly id: string;
  readonly region: string;
  readonly name?: string;
  /** The account whose credentials query this job (`dtsSync.jobs` entry's `account`); absent: the default account. */
  readonly account?: string;
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$/;

/** Why an ID is not a DTS instance ID, or undefined when it is one. */
export function jobIdProblem(id: string): string | undefined {
  if (id === '') {
    return l10n.t('the job ID is empty');
  }
  const shown = quoteUntrusted(id);
  if (/\s/.test(id)) {
    return l10n.t('{0} contains whitespace', shown);
  }
  if (/["'`[\]{}()<>]/.test(id)) {
    return l10n.t('{0} contains quotes or brackets (give the bare ID, e.g. dtsexjk1alb116xxxx)', shown);
  }
  if (id.includes('*')) {
    return l10n.t('{0} is masked with *; use the full ID from the DTS console', shown);
  }
  if (!JOB_ID.test(id)) {
    return l10n.t('{0} is not a DTS job ID (4-64 letters, digits, - or _)', shown);
  }
  return undefined;
}

function splitJobRef(text: string): { id: string; region: string | undefined } {
  const at = text.lastIndexOf('@');
  return at === -1 ? { id: text, region: undefined } : { id: text.slice(0, at), region: text.slice(at + 1) };
}

/** Why `ID` or `ID@region` is not a job reference, or undefined when it is one. */
export function jobRefProblem(text: string): string | undefined {
  const { id, region } = splitJobRef(text);
  return jobIdProblem(id) ?? (region === undefined ? undefined : regionProblem(region));
}

/** `ID` or `ID@region`, as the CLI and the settings take it. */
export function parseJobRef(text: string, defaultRegion: string): JobSpec {
  const { id, region = defaultRegion } = splitJobRef(text);
  const problem = jobIdProblem(id) ?? regionProblem(region);
  if (problem) {
    throw new InvalidInputError(l10n.t('Invalid job {0}: {1}', quoteUntrusted(text), problem));
  }
  return { id, region };
}

export function jobKey(job: Pick<JobSpec, 'id' | 'region'>): string {
  return `${job.id}@${job.region}`;
}

/** What a job is called wherever it is shown: its display name, else its ID; one line, no control characters. */
export function displayName(job: Pick<JobSpec, 'id' | 'name'>): string {
  return stripControl(job.name ?? job.id);
}

export interface ParsedJobs {
  readonly jobs: readonly JobSpec[];
  /** One sentence per entry that was skipped; the valid entries still load. */
  readonly problems: readonly string[];
}

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** Why a name cannot name an account (a SecretStorage key suffix, a profile name), or undefined when it can. */
export function accountNameProblem(name: string): string | undefined {
  if (name === '') {
    return l10n.t('the account name is empty');
  }
  return ACCOUNT_NAME.test(name) ? undefined : l10n.t('{0} is not an account name (1-64 letters, digits, ., @, - or _)', quoteUntrusted(name));
}

/** Reads the `dtsSync.jobs` setting: `"ID"`, `"ID@region"` or `{ "id", "region"?, "name"?, "account"? }` entries. */
/** An account's own default region (its profile's `region_id`), when it has one. */
export type AccountRegion = (account: string) => string | undefined;

export function parseJobList(value: unknown, defaultRegion: string, accountRegion?: AccountRegion): ParsedJobs {
  if (value === undefined || value === null) {
    return { jobs: [], problems: [] };
  }
  if (!Array.isArray(value)) {
    return { jobs: [], problems: [l10n.t('{0} must be a list of job IDs', SETTING)] };
  }
  const jobs: JobSpec[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  if (value.length > MAX_JOBS) {
    problems.push(l10n.t('{0} lists {1} entries; only the first {2} are watched', SETTING, value.length, MAX_JOBS));
  }
  value.slice(0, MAX_JOBS).forEach((entry: unknown, index) => {
    const where = `${SETTING}[${index}]`;
    let job: JobSpec;
    try {
      job = parseEntry(entry, defaultRegion, accountRegion);
    } catch (e) {
      problems.push(l10n.t('{0}: {1}', where, e instanceof InvalidInputError ? e.message : String(e)));
      return;
    }
    const key = jobKey(job);
    if (seen.has(key)) {
      problems.push(l10n.t('{0}: {1} in {2} is listed twice; the later entry is ignored', where, job.id, job.region));
      return;
    }
    seen.add(key);
    jobs.push(job);
  });
  return { jobs, problems };
}

function parseEntry(entry: unknown, defaultRegion: string, accountRegion?: AccountRegion): JobSpec {
  if (typeof entry === 'string') {
    return parseJobRef(entry.trim(), defaultRegion);
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new InvalidInputError(l10n.t('expected a job ID or {0}, got {1}', '{ "id", "region", "name", "account" }', showJson(entry)));
  }
  const { id, region, name, account } = entry as Record<string, unknown>;
  if (typeof id !== 'string') {
    throw new InvalidInputError(mustBeString('id', id ?? null));
  }
  if (region !== undefined && typeof region !== 'string') {
    throw new InvalidInputError(mustBeString('region', region));
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new InvalidInputError(mustBeString('name', name));
  }
  if (account !== undefined && typeof account !== 'string') {
    throw new InvalidInputError(mustBeString('account', account));
  }
  const trimmedId = id.trim();
  const accountName = account?.trim() ?? '';
  // An explicit region wins; else the job's account's profile region; else the default region.
  const resolvedRegion = region?.trim() || (accountName ? accountRegion?.(accountName) : undefined) || defaultRegion;
  const problem = jobIdProblem(trimmedId) ?? regionProblem(resolvedRegion) ?? (account === undefined ? undefined : accountNameProblem(accountName));
  if (problem) {
    throw new InvalidInputError(problem);
  }
  // A display name is shown in rows, tooltips and notifications: one line, no control characters, bounded.
  const label = name === undefined ? undefined : stripControl(name).slice(0, 120);
  // `"account": "default"` is the same as no account, so both spell one job the same way.
  return {
    id: trimmedId,
    region: resolvedRegion,
    ...(label ? { name: label } : {}),
    ...(account !== undefined && accountName !== DEFAULT_ACCOUNT ? { account: accountName } : {}),
  };
}

function mustBeString(field: string, value: unknown): string {
  return l10n.t('"{0}" must be a string, got {1}', field, showJson(value));
}
