/**
 * Errors a caller can act on, named by what the user can do about them. Each carries the API's Code, Message and
 * RequestId when there was a response. Messages never contain credentials: nothing here is given them.
 */
export type ErrorKind =
  | 'credentials'
  | 'forbidden'
  | 'throttled'
  | 'network'
  | 'timeout'
  | 'server'
  | 'bad-response'
  | 'rejected'
  | 'bad-input';

export interface ApiErrorDetails {
  /** The API's `Code`/`ErrCode`, or a local code (`Timeout`, `NetworkError`, `BadResponse`, ...). */
  readonly code: string;
  /** The API's `Message`/`ErrMessage` when the service sent one. */
  readonly apiMessage?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  /** Milliseconds the service asked us to wait (`x-acs-retry-after`). */
  readonly retryAfterMs?: number;
}

export abstract class DtsError extends Error {
  abstract readonly kind: ErrorKind;
  /** Whether trying the same request again (freshly signed) may succeed. */
  abstract readonly retryable: boolean;
  readonly code: string;
  readonly apiMessage?: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;

  constructor(summary: string, details: ApiErrorDetails) {
    super(composeMessage(summary, details));
    this.name = new.target.name;
    this.code = details.code;
    this.apiMessage = details.apiMessage;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
  }
}

function composeMessage(summary: string, d: ApiErrorDetails): string {
  const parts = [summary];
  if (d.apiMessage !== undefined || !isLocalCode(d.code)) {
    parts.push(`: ${d.code}${d.apiMessage ? ` ${oneLine(d.apiMessage)}` : ''}`);
  }
  if (d.requestId) {
    parts.push(` (RequestId ${d.requestId})`);
  }
  return parts.join('');
}

const LOCAL_CODES = new Set(['Timeout', 'NetworkError', 'BadResponse', 'BadInput', 'CredentialsNotFound', 'HttpError']);
function isLocalCode(code: string): boolean {
  return LOCAL_CODES.has(code);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/** The AccessKey was refused: unknown, disabled, wrong secret, expired STS token. */
export class CredentialsRejectedError extends DtsError {
  readonly kind = 'credentials';
  readonly retryable = false;
  constructor(details: ApiErrorDetails) {
    super('The AccessKey was rejected', details);
  }
}

/** The AccessKey is valid but lacks permission (RAM policy). */
export class ForbiddenError extends DtsError {
  readonly kind = 'forbidden';
  readonly retryable = false;
  constructor(details: ApiErrorDetails) {
    super('Access denied', details);
  }
}

export class ThrottledError extends DtsError {
  readonly kind = 'throttled';
  readonly retryable = true;
  constructor(details: ApiErrorDetails) {
    super('Throttled by Alibaba Cloud', details);
  }
}

/** No usable HTTP exchange: refused, reset, DNS failure, TLS failure. */
export class NetworkError extends DtsError {
  readonly kind: ErrorKind = 'network';
  readonly retryable = true;
  constructor(summary: string, details: Partial<ApiErrorDetails> = {}) {
    super(summary, { code: 'NetworkError', ...details });
  }
}

export class TimeoutError extends NetworkError {
  override readonly kind = 'timeout';
  constructor(seconds: number) {
    super(`No answer within ${formatSeconds(seconds)}`, { code: 'Timeout' });
  }
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}

/** The service failed (5xx, InternalError, ServiceUnavailable): worth a retry later. */
export class ServerError extends DtsError {
  readonly kind = 'server';
  readonly retryable = true;
  constructor(details: ApiErrorDetails) {
    super(`DTS server error${details.httpStatus ? ` (HTTP ${details.httpStatus})` : ''}`, details);
  }
}

/** A response that is not what DTS sends: a proxy's HTML page, a truncated or oversized body, a wrong shape. */
export class BadResponseError extends DtsError {
  readonly kind = 'bad-response';
  readonly retryable: boolean;
  constructor(reason: string, details: { httpStatus?: number; requestId?: string; retryable?: boolean } = {}) {
    super(`Bad response${details.httpStatus ? ` (HTTP ${details.httpStatus})` : ''}: ${reason}`, {
      code: 'BadResponse',
      ...details,
    });
    this.retryable = details.retryable ?? false;
  }
}

/** The service refused the request itself: a bad parameter, a stale clock, a DTS business error. */
export class RequestRejectedError extends DtsError {
  readonly kind = 'rejected';
  readonly retryable = false;
  constructor(details: ApiErrorDetails) {
    super('DTS rejected the request', details);
  }
}

/** Refused locally before any request: a malformed job ID, region, option or endpoint. */
export class BadInputError extends DtsError {
  readonly kind = 'bad-input';
  readonly retryable = false;
  constructor(message: string) {
    super(message, { code: 'BadInput' });
  }
}

/** No credentials anywhere in the provider chain. */
export class CredentialsNotFoundError extends DtsError {
  readonly kind = 'bad-input';
  readonly retryable = false;
  constructor(message: string) {
    super(message, { code: 'CredentialsNotFound' });
  }
}

const CREDENTIAL_CODES = /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken|InvalidAccessKeySecret)/i;
const FORBIDDEN_CODES = /^(Forbidden|NoPermission|AccessDenied|Unauthorized)/i;
const THROTTLING_CODES = /^Throttling/i;
const SERVER_CODES = /^(InternalError|ServiceUnavailable|UnknownError|InternalServerError)/i;

/**
 * The one place an API answer becomes an error class: the gateway's shape (HTTP status + Code/Message) and DTS's
 * (`Success` false + ErrCode/ErrMessage) both come here.
 */
export function classifyApiError(details: ApiErrorDetails): DtsError {
  const { code, httpStatus } = details;
  if (THROTTLING_CODES.test(code) || httpStatus === 429 || (details.retryAfterMs ?? 0) > 0) {
    return new ThrottledError(details);
  }
  if (/InstanceNotFound/i.test(code)) {
    return new RequestRejectedError(details);
  }
  if (CREDENTIAL_CODES.test(code)) {
    return new CredentialsRejectedError(details);
  }
  if (FORBIDDEN_CODES.test(code) || (httpStatus === 403 && !code)) {
    return new ForbiddenError(details);
  }
  if (SERVER_CODES.test(code) || (httpStatus !== undefined && httpStatus >= 500)) {
    return new ServerError(details);
  }
  return new RequestRejectedError(details);
}
