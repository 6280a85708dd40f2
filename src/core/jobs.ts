import { regionProblem } from './api/endpoints';
import { BadInputError } from './api/errors';
import { quoteUntrusted, showJson, stripControl } from './safeText';

/**
 * More jobs than this are not watched: at 10 IDs a request and DTS's 20 calls/s per account and region, a longer
 * list (say, from a hostile workspace) would only burn the user's key and rate limit.
 */
export const MAX_JOBS = 500;

/** A job the user asked to watch. */
export interface JobSpec {
  readonly id: string;
  readonly region: string;
  readonly name?: string;
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$/;

/** Why an ID is not a DTS instance ID, or undefined when it is one. */
export function jobIdProblem(id: string): string | undefined {
  if (id === '') {
    return 'the job ID is empty';
  }
  const shown = quoteUntrusted(id);
  if (/\s/.test(id)) {
    return `${shown} contains whitespace`;
  }
  if (/["'`[\]{}()<>]/.test(id)) {
    return `${shown} contains quotes or brackets (give the bare ID, e.g. dtsexjk1alb116xxxx)`;
  }
  if (id.includes('*')) {
    return `${shown} is masked with *; use the full ID from the DTS console`;
  }
  if (!JOB_ID.test(id)) {
    return `${shown} is not a DTS job ID (4-64 letters, digits, - or _)`;
  }
  return undefined;
}

export { regionProblem };

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
    throw new BadInputError(`Invalid job ${quoteUntrusted(text)}: ${problem}`);
  }
  return { id, region };
}

export function jobKey(job: Pick<JobSpec, 'id' | 'region'>): string {
  return `${job.id}@${job.region}`;
}

export interface ParsedJobs {
  readonly jobs: readonly JobSpec[];
  /** One sentence per entry that was skipped; the valid entries still load. */
  readonly problems: readonly string[];
}

/** Reads the `dtsSync.jobs` setting: `"ID"`, `"ID@region"` or `{ "id", "region"?, "name"? }` entries. */
export function parseJobList(value: unknown, defaultRegion: string): ParsedJobs {
  if (value === undefined || value === null) {
    return { jobs: [], problems: [] };
  }
  if (!Array.isArray(value)) {
    return { jobs: [], problems: ['dtsSync.jobs must be a list of job IDs'] };
  }
  const jobs: JobSpec[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  if (value.length > MAX_JOBS) {
    problems.push(`dtsSync.jobs lists ${value.length} entries; only the first ${MAX_JOBS} are watched`);
  }
  value.slice(0, MAX_JOBS).forEach((entry: unknown, index) => {
    const where = `dtsSync.jobs[${index}]`;
    let job: JobSpec;
    try {
      job = parseEntry(entry, defaultRegion);
    } catch (e) {
      problems.push(`${where}: ${e instanceof BadInputError ? e.message : String(e)}`);
      return;
    }
    const key = jobKey(job);
    if (seen.has(key)) {
      problems.push(`${where}: ${job.id} in ${job.region} is listed twice; the later entry is ignored`);
      return;
    }
    seen.add(key);
    jobs.push(job);
  });
  return { jobs, problems };
}

function parseEntry(entry: unknown, defaultRegion: string): JobSpec {
  if (typeof entry === 'string') {
    return parseJobRef(entry.trim(), defaultRegion);
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new BadInputError(`expected a job ID or { "id", "region", "name" }, got ${showJson(entry)}`);
  }
  const { id, region, name } = entry as Record<string, unknown>;
  if (typeof id !== 'string') {
    throw new BadInputError(`"id" must be a string, got ${showJson(id ?? null)}`);
  }
  if (region !== undefined && typeof region !== 'string') {
    throw new BadInputError(`"region" must be a string, got ${showJson(region)}`);
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new BadInputError(`"name" must be a string, got ${showJson(name)}`);
  }
  const trimmedId = id.trim();
  const resolvedRegion = region?.trim() || defaultRegion;
  const problem = jobIdProblem(trimmedId) ?? regionProblem(resolvedRegion);
  if (problem) {
    throw new BadInputError(problem);
  }
  // A display name is shown in rows, tooltips and notifications: one line, no control characters, bounded.
  const label = name === undefined ? undefined : stripControl(name).slice(0, 120);
  return label ? { id: trimmedId, region: resolvedRegion, name: label } : { id: trimmedId, region: resolvedRegion };
}
