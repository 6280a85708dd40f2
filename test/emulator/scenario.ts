import { readFileSync } from 'node:fs';
import { isValidRegion } from '../../src/core/regions';

/** What the emulator knows: who may call it, which jobs exist, and which faults to play. */
export interface Scenario {
  readonly accessKeys: readonly ScenarioAccessKey[];
  readonly jobs: readonly ScenarioJob[];
  readonly faults?: readonly Fault[];
  /** Send `Success` as "true" (its documented type) instead of true (the documented sample). */
  readonly successAsString?: boolean;
}

export interface ScenarioAccessKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Makes it an STS key: every request must carry exactly this token. */
  readonly securityToken?: string;
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
}

/** Which requests a fault applies to. */
export interface FaultScope {
  /** Only requests for this action; every action when absent. */
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
  const r = new FieldReader(obj, path, problems, ['accessKeyId', 'accessKeySecret', 'securityToken']);
  const accessKeyId = r.string('accessKeyId', { required: true });
  const accessKeySecret = r.string('accessKeySecret', { required: true });
  const securityToken = r.string('securityToken');
  return accessKeyId && accessKeySecret ? { accessKeyId, accessKeySecret, ...(securityToken && { securityToken }) } : undefined;
}

function readDirection(value: unknown, path: string, problems: string[]): ScenarioDirection | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['direction', 'status', 'lagSeconds', 'checkpoint']);
  const direction = r.string('direction', { required: true, pattern: /^(Forward|Reverse)$/, expected: '"Forward" or "Reverse"' });
  const status = r.string('status', { required: true, allowEmpty: true });
  const lagSeconds = r.number('lagSeconds', { min: 0 });
  const checkpoint = obj['checkpoint'] === null ? null : r.string('checkpoint', { allowEmpty: true, expected: 'a string or null' });
  if (lagSeconds !== undefined && obj['checkpoint'] !== undefined) {
    problems.push(`${path} has both lagSeconds and checkpoint: give one`);
  }
  if (direction === undefined || status === undefined) {
    return undefined;
  }
  return {
    direction: direction as SyncDirection,
    status,
    ...(lagSeconds !== undefined && { lagSeconds }),
    ...(checkpoint !== undefined && { checkpoint }),
  };
}

const JOB_TEXT_FIELDS = [
  'name', 'sourceEngine', 'destinationEngine', 'sourceInstanceId', 'destinationInstanceId', 'errorMessage', 'payType',
] as const;

function readJob(value: unknown, path: string, problems: string[]): ScenarioJob | undefined {
  const obj = objectAt(value, path, problems);
  if (!obj) {
    return undefined;
  }
  const r = new FieldReader(obj, path, problems, ['id', 'region', 'directions', ...JOB_TEXT_FIELDS]);
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
  if (id === undefined || region === undefined || !directions.every((d): d is ScenarioDirection => d !== undefined)) {
    return undefined;
  }
  return { id, region, ...optional, directions };
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
  const r = new FieldReader(obj, path, problems, ['kind', 'action', 'region', 'times', ...FAULT_FIELDS[k]]);
  const action = r.string('action');
  const region = r.string('region');
  const times = r.number('times', { min: 1, integer: true });
  const scope: FaultScope = { ...(action && { action }), ...(region && { region }), ...(times !== undefined && { times }) };
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
  const r = new FieldReader(obj, '', problems, ['accessKeys', 'jobs', 'faults', 'successAsString', '$comment']);
  const accessKeys = r.array('accessKeys', true).map((v, i) => readAccessKey(v, `accessKeys[${i}]`, problems));
  const jobs = r.array('jobs', true).map((v, i) => readJob(v, `jobs[${i}]`, problems));
  const faults = r.array('faults', false).map((v, i) => readFault(v, `faults[${i}]`, problems));
  const successAsString = r.boolean('successAsString');
  for (const id of duplicates(accessKeys.flatMap((k) => (k ? [k.accessKeyId] : [])))) {
    problems.push(`accessKeys has ${id} twice`);
  }
  for (const id of duplicates(jobs.flatMap((j) => (j ? [j.id] : [])))) {
    problems.push(`jobs has ${id} twice`);
  }
  if (problems.length > 0) {
    throw new ScenarioError(source, problems);
  }
  return {
    accessKeys: accessKeys as ScenarioAccessKey[],
    jobs: jobs as ScenarioJob[],
    faults: faults as Fault[],
    ...(successAsString !== undefined && { successAsString }),
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
