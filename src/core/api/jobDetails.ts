import * as l10n from '@vscode/l10n';
import { BadResponseError } from './errors';
import { EARLIEST_PLAUSIBLE_TIME, field, isObject, LATEST_PLAUSIBLE_TIME, readAnswer, readCheckpoint, type Json } from './response';
import { redactSecrets, stripControl, truncate, type KnownSecrets } from '../safeText';

/** One stage of the initial load (schema or full data), as `DescribeSynchronizationJobStatus` reports it. */
export interface InitializationStatus {
  /** `NotStarted`, `Migrating`, `Failed`, `Finished` (or whatever else was sent). */
  readonly status?: string;
  /** 0–100. */
  readonly percent?: number;
  /** Tables (schema) or records (full data) done. */
  readonly progress?: number;
  readonly errorMessage?: string;
}

export interface PrecheckItem {
  /** e.g. `CHECK_CONN_SRC`. */
  readonly itemName: string;
  /** `Success`, `Failed` (or whatever else was sent). */
  readonly checkStatus?: string;
  readonly errorMessage?: string;
  readonly repairMethod?: string;
}

export interface PrecheckStatus {
  readonly status?: string;
  readonly percent?: number;
  readonly items: readonly PrecheckItem[];
}

export interface DataSynchronizationStatus {
  readonly status?: string;
  readonly percent?: number;
  readonly delaySeconds?: number;
  readonly delayMillis?: number;
  readonly checkpoint: Date | null;
  readonly checkpointRaw?: string;
  readonly errorMessage?: string;
}

export interface Performance {
  /** Statements per second. */
  readonly rps?: number;
  /** MB/s. */
  readonly flowMBps?: number;
}

/** A source or destination; the user name DTS sends is never kept. */
export interface JobEndpoint {
  readonly engineName?: string;
  readonly instanceType?: string;
  readonly instanceId?: string;
  readonly ip?: string;
  readonly port?: number;
}

/** One `DescribeSynchronizationJobStatus` answer (one job, one direction), validated; every text control-free. */
export interface JobDetails {
  readonly requestId?: string;
  readonly jobId?: string;
  readonly direction?: string;
  readonly status?: string;
  readonly name?: string;
  readonly jobClass?: string;
  /** `PrePaid` (subscription) or `PostPaid`. */
  readonly payType?: string;
  readonly expireTime?: Date;
  /** ExpireTime as sent when it was there but not a plausible time (then `expireTime` is undefined). */
  readonly expireTimeRaw?: string;
  /** Why the job failed, e.g. `DTS-070211: Connect Source DB failed. cause by [...]`; one line, bounded. */
  readonly errorMessage?: string;
  readonly checkpoint: Date | null;
  readonly checkpointRaw?: string;
  readonly delaySeconds?: number;
  readonly delayMillis?: number;
  readonly precheck?: PrecheckStatus;
  readonly structureInitialization?: InitializationStatus;
  readonly dataInitialization?: InitializationStatus;
  readonly dataSynchronization?: DataSynchronizationStatus;
  readonly performance?: Performance;
  readonly source?: JobEndpoint;
  readonly destination?: JobEndpoint;
}


/** Names, statuses, IDs, hosts: real ones are under 100 characters. */
export const MAX_DETAIL_TEXT_LENGTH = 200;
/** DTS error messages quote Java exception chains; a few KiB keeps every real one whole. */
export const MAX_ERROR_MESSAGE_LENGTH = 4000;
/** DTS runs a few dozen precheck items; more is a broken or hostile answer. */
export const MAX_PRECHECK_ITEMS = 200;
/** How much of a message's first line the short reason keeps. */
export const MAX_REASON_LENGTH = 160;

function objectField(json: Json, name: string): Json | undefined {
  const value = field(json, name);
  return isObject(value) ? value : undefined;
}

/** A string (or number) field as it may be shown: key material removed, then controls, then cut; undefined when empty. */
function text(json: Json, name: string, known: KnownSecrets | undefined, max = MAX_DETAIL_TEXT_LENGTH): string | undefined {
  const value = field(json, name);
  const raw = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (raw === undefined) {
    return undefined;
  }
  // Bounded before the regular expressions run: a megabyte of message is cut, not scanned repeatedly.
  const clean = truncate(stripControl(redactSecrets(raw.slice(0, max * 2), known)), max);
  return clean === '' ? undefined : clean;
}

/** A finite non-negative number sent as a number or a numeric string ("42", "1.5"); undefined otherwise. */
function number(json: Json, name: string): number | undefined {
  const value = field(json, name);
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,15}(\.\d{1,6})?\s*$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function percent(json: Json, name: string): number | undefined {
  const n = number(json, name);
  return n === undefined || n > 100 ? undefined : n;
}

/** An object without its undefined fields, or undefined when nothing is left. */
function compact<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}

function initialization(json: Json, name: string, known: KnownSecrets | undefined): InitializationStatus | undefined {
  const stage = objectField(json, name);
  return stage === undefined
    ? undefined
    : compact<InitializationStatus>({
        status: text(stage, 'Status', known),
        percent: percent(stage, 'Percent'),
        progress: number(stage, 'Progress'),
        errorMessage: text(stage, 'ErrorMessage', known, MAX_ERROR_MESSAGE_LENGTH),
      });
}

function precheck(json: Json, known: KnownSecrets | undefined): PrecheckStatus | undefined {
  const status = objectField(json, 'PrecheckStatus');
  if (status === undefined) {
    return undefined;
  }
  const detail = field(status, 'Detail');
  const items: PrecheckItem[] = [];
  for (const entry of Array.isArray(detail) ? detail.slice(0, MAX_PRECHECK_ITEMS) : []) {
    if (!isObject(entry)) {
      continue;
    }
    const itemName = text(entry, 'ItemName', known) ?? '';
    const item = compact<PrecheckItem>({
      itemName,
      checkStatus: text(entry, 'CheckStatus', known),
      errorMessage: text(entry, 'ErrorMessage', known, MAX_ERROR_MESSAGE_LENGTH),
      repairMethod: text(entry, 'RepairMethod', known, MAX_ERROR_MESSAGE_LENGTH),
    });
    if (item && (itemName !== '' || Object.keys(item).length > 1)) {
      items.push({ ...item, itemName });
    }
  }
  return { ...compact({ status: text(status, 'Status', known), percent: percent(status, 'Percent') }), items };
}

function dataSynchronization(json: Json, known: KnownSecrets | undefined): DataSynchronizationStatus | undefined {
  const stage = objectField(json, 'DataSynchronizationStatus');
  if (stage === undefined) {
    return undefined;
  }
  const { checkpoint, raw } = readCheckpoint(field(stage, 'Checkpoint'), known);
  return {
    ...compact({
      status: text(stage, 'Status', known),
      percent: percent(stage, 'Percent'),
      delaySeconds: number(stage, 'Delay'),
      delayMillis: number(stage, 'DelayMillis'),
      checkpointRaw: raw,
      errorMessage: text(stage, 'ErrorMessage', known, MAX_ERROR_MESSAGE_LENGTH),
    }),
    checkpoint,
  };
}

function endpoint(json: Json, name: string, known: KnownSecrets | undefined): JobEndpoint | undefined {
  const sent = objectField(json, name);
  if (sent === undefined) {
    return undefined;
  }
  const port = number(sent, 'Port');
  return compact<JobEndpoint>({
    engineName: text(sent, 'EngineName', known),
    instanceType: text(sent, 'InstanceType', known),
    instanceId: text(sent, 'InstanceId', known),
    ip: text(sent, 'IP', known),
    port: port !== undefined && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined,
  });
}

/** The field readers the other operations' parsers share (DescribeSynchronizationJobs answers the same shapes). */
export { text as readText, number as readNumber, endpoint as readEndpoint };

const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/** `yyyy-MM-ddTHH:mm:ssZ` within 2000–2100; anything else sent is kept as `raw`, never as a date. */
export function readExpireTime(value: unknown, known?: KnownSecrets): { expireTime?: Date; raw?: string } {
  if (typeof value !== 'string' || value.trim() === '') {
    return {};
  }
  const sent = value.trim();
  const ms = UTC_TIME.test(sent) ? Date.parse(sent) : NaN;
  if (Number.isFinite(ms) && ms >= EARLIEST_PLAUSIBLE_TIME && ms < LATEST_PLAUSIBLE_TIME && new Date(ms).toISOString().slice(0, 10) === sent.slice(0, 10)) {
    return { expireTime: new Date(ms) };
  }
  const raw = truncate(stripControl(redactSecrets(sent.slice(0, 200), known)), 60);
  return raw === '' ? {} : { raw };
}

/**
 * Validates a successful answer instead of trusting it: fields of the wrong type are left out, numbers may come as
 * strings, texts lose control characters and key material, lists are bounded, the endpoints' user names are dropped.
 */
export function parseJobDetails(httpStatus: number, json: Json, headerRequestId?: string, known?: KnownSecrets): JobDetails {
  const sentRequestId = text(json, 'RequestId', undefined) ?? headerRequestId;
  if (field(json, 'RequestId') === undefined && field(json, 'Success') === undefined) {
    throw new BadResponseError(l10n.t('not a DTS answer (no RequestId, no Success)'), { httpStatus, requestId: sentRequestId });
  }
  const requestId = text(json, 'RequestId', known) ?? (headerRequestId ? truncate(stripControl(redactSecrets(headerRequestId, known)), MAX_DETAIL_TEXT_LENGTH) || undefined : undefined);
  const { checkpoint, raw: checkpointRaw } = readCheckpoint(field(json, 'Checkpoint'), known);
  const { expireTime, raw: expireTimeRaw } = readExpireTime(field(json, 'ExpireTime'), known);
  const performance = objectField(json, 'Performance');
  return {
    ...compact({
      requestId,
      jobId: text(json, 'SynchronizationJobId', known),
      direction: text(json, 'SynchronizationDirection', known),
      status: text(json, 'Status', known),
      name: text(json, 'SynchronizationJobName', known),
      jobClass: text(json, 'SynchronizationJobClass', known),
      payType: text(json, 'PayType', known),
      expireTime,
      expireTimeRaw,
      errorMessage: text(json, 'ErrorMessage', known, MAX_ERROR_MESSAGE_LENGTH),
      checkpointRaw,
      delaySeconds: number(json, 'Delay'),
      delayMillis: number(json, 'DelayMillis'),
      precheck: precheck(json, known),
      structureInitialization: initialization(json, 'StructureInitializationStatus', known),
      dataInitialization: initialization(json, 'DataInitializationStatus', known),
      dataSynchronization: dataSynchronization(json, known),
      performance: performance && compact<Performance>({ rps: number(performance, 'RPS'), flowMBps: number(performance, 'FLOW') }),
      source: endpoint(json, 'SourceEndpoint', known),
      destination: endpoint(json, 'DestinationEndpoint', known),
    }),
    checkpoint,
  };
}

/** The whole interpretation of one `DescribeSynchronizationJobStatus` exchange: details, or a DtsError. */
export function interpretJobDetailsResponse(
  httpStatus: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  known?: KnownSecrets,
): JobDetails {
  const { json, headerRequestId } = readAnswer(httpStatus, headers, body);
  return parseJobDetails(httpStatus, json, headerRequestId, known);
}

/** Why a direction failed: the job's message, else the failed stage's, else a failed precheck item's. */
export function failureReason(details: JobDetails): string | undefined {
  return (
    details.errorMessage ??
    details.dataSynchronization?.errorMessage ??
    details.dataInitialization?.errorMessage ??
    details.structureInitialization?.errorMessage ??
    details.precheck?.items.find((i) => i.errorMessage !== undefined && isFailedCheck(i))?.errorMessage
  );
}

export function isFailedCheck(item: PrecheckItem): boolean {
  return (item.checkStatus ?? '').toLowerCase() === 'failed';
}

/** Precheck items, failed ones first, otherwise in the order DTS sent them. */
export function precheckItemsFailedFirst(items: readonly PrecheckItem[]): PrecheckItem[] {
  return [...items.filter(isFailedCheck), ...items.filter((i) => !isFailedCheck(i))];
}

const DTS_CODE = /\bDTS-\d{3,10}\b/;

/**
 * A message's short form for a row: its first line (at ` cause by`, a literal `\n`, or a line break), with the DTS
 * error code moved to the front when the message names one later; cut to `MAX_REASON_LENGTH`.
 */
export function reasonLine(message: string): string {
  const first = stripControl(message.split(/\r\n|[\r\n]|\\n|\s+cause by\s/i)[0] ?? '');
  const code = DTS_CODE.exec(message)?.[0];
  const line = code !== undefined && !first.startsWith(code) ? `${code}: ${first}` : first;
  return truncate(line, MAX_REASON_LENGTH);
}
