import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatTimestamp } from '../../src/core/api/signing';
import { isValidRegion } from '../../src/core/regions';

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A `yyyy-MM-ddTHH:mm:ssZ` string naming a real instant (no February 30th). */
function isRealUtcTime(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && formatTimestamp(new Date(time)) === value;
}

/** What the emulator knows: who may call it, which jobs exist, and which faults to play. */
export interface Scenario {
  readonly accessKeys: readonly ScenarioAccessKey[];
  readonly jobs: readonly ScenarioJob[];
  /**
   * Many made-up jobs of a region, for listing and whole-region watching: DTS lists and answers them like `jobs`,
   * but the demo and the tests that configure `jobs` do not configure these (see `allJobs`).
   */
  readonly fleets?: readonly ScenarioFleet[];
  readonly faults?: readonly Fault[];
  /** Send `Success` as "true" (its documented type) instead of true (the documented sample). */
  readonly successAsString?: boolean;
  /** RAM roles: STS AssumeRole / AssumeRoleWithOIDC hand out temporary keys for them, and so do the endpoints below. */
  readonly roles?: readonly ScenarioRole[];
  /** Paths served as an ALIBABA_CLOUD_CREDENTIALS_URI, each answering a role's temporary keys. */
  readonly credentialsUris?: readonly ScenarioCredentialsUri[];
  /** The ECS instance metadata service (IMDS) under /latest/, with the instance's RAM role. */
  readonly ecsMetadata?: ScenarioEcsMetadata;
}

/** How a role answers when asked for credentials (by STS, the credentials URI or the ECS metadata service). */
export type RoleAnswer = 'fresh' | 'expired' | 'refuse';

export const ROLE_ANSWERS: readonly RoleAnswer[] = ['fresh', 'expired', 'refuse'];

/** A RAM role whose temporary keys (`STS.…` ID, secret, security token) are valid DTS keys until they expire. */
export interface ScenarioRole {
  /** `acs:ram::<account ID>:role/<name>`; the name (lowercase in real ARNs) is what the ECS metadata service lists. */
  readonly arn: string;
  /** Who may AssumeRole it: AccessKey IDs of `accessKeys` or `STS.` keys issued for another role (a chain); every known key when absent. */
  readonly sourceAccessKeyIds?: readonly string[];
  /** The role's trust policy demands this sts:ExternalId in AssumeRole. */
  readonly externalId?: string;
  /** The role's MaxSessionDuration (3600 to 43200): the highest DurationSeconds accepted; 3600 when absent. */
  readonly maxSessionDurationSeconds?: number;
  /** How long issued keys really live, whatever DurationSeconds asked for (short ones test renewal); else DurationSeconds, 3600 by default. */
  readonly lifetimeSeconds?: number;
  /** Makes it assumable with AssumeRoleWithOIDC: the OIDC provider in its trust policy and the OIDC tokens it accepts. */
  readonly oidc?: ScenarioOidcTrust;
  /** `fresh` (default): valid keys; `expired`: keys whose Expiration has already passed; `refuse`: no keys (NoPermission, a failed URI answer, a 404 from ECS). */
  readonly answer?: RoleAnswer;
  /** After this many sessions were issued for the role, it refuses like `answer: "refuse"`: a renewal that fails. */
  readonly maxSessions?: number;
}

export interface ScenarioOidcTrust {
  /** `acs:ram::<account ID>:oidc-provider/<name>`. */
  readonly providerArn: string;
  /** The OIDC tokens (the contents of ALIBABA_CLOUD_OIDC_TOKEN_FILE) that authenticate; any other is refused. */
  readonly tokens: readonly string[];
}

export interface ScenarioCredentialsUri {
  /** The URL path served, e.g. `/credentials/dts-reader`; the query is ignored. */
  readonly path: string;
  /** The ARN of a role in `roles`. */
  readonly role: string;
}

export interface ScenarioEcsMetadata {
  /** The ARN of a role in `roles`: the instance's RAM role. */
  readonly role: string;
  /** Security hardening mode: requests without an IMDSv2 token (X-aliyun-ecs-metadata-token) get 403. */
  readonly requireToken?: boolean;
}

export interface ScenarioAccessKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Makes it an STS key: every request must carry exactly this token. */
  readonly securityToken?: string;
  /** An STS key's expiry, `yyyy-MM-ddTHH:mm:ssZ`: from then on requests get InvalidSecurityToken.Expired. */
  readonly expiration?: string;
}

export type SyncDirection = 'Forward' | 'Reverse';

export interface ScenarioDirection {
  readonly direction: SyncDirection;
  /** Sent verbatim, whatever its case or spelling. */
  readonly status: string;
  /** Checkpoint = emulator now − lagSeconds. */
  readonly lagSeconds?: number;
  /** Sent verbatim instead of a computed one; null omits it. */
  readonly checkpoint?: string | null;
  /** `DescribeSynchronizationJobStatus`'s ErrorMessage for this direction; the job's `errorMessage` when absent. */
  readonly errorMessage?: string;
  /** PrecheckStatus: its Status (Failed when an item failed, else Success) and items. */
  readonly precheck?: ScenarioPrecheck;
  readonly structureInitialization?: ScenarioInitialization;
  readonly dataInitialization?: ScenarioInitialization;
  /** Performance: statements per second and MB/s. */
  readonly performance?: { readonly rps: number; readonly flow: number };
}

export interface ScenarioPrecheck {
  readonly percent?: number;
  readonly items: readonly ScenarioPrecheckItem[];
}

export interface ScenarioPrecheckItem {
  readonly itemName: string;
  /** `Success` or `Failed` (sent verbatim). */
  readonly checkStatus: string;
  readonly errorMessage?: string;
  readonly repairMethod?: string;
}

/** A stage of the initial load: Status (`NotStarted`, `Migrating`, `Failed`, `Finished`), Percent, Progress. */
export interface ScenarioInitialization {
  readonly status: string;
  readonly percent?: number;
  readonly progress?: number;
  readonly errorMessage?: string;
}

export interface ScenarioJob {
  readonly id: string;
  readonly region: string;
  readonly name?: string;
  readonly directions: readonly ScenarioDirection[];
  readonly sourceEngine?: string;
  readonly destinationEngine?: string;
  readonly sourceInstanceId?: string;
  readonly destinationInstanceId?: string;
  readonly errorMessage?: string;
  readonly payType?: string;
  readonly sourceInstanceType?: string;
  readonly destinationInstanceType?: string;
  readonly sourceIp?: string;
  readonly destinationIp?: string;
  readonly sourcePort?: string;
  readonly destinationPort?: string;
  /** SynchronizationJobClass: `small`, `medium`, `large`, `micro`. */
  readonly jobClass?: string;
  /** ExpireTime, `yyyy-MM-ddTHH:mm:ssZ`, sent verbatim. */
  readonly expireTime?: string;
  /** ExpireTime this many days after the emulator's clock at each answer (for demos that must not go stale). */
  readonly expireInDays?: number;
}

/** `count` jobs in `region`, named `<namePrefix>-01`…, with IDs derived from region, prefix and number. */
export interface ScenarioFleet {
  readonly region: string;
  readonly count: number;
  readonly namePrefix: string;
  /** Cycled over the jobs (one Forward direction each); `Synchronizing` when absent. */
  readonly statuses?: readonly string[];
}

/** Most jobs a fleet may have: enough for 100 pages of 30 and then some. */
export const MAX_FLEET_SIZE = 5000;

const FLEET_ENGINES: readonly (readonly [string, string])[] = [
  ['MySQL', 'MySQL'],
  ['MySQL', 'AnalyticDB MySQL 3.0'],
  ['PolarDB', 'MySQL'],
  ['PostgreSQL', 'PostgreSQL'],
  ['MySQL', 'Kafka'],
];

/** The jobs of one fleet, the same on every call: `dts` and 15 hex digits, a small lag, engines in turn. */
export function fleetJobs(fleet: ScenarioFleet): ScenarioJob[] {
  const statuses = fleet.statuses && fleet.statuses.length > 0 ? fleet.statuses : ['Synchronizing'];
  const width = Math.max(2, String(fleet.count).length);
  return Array.from({ length: fleet.count }, (_, i) => {
    const id = `dts${createHash('sha256').update(`${fleet.region}/${fleet.namePrefix}/${i}`).digest('hex').slice(0, 15)}`;
    const [sourceEngine, destinationEngine] = FLEET_ENGINES[i % FLEET_ENGINES.length];
    return {
      id,
      region: fleet.region,
      name: `${fleet.namePrefix}-${String(i + 1).padStart(width, '0')}`,
      directions: [{ direction: 'Forward', status: statuses[i % statuses.length], lagSeconds: 1 + ((i * 7) % 40) }],
      sourceEngine,
      destinationEngine,
      sourceInstanceId: `rm-${id.slice(3, 15)}s`,
      destinationInstanceId: `rm-${id.slice(3, 15)}d`,
    };
  });
}

const expanded = new WeakMap<Scenario, readonly ScenarioJob[]>();

/** Every job DTS knows in this scenario: `jobs`, then each fleet's. */
export function allJobs(scenario: Scenario): readonly ScenarioJob[] {
  let jobs = expanded.get(scenario);
  if (jobs === undefined) {
    jobs = [...scenario.jobs, ...(scenario.fleets ?? []).flatMap(fleetJobs)];
    expanded.set(scenario, jobs);
  }
  return jobs;
}

function readFleet(value: unknown, path: string, problems: string[]): ScenarioFleet | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['region', 'count', 'namePrefix', 'statuses']);
  const region = r.string('region', { required: true, expected: 'a region ID such as cn-shanghai' });
  if (region !== undefined && !isValidRegion(region)) {
    r.fail('region', 'a region ID such as cn-shanghai');
  }
  const count = r.number('count', { min: 1, integer: true }) ?? r.fail('count', `an integer from 1 to ${MAX_FLEET_SIZE}`);
  if (count !== undefined && count > MAX_FLEET_SIZE) {
    r.fail('count', `an integer from 1 to ${MAX_FLEET_SIZE}`);
  }
  const namePrefix = r.string('namePrefix', { required: true });
  const statuses = obj['statuses'] === undefined ? undefined : r.array('statuses', true);
  if (statuses !== undefined && (statuses.length === 0 || !statuses.every((x) => typeof x === 'string'))) {
    r.fail('statuses', 'a non-empty list of statuses');
  }
  if (region === undefined || count === undefined || count > MAX_FLEET_SIZE || namePrefix === undefined) {
    return undefined;
  }
  return { region, count, namePrefix, ...(statuses !== undefined && { statuses: statuses as string[] }) };
}

/** The services the emulator plays; faults apply to one of them. */
export type EndpointKind = 'dts' | 'sts' | 'credentials-uri' | 'ecs-metadata';

export const ENDPOINT_KINDS: readonly EndpointKind[] = ['dts', 'sts', 'credentials-uri', 'ecs-metadata'];

/** Which requests a fault applies to. */
export interface FaultScope {
  /** Only requests to this service; `dts` when absent, so a fault never hits the credential endpoints by surprise. */
  readonly endpoint?: EndpointKind;
  /**
   * Only requests for this action; every action when absent. STS: `AssumeRole`, `AssumeRoleWithOIDC`; credentials URI:
   * `CredentialsURI`; ECS: `EcsMetadataToken` (PUT /latest/api/token), `EcsRoleName`, `EcsRoleCredentials`.
   */
  readonly action?: string;
  /** Only requests with this RegionId; every region when absent. */
  readonly region?: string;
  /** Apply to the next N matching requests, then stop; always when absent. */
  readonly times?: number;
}

export type Fault = FaultScope &
  (
    | { readonly kind: 'throttle'; readonly retryAfterMs?: number }
    | { readonly kind: 'server-error'; readonly status?: 500 | 503 }
    | { readonly kind: 'hang' }
    | { readonly kind: 'reset' }
    | { readonly kind: 'html'; readonly title?: string }
    | { readonly kind: 'truncated' }
    | { readonly kind: 'dts-error'; readonly errCode?: string; readonly errMessage?: string }
    | { readonly kind: 'slow'; readonly delayMs: number }
  );

export type FaultKind = Fault['kind'];

/** The fields each fault kind takes besides its scope. */
const FAULT_FIELDS: Readonly<Record<FaultKind, readonly string[]>> = {
  throttle: ['retryAfterMs'],
  'server-error': ['status'],
  hang: [],
  reset: [],
  html: ['title'],
  truncated: [],
  'dts-error': ['errCode', 'errMessage'],
  slow: ['delayMs'],
};

export const FAULT_KINDS = Object.keys(FAULT_FIELDS) as FaultKind[];

/** The fault kinds each service can play: DTS's own error shape only on DTS, the gateway's throttling only on the APIs. */
const ENDPOINT_FAULTS: Readonly<Record<EndpointKind, readonly FaultKind[]>> = {
  dts: FAULT_KINDS,
  sts: ['throttle', 'server-error', 'hang', 'reset', 'html', 'truncated', 'slow'],
  'credentials-uri': ['server-error', 'hang', 'reset', 'html', 'truncated', 'slow'],
  'ecs-metadata': ['server-error', 'hang', 'reset', 'html', 'truncated', 'slow'],
};

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid scenario:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the fields of one JSON object, recording every problem under its path instead of stopping at the first. */
class FieldReader {
  constructor(
    private readonly obj: Json,
    private readonly path: string,
    private readonly problems: string[],
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        problems.push(`${this.at(key)} is not a known field (expected one of: ${allowed.join(', ')})`);
      }
    }
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(key: string, expected: string): undefined {
    this.problems.push(`${this.at(key)} must be ${expected} (got ${JSON.stringify(this.obj[key])})`);
    return undefined;
  }

  string(key: string, options: { required?: boolean; allowEmpty?: boolean; pattern?: RegExp; expected?: string } = {}): string | undefined {
    const value = this.obj[key];
    const expected = options.expected ?? (options.allowEmpty ? 'a string' : 'a non-empty string');
    if (value === undefined) {
      return options.required ? this.fail(key, expected) : undefined;
    }
    if (typeof value !== 'string' || (!options.allowEmpty && value === '') || (options.pattern && !options.pattern.test(value))) {
      return this.fail(key, expected);
    }
    return value;
  }

  number(key: string, options: { min: number; integer?: boolean }): number | undefined {
    const value = this.obj[key];
    if (value === undefined) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < options.min || (options.integer && !Number.isInteger(value))) {
      return this.fail(key, `${options.integer ? 'an integer' : 'a number'} >= ${options.min}`);
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.obj[key];
    return value === undefined || typeof value === 'boolean' ? value : this.fail(key, 'true or false');
  }

  array(key: string, required: boolean): readonly unknown[] {
    const value = this.obj[key];
    if (value === undefined && !required) {
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(key, 'a list');
      return [];
    }
    return value;
  }
}

function objectAt(value: unknown, path: string, problems: string[]): Json | undefined {
  if (isObject(value)) {
    return value;
  }
  problems.push(`${path} must be an object (got ${JSON.stringify(value)})`);
  return undefined;
}

function readAccessKey(value: unknown, path: string, problems: string[]): ScenarioAccessKey | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['accessKeyId', 'accessKeySecret', 'securityToken', 'expiration']);
  const accessKeyId = r.string('accessKeyId', { required: true });
  const accessKeySecret = r.string('accessKeySecret', { required: true });
  const securityToken = r.string('securityToken');
  const expiration = r.string('expiration', { pattern: UTC_SECONDS, expected: 'a UTC time yyyy-MM-ddTHH:mm:ssZ' });
  if (expiration !== undefined && !isRealUtcTime(expiration)) {
    r.fail('expiration', 'a real UTC time yyyy-MM-ddTHH:mm:ssZ');
  }
  if (expiration !== undefined && !securityToken) {
    problems.push(`${path}.expiration needs a securityToken: only STS keys expire`);
  }
  return accessKeyId && accessKeySecret
    ? { accessKeyId, accessKeySecret, ...(securityToken && { securityToken }), ...(expiration && { expiration }) }
    : undefined;
}

function readDirection(value: unknown, path: string, problems: string[]): ScenarioDirection | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, [
    'direction', 'status', 'lagSeconds', 'checkpoint', 'errorMessage', 'precheck', 'structureInitialization', 'dataInitialization', 'performance',
  ]);
  const direction = r.string('direction', { required: true, pattern: /^(Forward|Reverse)$/, expected: '"Forward" or "Reverse"' });
  const status = r.string('status', { required: true, allowEmpty: true });
  const lagSeconds = r.number('lagSeconds', { min: 0 });
  const checkpoint = obj['checkpoint'] === null ? null : r.string('checkpoint', { allowEmpty: true, expected: 'a string or null' });
  if (lagSeconds !== undefined && obj['checkpoint'] !== undefined) {
    problems.push(`${path} has both lagSeconds and checkpoint: give one`);
  }
  const errorMessage = r.string('errorMessage', { allowEmpty: true });
  const precheck = obj['precheck'] === undefined ? undefined : readPrecheck(obj['precheck'], r.at('precheck'), problems);
  const structureInitialization =
    obj['structureInitialization'] === undefined ? undefined : readInitialization(obj['structureInitialization'], r.at('structureInitialization'), problems);
  const dataInitialization = obj['dataInitialization'] === undefined ? undefined : readInitialization(obj['dataInitialization'], r.at('dataInitialization'), problems);
  const performance = obj['performance'] === undefined ? undefined : readPerformance(obj['performance'], r.at('performance'), problems);
  if (direction === undefined || status === undefined) {
    return undefined;
  }
  return {
    direction: direction as SyncDirection,
    status,
    ...(lagSeconds !== undefined && { lagSeconds }),
    ...(checkpoint !== undefined && { checkpoint }),
    ...(errorMessage !== undefined && { errorMessage }),
    ...(precheck && { precheck }),
    ...(structureInitialization && { structureInitialization }),
    ...(dataInitialization && { dataInitialization }),
    ...(performance && { performance }),
  };
}

function readPrecheck(value: unknown, path: string, problems: string[]): ScenarioPrecheck | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['percent', 'items']);
  const percent = r.number('percent', { min: 0 });
  const items = r.array('items', true).map((v, i) => {
    const itemPath = `${r.at('items')}[${i}]`;
    const item = objectAt(v, itemPath, problems);
    if (!item) {
      return undefined;
    }
    const ir = new FieldReader(item, itemPath, problems, ['itemName', 'checkStatus', 'errorMessage', 'repairMethod']);
    const itemName = ir.string('itemName', { required: true });
    const checkStatus = ir.string('checkStatus', { required: true });
    const errorMessage = ir.string('errorMessage', { allowEmpty: true });
    const repairMethod = ir.string('repairMethod', { allowEmpty: true });
    return itemName && checkStatus
      ? { itemName, checkStatus, ...(errorMessage !== undefined && { errorMessage }), ...(repairMethod !== undefined && { repairMethod }) }
      : undefined;
  });
  return items.every((i): i is ScenarioPrecheckItem => i !== undefined) ? { ...(percent !== undefined && { percent }), items } : undefined;
}

function readInitialization(value: unknown, path: string, problems: string[]): ScenarioInitialization | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['status', 'percent', 'progress', 'errorMessage']);
  const status = r.string('status', { required: true });
  const percent = r.number('percent', { min: 0 });
  if (percent !== undefined && percent > 100) {
    r.fail('percent', 'a number from 0 to 100');
  }
  const progress = r.number('progress', { min: 0, integer: true });
  const errorMessage = r.string('errorMessage', { allowEmpty: true });
  return status === undefined
    ? undefined
    : { status, ...(percent !== undefined && { percent }), ...(progress !== undefined && { progress }), ...(errorMessage !== undefined && { errorMessage }) };
}

function readPerformance(value: unknown, path: string, problems: string[]): { rps: number; flow: number } | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['rps', 'flow']);
  const rps = r.number('rps', { min: 0 }) ?? r.fail('rps', 'a number >= 0');
  const flow = r.number('flow', { min: 0 }) ?? r.fail('flow', 'a number >= 0');
  return rps !== undefined && flow !== undefined ? { rps, flow } : undefined;
}

const JOB_TEXT_FIELDS = [
  'name', 'sourceEngine', 'destinationEngine', 'sourceInstanceId', 'destinationInstanceId', 'errorMessage', 'payType',
  'sourceInstanceType', 'destinationInstanceType', 'sourceIp', 'destinationIp', 'sourcePort', 'destinationPort', 'jobClass',
] as const;

function readJob(value: unknown, path: string, problems: string[]): ScenarioJob | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['id', 'region', 'directions', 'expireTime', 'expireInDays', ...JOB_TEXT_FIELDS]);
  const id = r.string('id', { required: true, pattern: /^\S+$/, expected: 'a job ID without spaces' });
  const region = r.string('region', { required: true, expected: 'a region ID such as cn-hangzhou' });
  if (region !== undefined && !isValidRegion(region)) {
    r.fail('region', 'a region ID such as cn-hangzhou');
  }
  const directions = r.array('directions', true).map((d, i) => readDirection(d, `${r.at('directions')}[${i}]`, problems));
  if (Array.isArray(obj['directions']) && directions.length === 0) {
    problems.push(`${r.at('directions')} must have at least one direction`);
  }
  const seen = new Set<string>();
  for (const d of directions) {
    if (d && seen.has(d.direction)) {
      problems.push(`${r.at('directions')} has ${d.direction} twice`);
    }
    seen.add(d?.direction ?? '');
  }
  const optional: Partial<Record<(typeof JOB_TEXT_FIELDS)[number], string>> = {};
  for (const key of JOB_TEXT_FIELDS) {
    const text = r.string(key, { allowEmpty: true });
    if (text !== undefined) {
      optional[key] = text;
    }
  }
  const expireTime = r.string('expireTime', { pattern: UTC_SECONDS, expected: 'a UTC time yyyy-MM-ddTHH:mm:ssZ' });
  if (expireTime !== undefined && !isRealUtcTime(expireTime)) {
    r.fail('expireTime', 'a real UTC time yyyy-MM-ddTHH:mm:ssZ');
  }
  const expireInDays = typeof obj['expireInDays'] === 'number' && Number.isFinite(obj['expireInDays']) ? obj['expireInDays'] : undefined;
  if (obj['expireInDays'] !== undefined && expireInDays === undefined) {
    r.fail('expireInDays', 'a number of days (negative: already expired)');
  }
  if (expireTime !== undefined && expireInDays !== undefined) {
    problems.push(`${path} has both expireTime and expireInDays: give one`);
  }
  if (id === undefined || region === undefined || !directions.every((d): d is ScenarioDirection => d !== undefined)) {
    return undefined;
  }
  return { id, region, ...optional, ...(expireTime !== undefined && { expireTime }), ...(expireInDays !== undefined && { expireInDays }), directions };
}

function readFault(value: unknown, path: string, problems: string[]): Fault | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const kind = obj['kind'];
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
    problems.push(`${path}.kind must be one of ${FAULT_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
    return undefined;
  }
  const k = kind as FaultKind;
  const r = new FieldReader(obj, path, problems, ['kind', 'endpoint', 'action', 'region', 'times', ...FAULT_FIELDS[k]]);
  const endpoint = r.string('endpoint', { pattern: new RegExp(`^(${ENDPOINT_KINDS.join('|')})$`), expected: `one of ${ENDPOINT_KINDS.join(', ')}` }) as EndpointKind | undefined;
  if (endpoint !== undefined && !ENDPOINT_FAULTS[endpoint].includes(k)) {
    problems.push(`${path}.kind ${k} cannot apply to endpoint ${endpoint} (it can play: ${ENDPOINT_FAULTS[endpoint].join(', ')})`);
  }
  const action = r.string('action');
  const region = r.string('region');
  const times = r.number('times', { min: 1, integer: true });
  const scope: FaultScope = {
    ...(endpoint && { endpoint }), ...(action && { action }), ...(region && { region }), ...(times !== undefined && { times }),
  };
  switch (k) {
    case 'throttle': {
      const retryAfterMs = r.number('retryAfterMs', { min: 1, integer: true });
      return { ...scope, kind: k, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    }
    case 'server-error': {
      const status = obj['status'];
      if (status !== undefined && status !== 500 && status !== 503) {
        return r.fail('status', '500 or 503');
      }
      return { ...scope, kind: k, ...(status !== undefined && { status }) };
    }
    case 'html': {
      const title = r.string('title');
      return { ...scope, kind: k, ...(title && { title }) };
    }
    case 'dts-error': {
      const errCode = r.string('errCode');
      const errMessage = r.string('errMessage', { allowEmpty: true });
      return { ...scope, kind: k, ...(errCode && { errCode }), ...(errMessage !== undefined && { errMessage }) };
    }
    case 'slow': {
      const delayMs = r.number('delayMs', { min: 0, integer: true });
      return delayMs === undefined ? r.fail('delayMs', 'an integer >= 0') : { ...scope, kind: k, delayMs };
    }
    case 'hang':
    case 'reset':
    case 'truncated':
      return { ...scope, kind: k };
  }
}

export const ROLE_ARN = /^acs:ram::\d+:role\/[A-Za-z0-9.@_-]{1,64}$/;
export const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.@_-]{1,128}$/;
/** The path segment the ECS metadata service lists for a role: its name. */
export function roleName(arn: string): string {
  return arn.slice(arn.indexOf(':role/') + ':role/'.length);
}

function readOidcTrust(value: unknown, path: string, problems: string[]): ScenarioOidcTrust | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['providerArn', 'tokens']);
  const providerArn = r.string('providerArn', { required: true, pattern: OIDC_PROVIDER_ARN, expected: 'an ARN such as acs:ram::1234567890123456:oidc-provider/my-idp' });
  const tokens = r.array('tokens', true).map((t, i) => {
    if (typeof t !== 'string' || t === '') {
      problems.push(`${r.at('tokens')}[${i}] must be a non-empty string (got ${JSON.stringify(t)})`);
      return undefined;
    }
    return t;
  });
  if (Array.isArray(obj['tokens']) && tokens.length === 0) {
    problems.push(`${r.at('tokens')} must have at least one token`);
  }
  return providerArn && tokens.every((t): t is string => t !== undefined) ? { providerArn, tokens } : undefined;
}

function readRole(value: unknown, path: string, problems: string[]): ScenarioRole | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, [
    'arn', 'sourceAccessKeyIds', 'externalId', 'maxSessionDurationSeconds', 'lifetimeSeconds', 'oidc', 'answer', 'maxSessions',
  ]);
  const arn = r.string('arn', { required: true, pattern: ROLE_ARN, expected: 'a role ARN such as acs:ram::1234567890123456:role/dts-reader' });
  let sourceAccessKeyIds: string[] | undefined;
  if (obj['sourceAccessKeyIds'] !== undefined) {
    const list = r.array('sourceAccessKeyIds', true);
    sourceAccessKeyIds = list.filter((id, i) => {
      const ok = typeof id === 'string' && id !== '';
      if (!ok) {
        problems.push(`${r.at('sourceAccessKeyIds')}[${i}] must be a non-empty string (got ${JSON.stringify(id)})`);
      }
      return ok;
    }) as string[];
  }
  const externalId = r.string('externalId');
  const maxSessionDurationSeconds = r.number('maxSessionDurationSeconds', { min: 3600, integer: true });
  if (maxSessionDurationSeconds !== undefined && maxSessionDurationSeconds > 43200) {
    r.fail('maxSessionDurationSeconds', 'an integer from 3600 to 43200');
  }
  const lifetimeSeconds = r.number('lifetimeSeconds', { min: 1, integer: true });
  const oidc = obj['oidc'] === undefined ? undefined : readOidcTrust(obj['oidc'], r.at('oidc'), problems);
  const answer = r.string('answer', { pattern: new RegExp(`^(${ROLE_ANSWERS.join('|')})$`), expected: `one of ${ROLE_ANSWERS.join(', ')}` });
  const maxSessions = r.number('maxSessions', { min: 0, integer: true });
  if (arn === undefined) {
    return undefined;
  }
  return {
    arn,
    ...(sourceAccessKeyIds && { sourceAccessKeyIds }),
    ...(externalId && { externalId }),
    ...(maxSessionDurationSeconds !== undefined && { maxSessionDurationSeconds }),
    ...(lifetimeSeconds !== undefined && { lifetimeSeconds }),
    ...(oidc && { oidc }),
    ...(answer && { answer: answer as RoleAnswer }),
    ...(maxSessions !== undefined && { maxSessions }),
  };
}

/** Paths the emulator answers itself: a credentials URI may not take them. */
const RESERVED_PATH = /^\/(?:$|__emulator\/|latest(?:\/|$))/;

function readCredentialsUri(value: unknown, path: string, problems: string[], roleArns: ReadonlySet<string>): ScenarioCredentialsUri | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['path', 'role']);
  const urlPath = r.string('path', { required: true, pattern: /^\/[A-Za-z0-9._~/-]+$/, expected: 'a URL path such as /credentials/dts-reader' });
  if (urlPath !== undefined && RESERVED_PATH.test(urlPath)) {
    r.fail('path', 'a path outside /, /latest/ (ECS metadata) and /__emulator/ (admin)');
  }
  const role = r.string('role', { required: true, expected: 'the ARN of a role in roles' });
  if (role !== undefined && !roleArns.has(role)) {
    r.fail('role', 'the ARN of a role in roles');
  }
  return urlPath && role ? { path: urlPath, role } : undefined;
}

function readEcsMetadata(value: unknown, path: string, problems: string[], roleArns: ReadonlySet<string>): ScenarioEcsMetadata | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['role', 'requireToken']);
  const role = r.string('role', { required: true, expected: 'the ARN of a role in roles' });
  if (role !== undefined && !roleArns.has(role)) {
    r.fail('role', 'the ARN of a role in roles');
  }
  const requireToken = r.boolean('requireToken');
  return role ? { role, ...(requireToken !== undefined && { requireToken }) } : undefined;
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

/** Validates parsed JSON as a scenario; throws a ScenarioError listing every problem by its path. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const problems: string[] = [];
  const obj = objectAt(value, 'the scenario', problems);
  if (!obj) {
    throw new ScenarioError(source, problems);
  }
  const r = new FieldReader(obj, '', problems, [
    'accessKeys', 'jobs', 'fleets', 'faults', 'successAsString', 'roles', 'credentialsUris', 'ecsMetadata', '$comment',
  ]);
  const accessKeys = r.array('accessKeys', true).map((v, i) => readAccessKey(v, `accessKeys[${i}]`, problems));
  const jobs = r.array('jobs', true).map((v, i) => readJob(v, `jobs[${i}]`, problems));
  const fleets = r.array('fleets', false).map((v, i) => readFleet(v, `fleets[${i}]`, problems));
  const faults = r.array('faults', false).map((v, i) => readFault(v, `faults[${i}]`, problems));
  const successAsString = r.boolean('successAsString');
  const roles = r.array('roles', false).map((v, i) => readRole(v, `roles[${i}]`, problems));
  const roleArns = new Set(roles.flatMap((role) => (role ? [role.arn] : [])));
  const credentialsUris = r.array('credentialsUris', false).map((v, i) => readCredentialsUri(v, `credentialsUris[${i}]`, problems, roleArns));
  const ecsMetadata = obj['ecsMetadata'] === undefined ? undefined : readEcsMetadata(obj['ecsMetadata'], 'ecsMetadata', problems, roleArns);
  for (const id of duplicates(accessKeys.flatMap((k) => (k ? [k.accessKeyId] : [])))) {
    problems.push(`accessKeys has ${id} twice`);
  }
  for (const id of accessKeys.flatMap((k) => (k?.accessKeyId.startsWith('STS.') && !k.securityToken ? [k.accessKeyId] : []))) {
    problems.push(`accessKeys: ${id} is an STS key (STS. prefix) without a securityToken`);
  }
  for (const id of duplicates(jobs.flatMap((j) => (j ? [j.id] : [])))) {
    problems.push(`jobs has ${id} twice`);
  }
  const fleetIds = fleets.flatMap((f) => (f ? fleetJobs(f).map((j) => j.id) : []));
  for (const id of duplicates([...new Set(jobs.flatMap((j) => (j ? [j.id] : []))), ...fleetIds])) {
    problems.push(`fleets make job ${id} a second time (another fleet or jobs has it): change a namePrefix`);
  }
  for (const arn of duplicates(roles.flatMap((role) => (role ? [role.arn] : [])))) {
    problems.push(`roles has ${arn} twice`);
  }
  for (const name of duplicates(roles.flatMap((role) => (role ? [roleName(role.arn)] : [])))) {
    problems.push(`roles has two roles named ${name} (the ECS metadata service lists roles by name)`);
  }
  for (const path of duplicates(credentialsUris.flatMap((u) => (u ? [u.path] : [])))) {
    problems.push(`credentialsUris has ${path} twice`);
  }
  if (problems.length > 0) {
    throw new ScenarioError(source, problems);
  }
  return {
    accessKeys: accessKeys as ScenarioAccessKey[],
    jobs: jobs as ScenarioJob[],
    ...(fleets.length > 0 && { fleets: fleets as ScenarioFleet[] }),
    faults: faults as Fault[],
    ...(successAsString !== undefined && { successAsString }),
    ...(roles.length > 0 && { roles: roles as ScenarioRole[] }),
    ...(credentialsUris.length > 0 && { credentialsUris: credentialsUris as ScenarioCredentialsUri[] }),
    ...(ecsMetadata && { ecsMetadata }),
  };
}

/** Reads and validates a scenario file. */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [`cannot be read: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(path, [`is not JSON: ${(error as Error).message}`]);
  }
  return parseScenario(json, path);
}
