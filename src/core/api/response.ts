import { BadResponseError, classifyApiError } from './errors';
import type { RawDirection } from '../model';

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

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** `Success` is a string in the docs and SDKs and a boolean in the doc's sample. */
function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

function describeBody(body: string, contentType: string | undefined): string {
  const trimmed = body.trimStart();
  if (trimmed === '') {
    return 'the body is empty';
  }
  if (/^</.test(trimmed) || /html|xml/i.test(contentType ?? '')) {
    const title = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(body)?.[1]?.trim();
    return `expected JSON, got ${/html/i.test(trimmed.slice(0, 200)) || /html/i.test(contentType ?? '') ? 'an HTML page' : 'XML'}${title ? ` ("${title}")` : ''}; is a proxy in the way?`;
  }
  if (/^[{[]/.test(trimmed)) {
    return 'the JSON is truncated or malformed';
  }
  return `expected JSON, got ${JSON.stringify(trimmed.slice(0, 40))}`;
}

/** Parses a body as JSON or explains, for a human, what came instead. Never throws a SyntaxError. */
export function parseJsonBody(httpStatus: number, body: string, contentType: string | undefined, requestId?: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    if (httpStatus === 429) {
      throw classifyApiError({ code: 'Throttling', apiMessage: 'HTTP 429 Too Many Requests', httpStatus, requestId });
    }
    throw new BadResponseError(describeBody(body, contentType), { httpStatus, requestId, retryable: httpStatus >= 500 });
  }
  if (!isObject(parsed)) {
    throw new BadResponseError('expected a JSON object', { httpStatus, requestId, retryable: httpStatus >= 500 });
  }
  return parsed;
}

/**
 * Throws the classified error when the body is either error shape: the gateway's (HTTP 4xx/5xx with
 * Code/Message) or DTS's (`Success` false with ErrCode/ErrMessage).
 */
export function throwIfApiError(httpStatus: number, json: Json, retryAfterMs: number | undefined): void {
  const requestId = optionalString(json['RequestId']);
  if (httpStatus >= 400) {
    const code = optionalString(json['Code']) ?? optionalString(json['ErrCode']);
    if (!code && httpStatus === 429) {
      throw classifyApiError({ code: 'Throttling', apiMessage: 'HTTP 429 Too Many Requests', requestId, httpStatus, retryAfterMs });
    }
    if (!code) {
      throw new BadResponseError('an error without a Code', { httpStatus, requestId, retryable: httpStatus >= 500 });
    }
    throw classifyApiError({
      code,
      apiMessage: optionalString(json['Message']) ?? optionalString(json['ErrMessage']),
      requestId,
      httpStatus,
      retryAfterMs,
    });
  }
  if (isFalse(json['Success'])) {
    throw classifyApiError({
      code: optionalString(json['ErrCode']) ?? optionalString(json['Code']) ?? 'UnknownError',
      apiMessage: optionalString(json['ErrMessage']) ?? optionalString(json['Message']),
      requestId,
      httpStatus,
      retryAfterMs,
    });
  }
}

const DIRECTIONS: Readonly<Record<string, string>> = { forward: 'Forward', reverse: 'Reverse' };

/** Unix seconds as a string (10 digits in every example); 13 digits are read as milliseconds. */
export function parseCheckpoint(value: unknown): Date | null {
  const text = optionalString(value)?.trim();
  if (!text || !/^\d+$/.test(text)) {
    return null;
  }
  const n = Number(text);
  if (n <= 0) {
    return null;
  }
  return new Date(text.length >= 13 ? n : n * 1000);
}

function parseDirection(value: unknown, httpStatus: number): RawDirection {
  if (!isObject(value)) {
    throw new BadResponseError('a direction entry is not an object', { httpStatus });
  }
  const direction = optionalString(value['SynchronizationDirection'])?.trim() ?? 'Forward';
  return {
    direction: DIRECTIONS[direction.toLowerCase()] ?? direction,
    status: optionalString(value['Status'])?.trim() ?? '',
    checkpoint: parseCheckpoint(value['Checkpoint']),
  };
}

/** Validates a successful answer's shape instead of trusting it; extra fields are ignored. */
export function parseStatusList(httpStatus: number, json: Json, serverDate: Date | undefined): StatusListResult {
  const requestId = optionalString(json['RequestId']);
  if (requestId === undefined && json['Success'] === undefined) {
    throw new BadResponseError('not a DTS answer (no RequestId, no Success)', { httpStatus });
  }
  const list = json['SynchronizationJobListStatusList'] ?? [];
  if (!Array.isArray(list)) {
    throw new BadResponseError('SynchronizationJobListStatusList is not a list', { httpStatus, requestId });
  }
  const jobs = new Map<string, RawDirection[]>();
  for (const entry of list) {
    const id = isObject(entry) ? optionalString(entry['SynchronizationJobId']) : undefined;
    if (!isObject(entry) || !id) {
      throw new BadResponseError('a job entry has no SynchronizationJobId', { httpStatus, requestId });
    }
    const directions = entry['SynchronizationDirectionInfoList'] ?? [];
    if (!Array.isArray(directions)) {
      throw new BadResponseError(`the directions of ${id} are not a list`, { httpStatus, requestId });
    }
    jobs.set(id, [...(jobs.get(id) ?? []), ...directions.map((d) => parseDirection(d, httpStatus))]);
  }
  return { requestId, serverDate, jobs, notes: [] };
}

/** The `Date` header, when it is a real date. */
export function parseServerDate(header: string | undefined): Date | undefined {
  if (!header) {
    return undefined;
  }
  const date = new Date(header);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `x-acs-retry-after`, in milliseconds as the official SDKs read it; only a positive value counts. */
export function parseRetryAfter(header: string | undefined): number | undefined {
  const n = Number(header?.trim());
  return header && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The whole interpretation of one HTTP exchange: a result, or the error a caller can act on. */
export function interpretStatusListResponse(
  httpStatus: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
): StatusListResult {
  // The gateway also sends the request ID as a header: the only trace of a request whose body is unreadable.
  const json = parseJsonBody(httpStatus, body, headers['content-type'], headers['x-acs-request-id']);
  throwIfApiError(httpStatus, json, parseRetryAfter(headers['x-acs-retry-after']));
  if (httpStatus >= 300) {
    throw new BadResponseError('unexpected HTTP status', { httpStatus, retryable: httpStatus >= 500 });
  }
  return parseStatusList(httpStatus, json, parseServerDate(headers['date']));
}
