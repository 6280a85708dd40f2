import { randomUUID } from 'node:crypto';
import type * as Undici from 'undici';
import type { buildConnector, Dispatcher } from 'undici';
import * as l10n from '@vscode/l10n';
import { safeText } from '../safeText';
import { resolveEndpoint } from './endpoints';
import { Exchange, utf8Body, type Answer, type ExchangeOptions } from './exchange';
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
import { canonicalQueryString, signV2, signV3, type Credentials, type SignatureVersion } from './signing';

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
/** Regions whose endpoint a client keeps resolved; past this the cache starts over (regions come from settings). */
const MAX_CACHED_TARGETS = 64;

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

/** A DTS answer as read: the status, the headers (names lowercased) and the body as text. */
export type RawResponse = Answer<string>;

interface SignedRequest {
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly signature: string;
}

/** A request's parameters and, built the first time V3 signs them, their canonical query string. */
class Query {
  private canonical: string | undefined;

  constructor(readonly params: Readonly<Record<string, string>>) {}

  get canonicalQuery(): string {
    this.canonical ??= canonicalQueryString(this.params);
    return this.canonical;
  }
}

/** The last status query of one region, kept while the same IDs are asked (every refresh asks the same). */
interface StatusQuery {
  /** A copy: the caller's array may change after the call. */
  readonly ids: readonly string[];
  readonly query: Query;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

/** Where one region's requests go, resolved once per client: neither the override nor the policy changes. */
interface Target {
  /** `https://host[:port]`, as undici's dispatchers key their connection pools. */
  readonly origin: string;
  /** `host[:port]`, as V3 signs it. */
  readonly host: string;
  /** The (AccessKey ID, region) budget of the rate limiter. */
  readonly limitKey: string;
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
  /** How an attempt reads its answer: as text, at most maxResponseBytes. */
  private readonly exchangeOptions: ExchangeOptions<string>;
  private readonly clock: () => Date;
  private readonly nonce: () => string;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly rateLimiter: RateLimiter;
  private readonly targets = new Map<string, Target>();
  private readonly statusQueries = new Map<string, StatusQuery>();
  private readonly userAgent: string;
  /** The headers of a V2 request, which are the same for every one. */
  private readonly v2Headers: Record<string, string>;

  constructor(private readonly options: ClientOptions) {
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? defaultDispatcher(options.proxy);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.exchangeOptions = {
      maxBytes,
      read: utf8Body,
      tooLarge: (httpStatus, declared) =>
        new BadResponseError(
          declared === undefined
            ? l10n.t('the body exceeds the {0}-byte limit', maxBytes)
            : l10n.t('the body is {0} bytes, over the {1}-byte limit', declared, maxBytes),
          { httpStatus },
        ),
    };
    this.clock = options.clock ?? (() => new Date());
    this.nonce = options.nonce ?? randomUUID;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
    this.rateLimiter = options.rateLimiter ?? sharedRateLimiter;
    this.userAgent = options.userAgent ?? 'dts-sync-status';
    this.v2Headers = { accept: 'application/json', 'user-agent': this.userAgent };
  }

  batchKey(region: string): string {
    return `${this.target(region).origin}|${region}|${this.options.credentials.accessKeyId}`;
  }

  /** The endpoint of a region (parsed and checked once), or the BadInputError it is refused with (every time). */
  private target(region: string): Target {
    let target = this.targets.get(region);
    if (!target) {
      const url = resolveEndpoint(region, this.options.endpoint, { allowInsecureHttp: this.options.allowInsecureHttp });
      target = { origin: url.origin, host: url.host, limitKey: rateLimitKey(this.options.credentials.accessKeyId, region) };
      if (this.targets.size >= MAX_CACHED_TARGETS) {
        this.targets.clear();
      }
      this.targets.set(region, target);
    }
    return target;
  }

  async describeSynchronizationJobStatusList(
    ids: readonly string[],
    region: string,
    signal?: AbortSignal,
    deadline?: Deadline,
  ): Promise<StatusListResult> {
    return this.run(STATUS_LIST_ACTION, this.statusQuery(ids, region), region, ids.length, signal, this.interpretStatusList, deadline);
  }

  private readonly interpretStatusList = (r: RawResponse): StatusListResult =>
    interpretStatusListResponse(r.status, r.headers, r.body, this.options.credentials);

  /** The status query of `ids` in `region`: its JSON and canonical form are built again only when the IDs change. */
  private statusQuery(ids: readonly string[], region: string): Query {
    const last = this.statusQueries.get(region);
    if (last && sameIds(last.ids, ids)) {
      return last.query;
    }
    const query = new Query({ SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: region });
    if (this.statusQueries.size >= MAX_CACHED_TARGETS) {
      this.statusQueries.clear();
    }
    this.statusQueries.set(region, { ids: [...ids], query });
    return query;
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
    return this.run(JOB_STATUS_ACTION, new Query(params), region, 1, signal, (r) => interpretJobDetailsResponse(r.status, r.headers, r.body, this.options.credentials), deadline);
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
    return this.run(action, new Query(params), region, batchSize, signal, interpret, deadline);
  }

  /** `call` with the query built: the attempts, their log lines and the retry policy, one redaction at the end. */
  private async run<T>(
    action: string,
    query: Query,
    region: string,
    batchSize: number,
    signal: AbortSignal | undefined,
    interpret: (response: RawResponse) => T,
    deadline: Deadline | undefined,
  ): Promise<T> {
    try {
      const target = this.target(region);
      let last: DtsError | undefined;
      for (let attempt = 1; ; attempt++) {
        // A free slot is taken at once; a wait (and the caller's abort before it) goes through the limiter's queue.
        const releaseSlot = (signal?.aborted ? undefined : this.rateLimiter.tryAcquire(target.limitKey)) ?? (await this.waitForSlot(target.limitKey, signal, deadline, last));
        const started = performance.now();
        let error: DtsError;
        try {
          let signed: SignedRequest;
          let raw: RawResponse;
          try {
            signed = this.sign(target.host, action, query);
            raw = await this.send(target, signed, signal);
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
    } catch (caught) {
      // The error the loop gave up with, or one it did not expect: redacted with this client's credentials.
      throw caught instanceof DtsError ? caught.redact(this.options.credentials) : caught;
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
    const onAttempt = this.options.onAttempt;
    if (!onAttempt) {
      return;
    }
    onAttempt({
      action: e.action,
      region: e.region,
      batchSize: e.batchSize,
      attempt: e.attempt,
      durationMs: Math.round(performance.now() - e.started),
      requestId: e.requestId === undefined ? undefined : safeText(e.requestId, this.options.credentials),
      outcome: e.outcome,
      retryInMs: e.retryInMs,
      retryReason: e.retryReason,
    });
  }

  /** One freshly signed POST; a nonce is never reused. The query is built once: the signed canonical form is sent. */
  private sign(host: string, action: string, query: Query): SignedRequest {
    const credentials = this.options.credentials;
    const date = this.clock();
    const nonce = this.nonce();
    if (this.options.signatureVersion === 'v2') {
      const signed = signV2({ method: 'POST', action, version: API_VERSION, params: query.params, credentials, date, nonce });
      return { query: signed.query, headers: this.v2Headers, signature: signed.signature };
    }
    const signed = signV3({ method: 'POST', host, action, version: API_VERSION, query: query.params, canonicalQuery: query.canonicalQuery, credentials, date, nonce });
    // Not signed (V3 signs host, content-type and x-acs-*): added to the object signV3 made for this request only.
    signed.headers['accept'] = 'application/json';
    signed.headers['user-agent'] = this.userAgent;
    return { query: signed.canonicalQuery, headers: signed.headers, signature: signed.signature };
  }

  /**
   * One attempt. It ends at its timeout or the caller's abort even when the dispatcher ignores the abort (undici does
   * for a request queued behind a connection that never opens): the attempt's promise settles on its own, and a
   * dispatcher that keeps such a request is replaced. The body is collected by the handler, capped as it arrives.
   */
  private send(target: Target, signed: SignedRequest, signal: AbortSignal | undefined): Promise<RawResponse> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    const exchange = new Exchange(this.exchangeOptions);
    const timeoutMs = this.timeoutMs;
    const timer = setTimeout(() => exchange.abort(new TimeoutError(timeoutMs / 1000)), clampDelay(timeoutMs));
    // By hand: AbortSignal.any would keep every attempt reachable for as long as a long-lived caller signal lives.
    const onCallerAbort = signal ? (): void => exchange.abort(signal.reason) : undefined;
    if (signal && onCallerAbort) {
      signal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const dispatcher = this.dispatcher;
    const cleanUp = (): void => {
      clearTimeout(timer);
      if (signal && onCallerAbort) {
        signal.removeEventListener('abort', onCallerAbort);
      }
      if (!exchange.ended) {
        this.watchForWedge(exchange, dispatcher);
      }
    };
    try {
      dispatcher.dispatch({ origin: target.origin, path: `/?${signed.query}`, method: 'POST', headers: signed.headers }, exchange);
    } catch (caught) {
      exchange.onError(caught as Error);
    }
    return exchange.promise.then(
      (response) => {
        cleanUp();
        return response;
      },
      (caught: unknown) => {
        cleanUp();
        if (signal?.aborted) {
          throw signal.reason;
        }
        throw caught instanceof DtsError || exchange.abortedBy === caught ? caught : networkError(caught);
      },
    );
  }

  /** An aborted request the dispatcher still holds after a grace period: later attempts get a fresh dispatcher. */
  private watchForWedge(exchange: Exchange<string>, dispatcher: Dispatcher): void {
    if (!this.ownsDispatcher) {
      return;
    }
    const timer = setTimeout(() => this.retire(dispatcher), WEDGED_AFTER_MS);
    timer.unref();
    exchange.onEnd(() => clearTimeout(timer));
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
  // Encoding leaves letters and digits alone, so every spelling holds the signature's longest run of them: a text
  // without that run holds no spelling (a V3 signature, hex, is one run).
  const run = longestAlphanumericRun(signature);
  if (run.length >= 8 && !response.body.includes(run) && !headerHolds(response.headers, run)) {
    return response;
  }
  const once = encodeURIComponent(signature);
  const spellings = [signature, once, encodeURIComponent(once)].flatMap((v) => [v, v.replace(/\//g, '\\/')]);
  const needles = [...new Set(spellings)].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
  const holds = (text: string | undefined): boolean => text !== undefined && needles.some((needle) => text.includes(needle));
  if (!holds(response.body) && !Object.values(response.headers).some(holds)) {
    // The usual case: nothing echoed, nothing to copy.
    return response;
  }
  const scrub = (text: string): string => needles.reduce((out, needle) => out.split(needle).join('[redacted]'), text);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    headers[name] = value === undefined ? undefined : scrub(value);
  }
  return { status: response.status, headers, body: scrub(response.body) };
}

function longestAlphanumericRun(text: string): string {
  let bestStart = 0;
  let bestLength = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const alphanumeric = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alphanumeric) {
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
      start = i + 1;
    }
  }
  return text.slice(bestStart, bestStart + bestLength);
}

function headerHolds(headers: Readonly<Record<string, string | undefined>>, needle: string): boolean {
  return Object.values(headers).some((value) => value?.includes(needle));
}

function deadlineError(deadline: Deadline, last: DtsError | undefined): TimeoutError {
  return new TimeoutError(deadline.totalMs / 1000, { deadline: true, last });
}

let undiciModule: typeof Undici | undefined;

/**
 * undici, loaded when the first connection pool is made rather than when the extension or the CLI starts: with the
 * Node modules it needs (http, net, stream) it is most of the bundle's load time, and `--help` sends nothing.
 */
export function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy; the bundler still includes it
  undiciModule ??= require('undici') as typeof Undici;
  return undiciModule;
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
  const options = opts as Undici.Pool.Options;
  const connect = options.connect;
  return new (undici().Pool)(origin, typeof connect === 'function' ? { ...options, connect: boundedReconnects(connect) } : options);
}

/** Keep-alive connections, through the given proxy, else through the one the environment names, else direct. */
export function defaultDispatcher(proxy: string | undefined, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const { Agent, EnvHttpProxyAgent, ProxyAgent } = undici();
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
