import * as l10n from '@vscode/l10n';
import { parseArgs } from 'node:util';
import { parseEndpoint } from '../core/api/endpoints';
import type { SignatureVersion } from '../core/api/signing';
import { regionFromEnv } from '../core/credentials';
import { InvalidInputError } from '../core/inputError';
import { parseJobRef, type JobSpec } from '../core/jobs';
import { regionProblem } from '../core/regions';
import type { MetricsFormat } from './openmetrics';
import { quoteUntrusted, safeText } from '../core/safeText';
import { DEFAULT_SETTINGS, MAX_LAG_WARNING_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS, MIN_REQUEST_TIMEOUT_SECONDS } from '../core/settings';

const DEFAULT_REGION = DEFAULT_SETTINGS.defaultRegion;
const DEFAULT_LAG_WARNING_SECONDS = DEFAULT_SETTINGS.lagWarningSeconds;
const DEFAULT_TIMEOUT_SECONDS = DEFAULT_SETTINGS.requestTimeoutSeconds;
/** One run ends after this, whatever the network does; cron jobs must not pile up. */
export const DEFAULT_DEADLINE_SECONDS = 60;
export const MAX_DEADLINE_SECONDS = 3600;

/** The help text, in the UI language; option names and environment variables stay as typed. */
export function usage(): string {
  return l10n.t(
    `Usage: dts-sync-status [options] JOB_ID[@REGION]...
       dts-sync-status show JOB_ID[@REGION] [--json]
       dts-sync-status list [--region R]... [--name TEXT] [--json]

Shows the status of Alibaba Cloud DTS synchronization jobs, one line per direction.
show prints everything DTS reports about one job: precheck, initial load, endpoints, expiry.
list prints every synchronization job of the regions (all pages), to find their IDs; --region
may be given several times; --name keeps the jobs whose name contains TEXT. Exit status 0, or 2
when a region could not be listed (the jobs read before the failure are still printed).

Options:
  --region R                 region of jobs given without @REGION (default: the profile's
                             region_id, else $ALIBABA_CLOUD_REGION_ID or $ALICLOUD_REGION_ID, else {0})
  --endpoint URL             send every request to URL instead of the official endpoint
  --signature-version v3|v2  request signature version (default: v3)
  --timeout SECONDS          per-attempt timeout, {1}-{2} (default: {3})
  --deadline SECONDS         the whole run ends after this, 1-{4}; jobs still unanswered are
                             reported as timeouts (default: {5})
  --lag-warning SECONDS      lag past which a synchronizing direction is a warning,
                             0-{6} (default: {7})
  --allow-insecure-http      allow an http:// endpoint that is not this machine (signed requests in cleartext)
  --profile NAME             use this profile of ~/.aliyun/config.json (any aliyun CLI mode), else of
                             ~/.alibabacloud/credentials, instead of the default chain below
  --json                     print one JSON document instead of the table (--format json)
  --format FORMAT            table (default), json, openmetrics (OpenMetrics text for a scraper),
                             or prometheus (the same metrics in the Prometheus text format, for
                             node_exporter's textfile collector)
  --details                  also fetch why each direction that is not healthy or finished is so
                             (error message, precheck, initial load) and print it under it; a failed
                             details call prints "details unavailable" and changes no exit status
  -h, --help                 show this help
  -v, --version              show the version

Credentials, the first source that has them: ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET (or
ALICLOUD_*, each with its _SECURITY_TOKEN); the OIDC variables ALIBABA_CLOUD_ROLE_ARN,
_OIDC_PROVIDER_ARN and _OIDC_TOKEN_FILE; the aliyun CLI profile ($ALIBABACLOUD_PROFILE or
$ALIBABA_CLOUD_PROFILE, else current) of ~/.aliyun/config.json in any mode; the credentials file
(~/.alibabacloud/credentials or $ALIBABA_CLOUD_CREDENTIALS_FILE); $ALIBABA_CLOUD_CREDENTIALS_URI;
the ECS instance RAM role. HTTPS_PROXY applies to STS and the other credential requests too.

Exit status: 0 all jobs healthy, pending or finished; 1 a job needs attention (warning, error,
unknown, not found); 2 a query failed or the input was invalid.`,
    DEFAULT_REGION,
    MIN_REQUEST_TIMEOUT_SECONDS,
    MAX_REQUEST_TIMEOUT_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_DEADLINE_SECONDS,
    DEFAULT_DEADLINE_SECONDS,
    MAX_LAG_WARNING_SECONDS,
    DEFAULT_LAG_WARNING_SECONDS,
  );
}

/** What the status command prints: the table, one JSON document, or metrics (`openmetrics`, `prometheus`). */
export type OutputFormat = 'table' | 'json' | MetricsFormat;

const FORMATS: readonly OutputFormat[] = ['table', 'json', 'openmetrics', 'prometheus'];

export interface CliOptions {
  readonly command: 'status' | 'show' | 'list' | 'help' | 'version';
  /** `--details`: fetch DescribeSynchronizationJobStatus for every direction that is not ok or finished. */
  readonly details: boolean;
  /** Parsed with the explicit --region, else the environment's region, else the default. */
  readonly jobs: readonly JobSpec[];
  /** The job arguments as given, to place bare IDs in the credentials' region once it is known. */
  readonly jobRefs: readonly string[];
  /** `--region` as given (the last one): it wins over the profile's region_id. */
  readonly region?: string;
  /** `list`: every `--region` given, else the environment's region or the default (the profile's wins over these). */
  readonly regions: readonly string[];
  /** `list --name`: a part of the job name (DTS matches fuzzily). */
  readonly name?: string;
  /** `--format`; `--json` is `json`. */
  readonly format: OutputFormat;
  readonly endpoint?: string;
  readonly signatureVersion: SignatureVersion;
  readonly timeoutSeconds: number;
  readonly deadlineSeconds: number;
  readonly lagWarningSeconds: number;
  readonly allowInsecureHttp: boolean;
  readonly profile?: string;
  readonly json: boolean;
}

/** A number of seconds within bounds, refused before any request otherwise. */
function seconds(option: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new InvalidInputError(l10n.t('--{0} must be a number of seconds from {1} to {2}, got {3}', option, min, max, quoteUntrusted(value)));
  }
  return n;
}

export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        region: { type: 'string', multiple: true },
        name: { type: 'string' },
        format: { type: 'string' },
        endpoint: { type: 'string' },
        'signature-version': { type: 'string' },
        timeout: { type: 'string' },
        deadline: { type: 'string' },
        'allow-insecure-http': { type: 'boolean' },
        'lag-warning': { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean' },
        details: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    // Node's own words (English): the option it names is what matters, and it is quoted as typed.
    throw new InvalidInputError(safeText((e as Error).message.replace(/\. To specify a positional argument.*$/s, '')));
  }
  const { values, positionals } = parsed;
  const format = outputFormat(values.format, values.json ?? false);
  const base = {
    regions: [],
    format,
    signatureVersion: DEFAULT_SETTINGS.signatureVersion,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    deadlineSeconds: DEFAULT_DEADLINE_SECONDS,
    lagWarningSeconds: DEFAULT_LAG_WARNING_SECONDS,
    allowInsecureHttp: false,
    json: format === 'json',
    details: values.details ?? false,
    jobs: [],
    jobRefs: [],
  };
  if (values.help) {
    return { ...base, command: 'help' };
  }
  if (values.version) {
    return { ...base, command: 'version' };
  }
  const explicitRegions = (values.region ?? []).map((r) => r.trim()).filter((r) => r !== '');
  const explicitRegion = explicitRegions.at(-1);
  const region = explicitRegion ?? regionFromEnv(env) ?? DEFAULT_REGION;
  for (const r of [...new Set([...explicitRegions, region])]) {
    const problem = regionProblem(r);
    if (problem) {
      throw new InvalidInputError(l10n.t('Invalid region: {0}', problem));
    }
  }
  const signatureVersion = (values['signature-version'] ?? DEFAULT_SETTINGS.signatureVersion).toLowerCase();
  if (signatureVersion !== 'v3' && signatureVersion !== 'v2') {
    throw new InvalidInputError(l10n.t('--signature-version must be v3 or v2, got {0}', quoteUntrusted(values['signature-version'] ?? '')));
  }
  const allowInsecureHttp = values['allow-insecure-http'] ?? false;
  if (values.endpoint !== undefined) {
    parseEndpoint(values.endpoint, { allowInsecureHttp });
  }
  const timeoutSeconds = seconds('timeout', values.timeout, DEFAULT_TIMEOUT_SECONDS, MIN_REQUEST_TIMEOUT_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS);
  const deadlineSeconds = seconds('deadline', values.deadline, DEFAULT_DEADLINE_SECONDS, 1, MAX_DEADLINE_SECONDS);
  const lagWarningSeconds = seconds('lag-warning', values['lag-warning'], DEFAULT_LAG_WARNING_SECONDS, 0, MAX_LAG_WARNING_SECONDS);
  const common = {
    region: explicitRegion,
    regions: explicitRegions.length > 0 ? [...new Set(explicitRegions)] : [region],
    endpoint: values.endpoint,
    signatureVersion,
    timeoutSeconds,
    deadlineSeconds,
    lagWarningSeconds,
    allowInsecureHttp,
    profile: values.profile,
    format,
    json: format === 'json',
  } as const;
  const list = positionals[0] === 'list';
  if (!list && values.name !== undefined) {
    throw new InvalidInputError(l10n.t('--name is an option of list: dts-sync-status list [--region R]... [--name TEXT] [--json]'));
  }
  if (list) {
    if (positionals.length > 1) {
      throw new InvalidInputError(l10n.t('list takes no job IDs: dts-sync-status list [--region R]... [--name TEXT] [--json]'));
    }
    if (format !== 'table' && format !== 'json') {
      throw new InvalidInputError(l10n.t('list prints a table or --json, not --format {0}', format));
    }
    if (values.details) {
      throw new InvalidInputError(l10n.t('--details is an option of the status command, not of list'));
    }
    const name = values.name?.trim() || undefined;
    return { ...common, command: 'list', details: false, jobs: [], jobRefs: [], ...(name === undefined ? {} : { name }) };
  }
  const show = positionals[0] === 'show';
  if ((show || values.details) && (format === 'openmetrics' || format === 'prometheus')) {
    throw new InvalidInputError(l10n.t('--format {0} prints statuses only: it takes no --details and no show', format));
  }
  const refs = show ? positionals.slice(1) : positionals;
  if (show && refs.length !== 1) {
    throw new InvalidInputError(l10n.t('show takes exactly one job ID: dts-sync-status show JOB_ID[@REGION] [--json]'));
  }
  if (refs.length === 0) {
    throw new InvalidInputError(l10n.t('Give at least one job ID (dts-sync-status --help for usage)'));
  }
  return {
    ...common,
    command: show ? 'show' : 'status',
    details: show || (values.details ?? false),
    jobs: jobsIn(refs, region),
    jobRefs: refs,
  };
}

/** `--format`, with `--json` as another spelling of `--format json`; both at once must agree. */
function outputFormat(value: string | undefined, json: boolean): OutputFormat {
  const wanted = value?.trim().toLowerCase();
  if (wanted === undefined) {
    return json ? 'json' : 'table';
  }
  const format = FORMATS.find((f) => f === wanted);
  if (format === undefined) {
    throw new InvalidInputError(l10n.t('--format must be one of {0}, got {1}', FORMATS.join(', '), quoteUntrusted(value ?? '')));
  }
  if (json && format !== 'json') {
    throw new InvalidInputError(l10n.t('--json and --format {0} contradict each other', format));
  }
  return format;
}

/** The jobs, bare IDs placed in `defaultRegion`; `ID@region` keeps its own. */
export function jobsIn(refs: readonly string[], defaultRegion: string): JobSpec[] {
  return refs.map((p) => parseJobRef(p, defaultRegion));
}

/** The regions `list` reads: every --region, else the region of the credentials, else the environment's or the default. */
export function regionsForCredentials(options: CliOptions, credentialsRegion: string | undefined, source: string): readonly string[] {
  if (options.region || !credentialsRegion) {
    return options.regions;
  }
  const problem = regionProblem(credentialsRegion);
  if (problem) {
    throw new InvalidInputError(l10n.t('Invalid region_id of {0}: {1}', source, problem));
  }
  return [credentialsRegion];
}

/**
 * The region of bare job IDs: --region, else the region of the credentials (the profile's region_id, else
 * ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION_ID), else the default.
 */
export function jobsForCredentials(options: CliOptions, credentialsRegion: string | undefined, source: string): readonly JobSpec[] {
  if (options.region || !credentialsRegion) {
    return options.jobs;
  }
  const problem = regionProblem(credentialsRegion);
  if (problem) {
    throw new InvalidInputError(l10n.t('Invalid region_id of {0}: {1}', source, problem));
  }
  return jobsIn(options.jobRefs, credentialsRegion);
}
