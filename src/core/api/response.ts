import * as l10n from '@vscode/l10n';
import { BadResponseError, classifyApiError, type AccessDeniedDetail } from './errors';
import { directionLabel, HEALTH_SEVERITY, statusHealth, type RawDirection } from '../model';
import { redactSecrets, stripControl, truncate, type KnownSecrets } from '../safeText';

/** One `DescribeSynchronizationJobStatusList` answer, validated. */
export interface StatusListResult {
  readonly requestId: string | undefined;
  /** The server's clock from the `Date` header, so lag does not depend on the local clock. */
  readonly serverDate: Date | undefined;
  /** Directions per returned job ID. */
  readonly jobs: ReadonlyMap<string, readonly RawDirection[]>;
  /** Oddities of the answer worth a log line (duplicates, impossible values); already safe to print. */
  readonly notes: readonly string[];
}

export type Json = Record<string, unknown>;

/** Longest status, direction, job ID or request ID kept from an answer: real ones are under 40 characters. */
export const MAX_TEXT_LENGTH = 200;
/** Longest raw checkpoint kept for the tooltip and the log: real ones have 10 or 13 digits. */
export const MAX_CHECKPOINT_RAW_LENGTH = 40;
/** DTS has two directions; more for one job is a hostile or broken answer, not worth a screenful of rows. */
export const MAX_DIRECTIONS_PER_JOB = 8;
/** Notes per answer; past this one line says how many more there were. */
export const MAX_NOTES = 20;
/** Plausible checkpoints and server clocks: from 2000-01-01 to 2100-01-01 (UTC). */
export const EARLIEST_PLAUSIBLE_TIME = Date.UTC(2000, 0, 1);
export const LATEST_PLAUSIBLE_TIME = Date.UTC(2100, 0, 1);
/** Only this much of a non-JSON body is searched for XML tags: an error document is a few hundred bytes. */
const XML_SCAN_LIMIT = 64 * 1024;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field the answer itself holds: never one inherited from Object.prototype (`constructor`, `toString`...). */
export function field(json: Json, name: string): unknown {
  return Object.hasOwn(json, name) ? json[name] : undefined;
}

/** The first of the spellings the answer holds (`Code`, then `code`, as the official SDK reads them). */
function firstField(json: Json, names: readonly string[]): unknown {
  for (const name of names) {
    const value = field(json, name);
    if (value !== undefined && value !== null && value !== '') {
      return value;
    }
  }
  return undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/**
 * Text from the answer as it may be shown: control characters gone, bounded length; empty when nothing is left.
 * The caller's key material goes first: a cut token could no longer be recognised and removed downstream.
 */
function cleanText(value: string, max = MAX_TEXT_LENGTH, known?: KnownSecrets): string {
  const text = known ? redactSecrets(value, known) : value;
  return truncate(PLAIN_TOKEN.test(text) ? text : stripControl(text), max);
}

/** A text stripControl leaves as it is, found with a cheaper test: IDs, statuses and directions look like this. */
const PLAIN_TOKEN = /^[\w.-]+$/;

/** A string field as sent, for an error (DtsError sanitizes, redacts, then shortens); undefined when absent or empty. */
function rawField(json: Json, names: readonly string[]): string | undefined {
  return optionalString(firstField(json, names));
}

/** A string field of a successful answer, cleaned; undefined when absent or empty once cleaned. */
function textField(json: Json, names: readonly string[], known?: KnownSecrets): string | undefined {
  const value = rawField(json, names);
  const clean = value === undefined ? '' : cleanText(value, MAX_TEXT_LENGTH, known);
  return clean === '' ? undefined : clean;
}

/** `Success` is a string in the docs and SDKs and a boolean in the doc's sample. */
function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

const REQUEST_ID = ['RequestId', 'requestId'];
/** The gateway's spellings first; DTS's own (`Success` false) prefers ErrCode/ErrMessage. */
const GATEWAY_CODE = ['Code', 'code', 'ErrCode', 'errCode'];
const GATEWAY_MESSAGE = ['Message', 'message', 'ErrMessage', 'errMessage'];
const DTS_CODE = ['ErrCode', 'errCode', 'Code', 'code'];
const DTS_MESSAGE = ['ErrMessage', 'errMessage', 'Message', 'message'];

function looksLikeHtml(body: string, contentType: string | undefined): boolean {
  return /html/i.test(body.slice(0, 200)) || /html/i.test(contentType ?? '');
}

function describeBody(body: string, contentType: string | undefined): string {
  const trimmed = body.trimStart();
  if (trimmed === '') {
    return l10n.t('the body is empty');
  }
  if (trimmed.startsWith('<') || /html|xml/i.test(contentType ?? '')) {
    // Bounded repetitions: a page of unclosed `<title` tags must not make this quadratic.
    const title = /<title[^>]{0,200}>([^<]{1,120})<\/title>/i.exec(body.slice(0, XML_SCAN_LIMIT))?.[1];
    const cleanTitle = title === undefined ? '' : cleanText(title, 120);
    const html = looksLikeHtml(trimmed, contentType);
    if (cleanTitle) {
      return html
        ? l10n.t('expected JSON, got an HTML page ("{0}"); is a proxy in the way?', cleanTitle)
        : l10n.t('expected JSON, got XML ("{0}"); is a proxy in the way?', cleanTitle);
    }
    return html ? l10n.t('expected JSON, got an HTML page; is a proxy in the way?') : l10n.t('expected JSON, got XML; is a proxy in the way?');
  }
  if (/^[{[]/.test(trimmed)) {
    return l10n.t('the JSON is truncated or malformed');
  }
  return l10n.t('expected JSON, got {0}', JSON.stringify(cleanText(trimmed.slice(0, 40), 40)));
}

const ENCODING_NAMES: ReadonlyMap<string, string> = new Map([
  ['gzip', 'gzip'],
  ['x-gzip', 'gzip'],
  ['deflate', 'deflate'],
  ['br', 'Brotli'],
  ['compress', 'compress'],
  ['zstd', 'zstd'],
]);

/**
 * Names the compression of a body nobody asked to be compressed (the request sends no Accept-Encoding), from the
 * `content-encoding` header or gzip's magic bytes (1f 8b, read as UTF-8: U+001F then U+FFFD).
 */
function compressionOf(body: string, contentEncoding: string | undefined): string | undefined {
  for (const token of (contentEncoding ?? '').split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'identity') {
      return ENCODING_NAMES.get(name) ?? (/^[a-z0-9-]{1,20}$/.test(name) ? name : '');
    }
  }
  if (body.charCodeAt(0) === 0x1f && (body.charCodeAt(1) === 0x8b || body.charCodeAt(1) === 0xfffd)) {
    return 'gzip';
  }
  return undefined;
}

const XML_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** The five predefined XML entities, in one pass so `&amp;lt;` stays `&lt;`. */
function decodeXmlText(text: string): string {
  const unwrapped = text.startsWith('<![CDATA[') && text.endsWith(']]>') ? text.slice(9, -3) : text;
  return unwrapped.replace(/&(lt|gt|amp|quot|apos);/g, (m, name: string) => XML_ENTITIES.get(name) ?? m);
}

/**
 * The text of the first `<name>…</name>` element in `xml` (empty for `<name/>`), undefined when there is none.
 * Plain index scans, no regular expression over the document: linear in its length whatever it holds.
 */
export function xmlTagText(xml: string, name: string): string | undefined {
  const open = `<${name}`;
  for (let from = 0; ; ) {
    const start = xml.indexOf(open, from);
    if (start === -1) {
      return undefined;
    }
    const after = xml.charAt(start + open.length);
    if (after === '>' || after === '/' || after === ' ' || after === '\t' || after === '\n' || after === '\r') {
      const tagEnd = xml.indexOf('>', start + open.length);
      if (tagEnd === -1) {
        return undefined;
      }
      if (xml.charAt(tagEnd - 1) === '/') {
        return '';
      }
      const close = xml.indexOf(`</${name}>`, tagEnd + 1);
      return close === -1 ? undefined : xml.slice(tagEnd + 1, close);
    }
    from = start + open.length;
  }
}

/** Whether a body that is not JSON should be searched for an XML error document. */
function looksLikeXml(body: string, contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mime === 'text/xml' || mime === 'application/xml' || mime.endsWith('+xml')) {
    return true;
  }
  return body.trimStart().startsWith('<') && !looksLikeHtml(body.trimStart(), contentType);
}

/**
 * An XML error document (`<Error>`, `<Response>` or any root) as the JSON shape it stands for, so both are read by
 * the same code; only the fields an error needs.
 */
function xmlErrorFields(body: string): Json {
  const xml = body.slice(0, XML_SCAN_LIMIT);
  const json: Json = {};
  for (const name of [...REQUEST_ID, ...GATEWAY_CODE, ...GATEWAY_MESSAGE, 'Success']) {
    const text = xmlTagText(xml, name);
    if (text !== undefined) {
      json[name] = decodeXmlText(text).trim();
    }
  }
  const denied = xmlTagText(xml, 'AccessDeniedDetail');
  if (denied !== undefined) {
    const decoded = decodeXmlText(denied).trim();
    // The detail may be nested elements or, as in some JSON answers, a JSON string.
    if (decoded.startsWith('{')) {
      json['AccessDeniedDetail'] = decoded;
    } else {
      const detail: Json = {};
      for (const name of ['AuthAction', 'NoPermissionType', 'PolicyType']) {
        const text = xmlTagText(denied, name);
        if (text !== undefined) {
          detail[name] = decodeXmlText(text).trim();
        }
      }
      json['AccessDeniedDetail'] = detail;
    }
  }
  return json;
}

/** A 403's `AccessDeniedDetail`, an object or that object as a JSON string; undefined when it names nothing. */
function accessDeniedOf(json: Json): AccessDeniedDetail | undefined {
  let detail = firstField(json, ['AccessDeniedDetail', 'accessDeniedDetail']);
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail.slice(0, XML_SCAN_LIMIT));
    } catch {
      return undefined;
    }
  }
  if (!isObject(detail)) {
    return undefined;
  }
  const authAction = rawField(detail, ['AuthAction', 'authAction']);
  const noPermissionType = rawField(detail, ['NoPermissionType', 'noPermissionType']);
  const policyType = rawField(detail, ['PolicyType', 'policyType']);
  if (authAction === undefined && noPermissionType === undefined && policyType === undefined) {
    return undefined;
  }
  return {
    ...(authAction === undefined ? {} : { authAction }),
    ...(noPermissionType === undefined ? {} : { noPermissionType }),
    ...(policyType === undefined ? {} : { policyType }),
  };
}

/**
 * The request ID of the body, else of the `x-acs-request-id` header (the only trace of an unreadable answer); as
 * sent, for an error to sanitize.
 */
function requestIdOf(json: Json | undefined, headerRequestId: string | undefined): string | undefined {
  return (json === undefined ? undefined : rawField(json, REQUEST_ID)) ?? (headerRequestId || undefined);
}

/**
 * Parses a body as JSON or explains, for a human, what came instead. An XML error document is read as the JSON
 * shape it stands for. Never throws a SyntaxError.
 */
export function parseJsonBody(
  httpStatus: number,
  body: string,
  contentType: string | undefined,
  requestId?: string,
  retryAfterMs?: number,
  contentEncoding?: string,
): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const xml = looksLikeXml(body, contentType) ? xmlErrorFields(body) : undefined;
    if (xml !== undefined && (firstField(xml, GATEWAY_CODE) !== undefined || isFalse(field(xml, 'Success')))) {
      return xml;
    }
    const id = requestIdOf(xml, requestId);
    if (httpStatus === 429) {
      throw classifyApiError({ code: 'Throttling', apiMessage: 'HTTP 429 Too Many Requests', httpStatus, requestId: id, retryAfterMs });
    }
    const compression = compressionOf(body, contentEncoding);
    const reason =
      compression === undefined
        ? describeBody(body, contentType)
        : compression
          ? l10n.t('the body is {0}-compressed, which was not asked for', compression)
          : l10n.t('the body is compressed with an unknown encoding, which was not asked for');
    throw new BadResponseError(reason, { httpStatus, requestId: id, retryable: httpStatus >= 500 });
  }
  if (!isObject(parsed)) {
    throw new BadResponseError(l10n.t('expected a JSON object'), { httpStatus, requestId: requestIdOf(undefined, requestId), retryable: httpStatus >= 500 });
  }
  return parsed;
}

/**
 * Throws the classified error when the body is either error shape: the gateway's (HTTP 4xx/5xx with
 * Code/Message, in either case the official SDK reads) or DTS's (`Success` false with ErrCode/ErrMessage). A
 * Code with no job list is an error whatever the HTTP status (an XML error document, a gateway answering 200).
 */
export function throwIfApiError(
  httpStatus: number,
  json: Json,
  retryAfterMs: number | undefined,
  headerRequestId?: string,
  listField = 'SynchronizationJobListStatusList',
): void {
  const gatewayCode = rawField(json, GATEWAY_CODE);
  const failed = isFalse(field(json, 'Success'));
  const codeWithoutList = gatewayCode !== undefined && field(json, listField) === undefined;
  if (httpStatus < 400 && !failed && !codeWithoutList) {
    // The usual answer: no error, so no error details are gathered.
    return;
  }
  const requestId = requestIdOf(json, headerRequestId);
  const accessDenied = accessDeniedOf(json);
  const details = { requestId, httpStatus, retryAfterMs, ...(accessDenied ? { accessDenied } : {}) };
  const gatewayMessage = rawField(json, GATEWAY_MESSAGE);
  if (httpStatus >= 400) {
    if (!gatewayCode && httpStatus === 429) {
      throw classifyApiError({ code: 'Throttling', apiMessage: 'HTTP 429 Too Many Requests', ...details });
    }
    if (!gatewayCode) {
      throw new BadResponseError(l10n.t('an error without a Code'), { httpStatus, requestId, retryable: httpStatus >= 500 });
    }
    throw classifyApiError({ code: gatewayCode, apiMessage: gatewayMessage, ...details });
  }
  if (failed) {
    throw classifyApiError({ code: rawField(json, DTS_CODE) ?? 'UnknownError', apiMessage: rawField(json, DTS_MESSAGE), ...details });
  }
  // What is left is codeWithoutList.
  throw classifyApiError({ code: gatewayCode ?? 'UnknownError', apiMessage: gatewayMessage, ...details });
}

/** Direction names as DTS spells them; a Map, so `constructor` is a direction like any unknown one. */
const DIRECTIONS: ReadonlyMap<string, string> = new Map([
  ['forward', 'Forward'],
  ['reverse', 'Reverse'],
]);

/** A checkpoint as read: a plausible time, or none; `raw` keeps a value that was there but was not a time. */
export interface CheckpointReading {
  readonly checkpoint: Date | null;
  readonly raw?: string;
}

/**
 * Unix seconds as a string (10 digits in every example); 13 digits are read as milliseconds. Absent, empty and
 * zero mean "none yet"; anything else outside 2000–2100 (16+ digits, signs, words) is no checkpoint, kept as `raw`.
 */
export function readCheckpoint(value: unknown, known?: KnownSecrets): CheckpointReading {
  if (value === undefined || value === null || value === '') {
    return { checkpoint: null };
  }
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : JSON.stringify(value);
  const implausible = (): CheckpointReading => {
    const raw = cleanText(known ? text : text.slice(0, MAX_CHECKPOINT_RAW_LENGTH * 2), MAX_CHECKPOINT_RAW_LENGTH, known);
    return raw === '' ? { checkpoint: null } : { checkpoint: null, raw };
  };
  if (!/^\d+$/.test(text)) {
    return implausible();
  }
  const digits = text.replace(/^0+/, '');
  if (digits === '') {
    return { checkpoint: null };
  }
  if (digits.length > 13) {
    return implausible();
  }
  const n = Number(digits);
  const ms = digits.length >= 13 ? n : n * 1000;
  if (ms < EARLIEST_PLAUSIBLE_TIME || ms >= LATEST_PLAUSIBLE_TIME) {
    return implausible();
  }
  return { checkpoint: new Date(ms) };
}

/** The checkpoint as a Date, or null when there is none or it is not a plausible time. */
export function parseCheckpoint(value: unknown): Date | null {
  return readCheckpoint(value).checkpoint;
}

function parseDirection(value: unknown, httpStatus: number, requestId: string | undefined, known?: KnownSecrets): RawDirection {
  if (!isObject(value)) {
    throw new BadResponseError(l10n.t('a direction entry is not an object'), { httpStatus, requestId });
  }
  const sent = textField(value, ['SynchronizationDirection'], known) ?? 'Forward';
  const status = optionalString(field(value, 'Status'));
  const { checkpoint, raw } = readCheckpoint(field(value, 'Checkpoint'), known);
  const direction = DIRECTIONS.get(sent.toLowerCase()) ?? sent;
  const cleanStatus = status === undefined ? '' : cleanText(status, MAX_TEXT_LENGTH, known);
  return raw === undefined ? { direction, status: cleanStatus, checkpoint } : { direction, status: cleanStatus, checkpoint, checkpointRaw: raw };
}

function severity(d: RawDirection): number {
  return HEALTH_SEVERITY.indexOf(statusHealth(d.status));
}

/** Of two answers for one direction, the one to show: the worse health, then the older checkpoint (more lag). */
function worse(a: RawDirection, b: RawDirection): RawDirection {
  if (severity(b) !== severity(a)) {
    return severity(b) < severity(a) ? b : a;
  }
  return a.checkpoint && b.checkpoint && b.checkpoint.getTime() < a.checkpoint.getTime() ? b : a;
}

/** One job's directions as answered (possibly over several entries), grouped per direction. */
interface JobAnswer {
  /** Lowercased directions, in the order first sent (at most MAX_DIRECTIONS_PER_JOB: searched, not hashed). */
  readonly keys: string[];
  /** Every answer for the direction of the same index in `keys`, in the order sent. */
  readonly directions: RawDirection[][];
  extraDirections: number;
}

function listedStatuses(answers: readonly RawDirection[]): string {
  const shown = answers.slice(0, 5).map((d) => truncate(d.status, 40) || l10n.t('(empty)'));
  return `${shown.join(', ')}${answers.length > shown.length ? ', …' : ''}`;
}

/**
 * Validates a successful answer's shape instead of trusting it; extra fields are ignored. `known`: the caller's key
 * material, removed from every text before it is cut to length.
 */
export function parseStatusList(
  httpStatus: number,
  json: Json,
  serverDate: Date | undefined,
  headerRequestId?: string,
  known?: KnownSecrets,
): StatusListResult {
  const sentRequestId = requestIdOf(json, headerRequestId);
  const requestId = sentRequestId === undefined ? undefined : cleanText(sentRequestId, MAX_TEXT_LENGTH, known) || undefined;
  if (rawField(json, REQUEST_ID) === undefined && field(json, 'Success') === undefined) {
    throw new BadResponseError(l10n.t('not a DTS answer (no RequestId, no Success)'), { httpStatus, requestId: sentRequestId });
  }
  const entries = field(json, 'SynchronizationJobListStatusList');
  if (entries === undefined || entries === null) {
    // Reading this as "no job returned" would report every job as not found; an empty list [] is that answer.
    const why = isTrue(field(json, 'Success'))
      ? l10n.t('Success is true but SynchronizationJobListStatusList is missing')
      : l10n.t('the answer has no job list: SynchronizationJobListStatusList is missing');
    throw new BadResponseError(why, { httpStatus, requestId: sentRequestId });
  }
  if (!Array.isArray(entries)) {
    throw new BadResponseError(l10n.t('SynchronizationJobListStatusList is not a list'), { httpStatus, requestId: sentRequestId });
  }
  const answers = new Map<string, JobAnswer>();
  for (const entry of entries) {
    const sentId = isObject(entry) ? optionalString(field(entry, 'SynchronizationJobId')) : undefined;
    const id = sentId === undefined ? '' : cleanText(sentId, MAX_TEXT_LENGTH, known);
    if (!isObject(entry) || id === '') {
      throw new BadResponseError(l10n.t('a job entry has no SynchronizationJobId'), { httpStatus, requestId: sentRequestId });
    }
    const directions = field(entry, 'SynchronizationDirectionInfoList') ?? [];
    if (!Array.isArray(directions)) {
      throw new BadResponseError(l10n.t('the directions of {0} are not a list', id), { httpStatus, requestId: sentRequestId });
    }
    let answer = answers.get(id);
    if (!answer) {
      answer = { keys: [], directions: [], extraDirections: 0 };
      answers.set(id, answer);
    }
    for (const value of directions) {
      const direction = parseDirection(value, httpStatus, sentRequestId, known);
      const key = direction.direction.toLowerCase();
      const at = answer.keys.indexOf(key);
      if (at >= 0) {
        answer.directions[at].push(direction);
      } else if (answer.keys.length < MAX_DIRECTIONS_PER_JOB) {
        answer.keys.push(key);
        answer.directions.push([direction]);
      } else {
        answer.extraDirections++;
      }
    }
  }
  const notes: string[] = [];
  const jobs = new Map<string, RawDirection[]>();
  for (const [id, answer] of answers) {
    const shown: RawDirection[] = [];
    for (const same of answer.directions) {
      const chosen = same.reduce(worse);
      shown.push(chosen);
      if (same.length > 1) {
        notes.push(l10n.t('{0} {1} was answered {2} times ({3}); showing the worst', id, directionLabel(chosen.direction), same.length, listedStatuses(same)));
      }
    }
    if (answer.extraDirections > 0) {
      notes.push(
        l10n.t('{0} was answered with {1} more directions than the {2} shown; the rest are ignored', id, answer.extraDirections, MAX_DIRECTIONS_PER_JOB),
      );
    }
    jobs.set(id, shown);
  }
  const total = countField(field(json, 'TotalRecordCount'));
  if (total !== undefined && total > jobs.size) {
    notes.push(l10n.t('the answer counts {0} jobs (TotalRecordCount) but lists {1}; jobs not listed are shown as not found', total, jobs.size));
  }
  return { requestId, serverDate, jobs, notes: capNotes(notes) };
}

/** A non-negative whole count sent as a number or a string of digits; undefined otherwise. */
export function countField(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  return typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

export function capNotes(notes: string[]): string[] {
  return notes.length <= MAX_NOTES
    ? notes
    : [...notes.slice(0, MAX_NOTES - 1), l10n.t('and {0} more oddities in this answer', notes.length - MAX_NOTES + 1)];
}

/** The `Date` header, when it is a real date in the plausible range (else lag falls back to the local clock). */
export function parseServerDate(header: string | undefined): Date | undefined {
  if (!header) {
    return undefined;
  }
  if (header !== lastDateHeader) {
    // Answers within one second carry the same header: it is parsed once (a new Date is still returned each time).
    const ms = new Date(header.slice(0, 100)).getTime();
    lastDateHeader = header;
    lastDateMs = Number.isNaN(ms) || ms < EARLIEST_PLAUSIBLE_TIME || ms >= LATEST_PLAUSIBLE_TIME ? undefined : ms;
  }
  return lastDateMs === undefined ? undefined : new Date(lastDateMs);
}

let lastDateHeader: string | undefined;
let lastDateMs: number | undefined;

/** `x-acs-retry-after`, in milliseconds as the official SDKs read it; only a positive value counts. */
export function parseRetryAfter(header: string | undefined): number | undefined {
  const n = Number(header?.trim());
  return header && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A response header by its lowercase name; only a string the headers object holds itself counts. */
function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value: unknown = Object.hasOwn(headers, name) ? headers[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * A successful DTS answer's JSON, or the DtsError its exchange means: the steps every operation shares. `listField`:
 * the operation's result list, whose absence next to a Code makes a 200 an error.
 */
export function readAnswer(
  httpStatus: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  listField?: string,
): { readonly json: Json; readonly headerRequestId: string | undefined } {
  // The gateway also sends the request ID as a header: the only trace of a request whose body is unreadable.
  const headerRequestId = header(headers, 'x-acs-request-id');
  const retryAfterMs = parseRetryAfter(header(headers, 'x-acs-retry-after'));
  const json = parseJsonBody(httpStatus, body, header(headers, 'content-type'), headerRequestId, retryAfterMs, header(headers, 'content-encoding'));
  throwIfApiError(httpStatus, json, retryAfterMs, headerRequestId, listField);
  if (httpStatus >= 300) {
    throw new BadResponseError(l10n.t('unexpected HTTP status'), { httpStatus, requestId: requestIdOf(json, headerRequestId), retryable: httpStatus >= 500 });
  }
  return { json, headerRequestId };
}

/**
 * The whole interpretation of one HTTP exchange: a result, or the error a caller can act on. Pass the request's
 * credentials as `known` so that key material a hostile server echoes is removed before any text is cut.
 */
export function interpretStatusListResponse(
  httpStatus: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  known?: KnownSecrets,
): StatusListResult {
  const { json, headerRequestId } = readAnswer(httpStatus, headers, body);
  return parseStatusList(httpStatus, json, parseServerDate(header(headers, 'date')), headerRequestId, known);
}
