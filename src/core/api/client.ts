import { randomUUID } from 'node:crypto';
import { Agent, EnvHttpProxyAgent, Pool, ProxyAgent, request, type buildConnector, type Dispatcher } from 'undici';
import * as l10n from '@vscode/l10n';
import { safeText } from '../safeText';
import { resolveEndpoint } from './endpoints';
import { BadResponseError, DtsError, NetworkError, TimeoutError } from './errors';
import {
  abortableSleep,
  clampDelay,
  rateLimitKey,
  RateLimitWaitTooLongError,
  sharedRateLimiter,
  type RateLimiter,
  type ReleaseSlot,
} from './rateLimiter';
import { interpretJobDetailsResponse, type JobDetails } from './jobDetails';
import { interpretStatusListResponse, type StatusListResult } from './response';
import { signV2, signV3, canonicalQueryString, type Credentials, type SignatureVersion } from './signing';

export { abortableSleep } from './rateLimiter';

export const API_VERSION = '2020-01-01';
export const STATUS_LIST_ACTION = 'DescribeSynchronizationJobStatusList';
export const JOB_STATUS_ACTION = 'DescribeSynchronizationJobStatus';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
/** A status answer for a batch of IDs is a few KiB; anything past this is not DTS talking. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** A retry hint longer than this is left to the caller's own schedule instead of waited out here. */
const MAX_RETRY_AFTER_MS = 20_000;
/** How long a dispatcher may keep an aborted request before it is replaced (it may be stuck reconnecting). */
const WEDGED_AFTER_MS = 1_000;
/** How long close() lets requests still in flight finish before it destroys the connections. */
const CLOSE_GRACE_MS = 1_000;

/** One HTTP attempt, as the log shows it. */
export interface AttemptEvent {
  readonly action: string;
  readonly region: string;
  readonly batchSize: number;
  readonly attempt: number;
  readonly durationMs: number;
  readonly requestId?: string;
  /** `ok`, or the error code. */
  readonly outcome: string;
  /** Set when another attempt follows. */
  readonly retryInMs?: number;
  readonly retryReason?: string;
}

export interface ClientOptions {
  readonly credentials: Credentials;
  /** Overrides the official per-region endpoint (VPC endpoint, private gateway, emulator). */
  readonly endpoint?: string;
  /** Lets a plain http:// endpoint that is not loopback through (the user opted in); refused otherwise. */
  readonly allowInsecureHttp?: boolean;
  readonly signatureVersion?: SignatureVersion;
  /** Per attempt; clamped to what a timer can wait (about 24.8 days). */
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxResponseBytes?: number;
  readonly userAgent?: string;
  /** An HTTP(S) proxy URL (VS Code's `http.proxy`); without one, HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply. */
  readonly proxy?: string;
  /** Injected for tests; a keep-alive Agent (through the proxy, if any) otherwise. */
  readonly dispatcher?: Dispatcher;
  /** The budget of request starts per (AccessKey ID, region); the process-wide `sharedRateLimiter` by default. */
  readonly rateLimiter?: RateLimiter;
  readonly clock?: () => Date;
  readonly nonce?: () => string;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onAttempt?: (event: AttemptEvent) => void;
}

/** An overall deadline set by the caller (a CLI run's): waits that would end after it are not started. */
export interface Deadline {
  /** The whole budget, for the message ("No answer within the 60 s deadline"). */
  readonly totalMs: number;
  /** Milliseconds left, by the caller's clock. */
  remainingMs(): number;
}

export interface StatusListSource {
  /** Requests for the same key may share one batch: same endpoint, region and credentials. */
  batchKey(region: string): string;
  describeSynchronizationJobStatusList(
    ids: readonly string[],
    region: string,
    signal?: AbortSignal,
    deadline?: Deadline,
  ): Promise<StatusListResult>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

interface SignedRequest {
  readonly method: 'POST';
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly signature: string;
}

/**
 * A signed DTS client over undici: keep-alive, per-attempt timeout, bounded retries, capped responses, the shared
 * rate limit, and errors redacted with its own credentials before they leave it.
 */
export class DtsClient implements StatusListSource {
  private dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  /** Dispatchers replaced because an aborted request would not leave them; destroyed by close() at the latest. */
  private readonly retired = new Set<Dispatcher>();
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxResponseBytes: number;
  private readonly clock: () => Date;
  private readonly nonce: () => string;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly rateLimiter: RateLimiter;

  constructor(private readonly options: ClientOptions) {
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? defaultDispatcher(options.proxy);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.clock = options.clock ?? (() => new Date());
    this.nonce = options.nonce ?? randomUUID;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
    this.rateLimiter = options.rateLimiter ?? sharedRateLimiter;
  }

  batchKey(region: string): string {
    return `${this.endpointFor(region).origin}|${region}|${this.options.credentials.accessKeyId}`;
  }

  private endpointFor(region: string): URL {
    return resolveEndpoint(region, this.options.endpoint, { allowInsecureHttp: this.options.allowInsecureHttp });
  }

  async describeSynchronizationJobStatusList(
    ids: readonly string[],
    region: string,
    signal?: AbortSignal,
    deadline?: Deadline,
  ): Promise<StatusListResult> {
    const params = { SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: region };
    return this.call(STATUS_LIST_ACTION, params, region, ids.length, signal, (r) => interpretStatusListResponse(r.status, r.headers, r.body, this.options.credentials), deadline);
  }

  /** The details of one job's direction: why it failed, its precheck, initial load, endpoints, billing. */
  async describeSynchronizationJobStatus(
    jobId: string,
    direction: string,
    region: string,
    signal?: AbortSignal,
    deadline?: Deadline,
  ): Promise<JobDetails> {
    const params = { SynchronizationJobId: jobId, SynchronizationDirection: direction, RegionId: region };
    return this.call(JOB_STATUS_ACTION, params, region, 1, signal, (r) => interpretJobDetailsResponse(r.status, r.headers, r.body, this.options.credentials), deadline);
  }

  /**
   * Sends one action with retries; `interpret` turns an HTTP exchange into a result or throws a DtsError. Throws a
   * DtsError redacted with this client's credentials, or the caller's abort reason when its signal aborts.
   */
  async call<T>(
    action: string,
    params: Readonly<Record<string, string>>,
    region: string,
    batchSize: number,
    signal: AbortSignal | undefined,
    interpret: (response: RawResponse) => T,
    deadline?: Deadline,
  ): Promise<T> {
    try {
      return await this.attempts(action, params, region, batchSize, signal, interpret, deadline);
    } catch (caught) {
      throw caught instanceof DtsError ? caught.redact(this.options.credentials) : caught;
    }
  }

  private async attempts<T>(
    action: string,
    params: Readonly<Record<string, string>>,
    region: string,
    batchSize: number,
    signal: AbortSignal | undefined,
    interpret: (response: RawResponse) => T,
    deadline: Deadline | undefined,
  ): Promise<T> {
    const endpoint = this.endpointFor(region);
    const limitKey = rateLimitKey(this.options.credentials.accessKeyId, region);
    let last: DtsError | undefined;
    for (let attempt = 1; ; attempt++) {
      const releaseSlot = await this.waitForSlot(limitKey, signal, deadline, last);
      const started = performance.now();
      let error: DtsError;
      try {
        let signed: SignedRequest;
        let raw: RawResponse;
        try {
          signed = this.sign('POST', endpoint.host, action, params);
          raw = await this.send(endpoint, signed, signal);
        } finally {
          // The slot counts until the exchange is over: the server saw the request somewhere in between.
          releaseSlot();
        }
        const response = withoutSignature(raw, signed.signature);
        try {
          const result = interpret(response);
          this.report({ action, region, batchSize, attempt, started, requestId: requestIdOf(result), outcome: 'ok' });
          return result;
        } catch (caught) {
          error = caught instanceof DtsError ? caught : new BadResponseError(l10n.t('the answer could not be read ({0})', String(caught)), { httpStatus: response.status });
        }
      } catch (caught) {
        if (signal?.aborted) {
          throw signal.reason;
        }
        error = caught instanceof DtsError ? caught : networkError(caught);
      }
      // Before the log line sees it, not only before the caller does.
      error.redact(this.options.credentials);
      let delay = this.retryDelay(error, attempt);
      let thrown: DtsError = error;
      if (delay !== undefined && deadline && delay >= deadline.remainingMs()) {
        // The retry would start after the deadline: give up now instead of waiting for nothing.
        thrown = deadlineError(deadline, error);
        delay = undefined;
      }
      this.report({
        action, region, batchSize, attempt, started, requestId: error.requestId, outcome: error.code,
        retryInMs: delay, retryReason: delay === undefined ? undefined : error.message,
      });
      if (delay === undefined) {
        throw thrown;
      }
      last = error;
      await this.sleep(delay, signal);
    }
  }

  /** Every attempt, retries included, takes a slot of its (AccessKey ID, region) budget first. */
  private async waitForSlot(
    key: string,
    signal: AbortSignal | undefined,
    deadline: Deadline | undefined,
    last: DtsError | undefined,
  ): Promise<ReleaseSlot> {
    try {
      return await this.rateLimiter.acquire(key, { signal, maxWaitMs: deadline?.remainingMs() });
    } catch (caught) {
      if (caught instanceof RateLimitWaitTooLongError && deadline) {
        throw deadlineError(deadline, last);
      }
      throw caught;
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error is final. */
  private retryDelay(error: DtsError, attempt: number): number | undefined {
    if (!error.retryable || attempt >= this.maxAttempts) {
      return undefined;
    }
    const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    const jittered = Math.round(backoff * (0.5 + this.random() / 2));
    if (error.retryAfterMs !== undefined) {
      return error.retryAfterMs > MAX_RETRY_AFTER_MS ? undefined : Math.max(error.retryAfterMs, jittered);
    }
    return jittered;
  }

  private report(e: Omit<AttemptEvent, 'durationMs'> & { started: number }): void {
    const { started, ...rest } = e;
    const requestId = rest.requestId === undefined ? undefined : safeText(rest.requestId, this.options.credentials);
    this.options.onAttempt?.({ ...rest, requestId, durationMs: Math.round(performance.now() - started) });
  }

  /** One freshly signed request; a nonce is never reused. */
  private sign(method: 'POST', host: string, action: string, params: Readonly<Record<string, string>>): SignedRequest {
    const common = { method, action, version: API_VERSION, credentials: this.options.credentials, date: this.clock(), nonce: this.nonce() };
    if (this.options.signatureVersion === 'v2') {
      const signed = signV2({ ...common, params });
      return { method, query: canonicalQueryString(signed.params), headers: {}, signature: signed.signature };
    }
    const signed = signV3({ ...common, host, query: params });
    return { method, query: canonicalQueryString(params), headers: signed.headers, signature: signed.signature };
  }

  /**
   * One attempt. It ends at its timeout or the caller's abort even when the dispatcher ignores the abort (undici does
   * for a request queued behind a connection that never opens): the exchange is raced, and a dispatcher that keeps
   * such a request is replaced.
   */
  private async send(endpoint: URL, { method, query, headers }: SignedRequest, signal: AbortSignal | undefined): Promise<RawResponse> {
    if (signal?.aborted) {
      throw signal.reason;
    }
    const attempt = new AbortController();
    // By hand: AbortSignal.any would keep every attempt reachable for as long as a long-lived caller signal lives.
    const onCallerAbort = (): void => attempt.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => attempt.abort(new TimeoutError(this.timeoutMs / 1000)), clampDelay(this.timeoutMs));
    const ended = new Promise<never>((_resolve, reject) => {
      attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason), { once: true });
    });
    const dispatcher = this.dispatcher;
    let settled = false;
    const exchange = this.exchange(`${endpoint.origin}/?${query}`, method, headers, dispatcher, attempt.signal).finally(() => {
      settled = true;
    });
    try {
      return await Promise.race([exchange, ended]);
    } catch (caught) {
      if (signal?.aborted) {
        throw signal.reason;
      }
      if (attempt.signal.aborted) {
        throw attempt.signal.reason;
      }
      throw caught instanceof DtsError ? caught : networkError(caught);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
      if (!settled) {
        this.watchForWedge(exchange, dispatcher);
      }
    }
  }

  private async exchange(
    url: string,
    method: 'POST',
    headers: Record<string, string>,
    dispatcher: Dispatcher,
    signal: AbortSignal,
  ): Promise<RawResponse> {
    const res = await request(url, {
      method,
      headers: { ...headers, accept: 'application/json', 'user-agent': this.options.userAgent ?? 'dts-sync-status' },
      dispatcher,
      signal,
    });
    const body = await this.readBody(res);
    const responseHeaders: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: res.statusCode, headers: responseHeaders, body };
  }

  /** An aborted request the dispatcher still holds after a grace period: later attempts get a fresh dispatcher. */
  private watchForWedge(exchange: Promise<unknown>, dispatcher: Dispatcher): void {
    if (!this.ownsDispatcher) {
      return;
    }
    const timer = setTimeout(() => this.retire(dispatcher), WEDGED_AFTER_MS);
    timer.unref();
    const stop = (): void => clearTimeout(timer);
    exchange.then(stop, stop);
  }

  private retire(dispatcher: Dispatcher): void {
    if (this.closed || dispatcher !== this.dispatcher) {
      return;
    }
    this.dispatcher = defaultDispatcher(this.options.proxy);
    this.retired.add(dispatcher);
    // Other batches may still run on it: they get until their own timeout, then it is destroyed.
    void closeWithin(dispatcher, this.timeoutMs).finally(() => this.retired.delete(dispatcher));
  }

  private async readBody(res: Dispatcher.ResponseData): Promise<string> {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      res.body.destroy();
      throw new BadResponseError(l10n.t('the body is {0} bytes, over the {1}-byte limit', declared, this.maxResponseBytes), { httpStatus: res.statusCode });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.maxResponseBytes) {
        res.body.destroy();
        throw new BadResponseError(l10n.t('the body exceeds the {0}-byte limit', this.maxResponseBytes), { httpStatus: res.statusCode });
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Lets requests in flight finish for a moment, then destroys every connection: never waits forever. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher) {
      return;
    }
    this.closed = true;
    const retired = [...this.retired];
    this.retired.clear();
    await Promise.all([closeWithin(this.dispatcher, CLOSE_GRACE_MS), ...retired.map((d) => closeWithin(d, 0))]);
  }
}

/** close() waits for every queued request, which a wedged dispatcher never finishes: destroy it after `graceMs`. */
async function closeWithin(dispatcher: Dispatcher, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = dispatcher.close().then(
    () => true,
    () => true,
  );
  const gaveUp = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), clampDelay(graceMs));
  });
  const done = await Promise.race([closed, gaveUp]);
  clearTimeout(timer);
  if (!done) {
    await dispatcher.destroy().catch(() => undefined);
  }
}

/**
 * An endpoint may echo the signature it was sent bare, where no `Signature=` marks it for redaction. Only this
 * client knows the value, so it removes it from the answer (raw, percent-encoded, JSON-escaped) before reading it.
 */
function withoutSignature(response: RawResponse, signature: string): RawResponse {
  const once = encodeURIComponent(signature);
  const spellings = [signature, once, encodeURIComponent(once)].flatMap((v) => [v, v.replace(/\//g, '\\/')]);
  const needles = [...new Set(spellings)].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
  const scrub = (text: string): string => needles.reduce((out, needle) => out.split(needle).join('[redacted]'), text);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    headers[name] = value === undefined ? undefined : scrub(value);
  }
  return { status: response.status, headers, body: scrub(response.body) };
}

function deadlineError(deadline: Deadline, last: DtsError | undefined): TimeoutError {
  return new TimeoutError(deadline.totalMs / 1000, { deadline: true, last });
}

/** The code undici's connect loop is given instead of UND_ERR_SOCKET when a proxy drops a CONNECT. */
export const PROXY_TUNNEL_CLOSED = 'DTS_PROXY_TUNNEL_CLOSED';

/**
 * undici treats UND_ERR_SOCKET while connecting as recoverable and reconnects at once, without limit or backoff, as
 * long as a request is queued: a proxy that accepts and then drops CONNECT made 25,390 connections in 8 s. A
 * different code makes undici fail the queued request instead, so the retry policy decides what happens next.
 */
function boundedReconnects(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connect(options, (...args) => {
      const [err] = args;
      if (err && (err as { code?: unknown }).code === 'UND_ERR_SOCKET') {
        const tunnelError = Object.assign(new Error(`The proxy closed the connection before the tunnel was open (${err.message})`), {
          code: PROXY_TUNNEL_CLOSED,
          cause: err,
        });
        callback(tunnelError, null);
        return;
      }
      callback(...args);
    });
}

/** The per-origin pool a proxy agent creates, with the reconnect guard around the proxy's connect. */
function tunnelPoolFactory(origin: string | URL, opts: object): Dispatcher {
  const options = opts as Pool.Options;
  const connect = options.connect;
  return new Pool(origin, typeof connect === 'function' ? { ...options, connect: boundedReconnects(connect) } : options);
}

/** Keep-alive connections, through the given proxy, else through the one the environment names, else direct. */
export function defaultDispatcher(proxy: string | undefined, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const options = { keepAliveTimeout: 30_000, connections: 4 };
  if (proxy) {
    return new ProxyAgent({ uri: proxy, ...options, factory: tunnelPoolFactory });
  }
  const httpsProxy = env['HTTPS_PROXY'] || env['https_proxy'];
  const httpProxy = env['HTTP_PROXY'] || env['http_proxy'];
  if (httpsProxy || httpProxy) {
    // Loopback never goes through a proxy: a local emulator or gateway must stay reachable.
    const noProxy = [env['NO_PROXY'] || env['no_proxy'], 'localhost,127.0.0.1,::1'].filter(Boolean).join(',');
    return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy, factory: tunnelPoolFactory });
  }
  return new Agent(options);
}

/** A proxy URL for the log: its host and port, never its user name or password. */
export function describeProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(an unreadable proxy URL)';
  }
}

function requestIdOf(result: unknown): string | undefined {
  const id = (result as { requestId?: unknown } | null)?.requestId;
  return typeof id === 'string' ? id : undefined;
}

interface NetworkFailure {
  /** A function, so the words are in the language configured when the error happens. */
  readonly words: () => string;
  /** False for what a retry cannot fix. */
  readonly retryable: boolean;
}

/** Keyed by error codes from outside (Node, undici, a peer): a Map, so `constructor` is just an unknown code. */
const NETWORK_FAILURES = new Map<string, NetworkFailure>([
  ['ECONNREFUSED', { words: () => l10n.t('Connection refused'), retryable: true }],
  ['ECONNRESET', { words: () => l10n.t('Connection reset'), retryable: true }],
  ['EPIPE', { words: () => l10n.t('Connection reset'), retryable: true }],
  ['ENOTFOUND', { words: () => l10n.t('Host not found'), retryable: false }],
  ['EAI_AGAIN', { words: () => l10n.t('Host lookup failed'), retryable: true }],
  ['EHOSTUNREACH', { words: () => l10n.t('Host unreachable'), retryable: true }],
  ['ENETUNREACH', { words: () => l10n.t('Network unreachable'), retryable: true }],
  ['ETIMEDOUT', { words: () => l10n.t('Connection timed out'), retryable: true }],
  ['UND_ERR_CONNECT_TIMEOUT', { words: () => l10n.t('Connection timed out'), retryable: true }],
  ['UND_ERR_SOCKET', { words: () => l10n.t('Connection closed by the server'), retryable: true }],
  ['UND_ERR_CLOSED', { words: () => l10n.t('Connection closed'), retryable: true }],
  [PROXY_TUNNEL_CLOSED, { words: () => l10n.t('The proxy closed the connection'), retryable: true }],
]);

/** OpenSSL's verification failures as Node reports them, besides every `CERT_*` and `ERR_TLS_CERT_*` code. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
]);

function isCertificateCode(code: string): boolean {
  return CERTIFICATE_CODES.has(code) || /^(CERT_|ERR_TLS_CERT_)/.test(code);
}

interface Coded {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The errors along a `cause` chain (undici wraps the socket's error; a proxy error wraps the TLS one). */
function causeChain(caught: unknown): Coded[] {
  const chain: Coded[] = [];
  for (let e: unknown = caught; typeof e === 'object' && e !== null && chain.length < 5; e = (e as Coded).cause) {
    chain.push(e as Coded);
  }
  return chain;
}

/**
 * An undici or socket failure in words a user can act on, and whether a retry may help: a rejected certificate or
 * an unknown host stays so. The detail is sanitized here and redacted with the caller's key before it leaves.
 */
export function networkError(caught: unknown): NetworkError {
  const chain = causeChain(caught);
  const coded = chain.filter((e): e is Coded & { code: string } => typeof e.code === 'string');
  const detailOf = (e: Coded | undefined): string => (e && typeof e.message === 'string' ? e.message : '');
  const certificate = coded.find((e) => isCertificateCode(e.code));
  if (certificate) {
    return failure(l10n.t('TLS certificate rejected'), detailOf(certificate) || certificate.code, false);
  }
  const known = coded.find((e) => NETWORK_FAILURES.has(e.code));
  const what = known && NETWORK_FAILURES.get(known.code);
  if (known && what) {
    return failure(what.words(), detailOf(known), what.retryable);
  }
  const deepest = chain.length > 0 ? chain[chain.length - 1] : undefined;
  return failure(l10n.t('Network error'), detailOf(deepest) || (chain.length === 0 ? String(caught) : detailOf(chain[0])), true);
}

function failure(words: string, detail: string, retryable: boolean): NetworkError {
  return new NetworkError(detail ? l10n.t('{0} ({1})', words, detail) : words, { retryable });
}
