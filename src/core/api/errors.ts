import * as l10n from '@vscode/l10n';
import { formatNumber } from '../locale';
import { safeText, type KnownSecrets } from '../safeText';

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
  /** A 403's `AccessDeniedDetail`: which RAM permission is missing. */
  readonly accessDenied?: AccessDeniedDetail;
}

export interface AccessDeniedDetail {
  /** The denied action, e.g. `dts:DescribeSynchronizationJobStatusList`. */
  readonly authAction?: string;
  /** e.g. `ImplicitDeny`, `ExplicitDeny`. */
  readonly noPermissionType?: string;
  readonly policyType?: string;
}

/**
 * Every text in an error may have come from the server (a hostile endpoint can echo the Authorization header, a
 * gateway quotes its string-to-sign): each goes through `safeText` when the error is made, and again with the
 * caller's own key material through `redact` before the error leaves the client.
 */
export abstract class DtsError extends Error {
  abstract readonly kind: ErrorKind;
  /** Whether trying the same request again (freshly signed) may succeed. */
  abstract readonly retryable: boolean;
  code!: string;
  apiMessage?: string;
  requestId?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  accessDenied?: AccessDeniedDetail;
  /** The texts as they came (controls already gone), kept whole so a later `redact` still finds a whole token. */
  private readonly raw: { summary: string; code: string; apiMessage?: string; requestId?: string; accessDenied?: AccessDeniedDetail };
  private known: KnownSecrets = {};

  constructor(summary: string, details: ApiErrorDetails) {
    super('');
    this.name = new.target.name;
    this.raw = {
      summary,
      code: details.code,
      apiMessage: details.apiMessage,
      requestId: details.requestId,
      accessDenied: details.accessDenied,
    };
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.render();
  }

  /** Removes the caller's own AccessKey ID (masked), secret and token from every text of the error. */
  redact(known: KnownSecrets): this {
    this.known = known;
    this.render();
    return this;
  }

  /** Redaction runs on the whole texts first; only then are they cut to length, so no piece of a secret survives. */
  private render(): void {
    const clean = (text: string): string => safeText(text, this.known);
    const summary = clean(this.raw.summary);
    this.code = cut(clean(this.raw.code), 80) || 'UnknownError';
    this.apiMessage = this.raw.apiMessage === undefined ? undefined : clean(this.raw.apiMessage);
    const requestId = this.raw.requestId === undefined ? '' : cut(clean(this.raw.requestId), 80);
    this.requestId = requestId === '' ? undefined : requestId;
    const denied = this.raw.accessDenied;
    const field = (v: string | undefined): string | undefined => (v === undefined ? undefined : cut(clean(v), 80));
    this.accessDenied = denied && {
      authAction: field(denied.authAction),
      noPermissionType: field(denied.noPermissionType),
      policyType: field(denied.policyType),
    };
    // Each addition is a whole message around the text so far, so a translation can put it where its grammar wants.
    let message = summary;
    if (this.apiMessage !== undefined || !isLocalCode(this.code)) {
      message = l10n.t('{0}: {1}', message, this.apiMessage ? `${this.code} ${cut(this.apiMessage, 300)}` : this.code);
    }
    if (this.accessDenied?.authAction) {
      const type = this.accessDenied.noPermissionType;
      message = type
        ? l10n.t('{0} (the RAM policy does not allow {1}: {2})', message, this.accessDenied.authAction, type)
        : l10n.t('{0} (the RAM policy does not allow {1})', message, this.accessDenied.authAction);
    }
    if (this.requestId) {
      message = l10n.t('{0} (RequestId {1})', message, this.requestId);
    }
    this.message = message;
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

const LOCAL_CODES = new Set(['Timeout', 'NetworkError', 'BadResponse', 'BadInput', 'CredentialsNotFound', 'HttpError']);
function isLocalCode(code: string): boolean {
  return LOCAL_CODES.has(code);
}


/** The AccessKey was refused: unknown, disabled, wrong secret, expired STS token. */
export class CredentialsRejectedError extends DtsError {
  readonly kind = 'credentials';
  readonly retryable = false;
  constructor(details: ApiErrorDetails) {
    super(l10n.t('The AccessKey was rejected'), details);
  }
}

/** The AccessKey is valid but lacks permission (RAM policy). */
export class ForbiddenError extends DtsError {
  readonly kind = 'forbidden';
  readonly retryable = false;
  constructor(details: ApiErrorDetails) {
    super(l10n.t('Access denied'), details);
  }
}

export class ThrottledError extends DtsError {
  readonly kind = 'throttled';
  readonly retryable = true;
  constructor(details: ApiErrorDetails) {
    super(l10n.t('Throttled by Alibaba Cloud'), details);
  }
}

/** No usable HTTP exchange: refused, reset, DNS failure, TLS failure. */
export class NetworkError extends DtsError {
  readonly kind: ErrorKind = 'network';
  /** False for what a retry cannot fix: a rejected certificate, an unknown host. */
  readonly retryable: boolean;
  constructor(summary: string, details: Partial<ApiErrorDetails> & { readonly retryable?: boolean } = {}) {
    const { retryable, ...rest } = details;
    super(summary, { code: 'NetworkError', ...rest });
    this.retryable = retryable ?? true;
  }
}

export interface TimeoutOptions {
  /** The caller's overall deadline ended the request, not one attempt's timeout: not worth a retry. */
  readonly deadline?: boolean;
  /** The error of the attempt before the deadline, if there was one, so the user sees why it took so long. */
  readonly last?: DtsError;
}

export class TimeoutError extends NetworkError {
  override readonly kind = 'timeout';
  constructor(seconds: number, options: TimeoutOptions = {}) {
    const shown = formatNumber(seconds);
    const summary = options.deadline ? l10n.t('No answer within the {0} s deadline', shown) : l10n.t('No answer within {0} s', shown);
    super(options.last ? l10n.t('{0} (last attempt: {1})', summary, options.last.message) : summary, {
      code: 'Timeout',
      retryable: !options.deadline,
    });
  }
}

/** The service failed (5xx, InternalError, ServiceUnavailable): worth a retry later. */
export class ServerError extends DtsError {
  readonly kind = 'server';
  readonly retryable = true;
  constructor(details: ApiErrorDetails) {
    super(details.httpStatus ? l10n.t('DTS server error (HTTP {0})', details.httpStatus) : l10n.t('DTS server error'), details);
  }
}

/** A response that is not what DTS sends: a proxy's HTML page, a truncated or oversized body, a wrong shape. */
export class BadResponseError extends DtsError {
  readonly kind = 'bad-response';
  readonly retryable: boolean;
  constructor(reason: string, details: { httpStatus?: number; requestId?: string; retryable?: boolean } = {}) {
    super(details.httpStatus ? l10n.t('Bad response (HTTP {0}): {1}', details.httpStatus, reason) : l10n.t('Bad response: {0}', reason), {
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
    super(l10n.t('DTS rejected the request'), details);
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
const SERVER_CODES = /^(InternalError|ServiceUnavailable|UnknownError|InternalServerError)/i;

/** `Throttling`, `Throttling.User`, `Dts.Throttling.Api`: a dot-separated segment that starts with Throttling. */
export function isThrottlingCode(code: string): boolean {
  return code.split('.').some((segment) => /^throttling/i.test(segment));
}

/**
 * The one place an API answer becomes an error class: the gateway's shape (HTTP status + Code/Message) and DTS's
 * (`Success` false + ErrCode/ErrMessage) both come here. The code decides first; the HTTP status only when the code
 * says nothing. A retry-after hint never makes an error retryable: it only sets the wait of one that already is.
 */
export function classifyApiError(details: ApiErrorDetails): DtsError {
  const { code, httpStatus } = details;
  if (/InstanceNotFound/i.test(code)) {
    return new RequestRejectedError(details);
  }
  // Before throttling: a bad key or signature stays bad however often it is sent.
  if (CREDENTIAL_CODES.test(code)) {
    return new CredentialsRejectedError(details);
  }
  if (FORBIDDEN_CODES.test(code)) {
    return new ForbiddenError(details);
  }
  if (isThrottlingCode(code) || httpStatus === 429) {
    return new ThrottledError(details);
  }
  if (httpStatus === 403 && !code) {
    return new ForbiddenError(details);
  }
  if (SERVER_CODES.test(code) || (httpStatus !== undefined && httpStatus >= 500)) {
    return new ServerError(details);
  }
  return new RequestRejectedError(details);
}
