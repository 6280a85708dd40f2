import { randomUUID } from 'node:crypto';
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { resolveEndpoint } from './endpoints';
import { BadResponseError, DtsError, NetworkError, ThrottledError, TimeoutError } from './errors';
import { interpretStatusListResponse, type StatusListResult } from './response';
import { signV2, signV3, canonicalQueryString, type Credentials, type SignatureVersion } from './signing';

export const API_VERSION = '2020-01-01';
export const STATUS_LIST_ACTION = 'DescribeSynchronizationJobStatusList';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
/** A status answer for a batch of IDs is a few KiB; anything past this is not DTS talking. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** A throttling hint longer than this is left to the caller's own schedule instead of waited out here. */
const MAX_RETRY_AFTER_MS = 20_000;

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
  readonly signatureVersion?: SignatureVersion;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxResponseBytes?: number;
  readonly userAgent?: string;
  /** An HTTP(S) proxy URL (VS Code's `http.proxy`); without one, HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply. */
  readonly proxy?: string;
  /** Injected for tests; a keep-alive Agent (through the proxy, if any) otherwise. */
  readonly dispatcher?: Dispatcher;
  readonly clock?: () => Date;
  readonly nonce?: () => string;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onAttempt?: (event: AttemptEvent) => void;
}

export interface StatusListSource {
  /** Requests for the same key may share one batch: same endpoint, region and credentials. */
  batchKey(region: string): string;
  describeSynchronizationJobStatusList(ids: readonly string[], region: string, signal?: AbortSignal): Promise<StatusListResult>;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

/** A signed DTS client over undici: keep-alive, per-attempt timeout, bounded retries, capped responses. */
export class DtsClient implements StatusListSource {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxResponseBytes: number;
  private readonly clock: () => Date;
  private readonly nonce: () => string;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

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
  }

  batchKey(region: string): string {
    return `${resolveEndpoint(region, this.options.endpoint).origin}|${region}|${this.options.credentials.accessKeyId}`;
  }

  async describeSynchronizationJobStatusList(
    ids: readonly string[],
    region: string,
    signal?: AbortSignal,
  ): Promise<StatusListResult> {
    const params = { SynchronizationJobIdListJsonStr: JSON.stringify(ids), RegionId: region };
    return this.call(STATUS_LIST_ACTION, params, region, ids.length, signal, (r) =>
      interpretStatusListResponse(r.status, r.headers, r.body),
    );
  }

  /** Sends one action with retries; `interpret` turns an HTTP exchange into a result or a DtsError. */
  async call<T>(
    action: string,
    params: Readonly<Record<string, string>>,
    region: string,
    batchSize: number,
    signal: AbortSignal | undefined,
    interpret: (response: RawResponse) => T,
  ): Promise<T> {
    const endpoint = resolveEndpoint(region, this.options.endpoint);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let error: DtsError;
      try {
        const response = await this.send(endpoint, action, params, signal);
        const result = interpret(response);
        this.report({ action, region, batchSize, attempt, started, requestId: requestIdOf(result), outcome: 'ok' });
        return result;
      } catch (caught) {
        if (signal?.aborted) {
          throw caught;
        }
        error = caught instanceof DtsError ? caught : new NetworkError(`Request failed: ${String(caught)}`);
      }
      const delay = this.retryDelay(error, attempt);
      this.report({
        action, region, batchSize, attempt, started, requestId: error.requestId, outcome: error.code,
        retryInMs: delay, retryReason: delay === undefined ? undefined : error.message,
      });
      if (delay === undefined) {
        throw error;
      }
      await this.sleep(delay, signal);
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error is final. */
  private retryDelay(error: DtsError, attempt: number): number | undefined {
    if (!error.retryable || attempt >= this.maxAttempts) {
      return undefined;
    }
    const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    const jittered = Math.round(backoff * (0.5 + this.random() / 2));
    if (error instanceof ThrottledError && error.retryAfterMs !== undefined) {
      return error.retryAfterMs > MAX_RETRY_AFTER_MS ? undefined : Math.max(error.retryAfterMs, jittered);
    }
    return jittered;
  }

  private report(e: Omit<AttemptEvent, 'durationMs'> & { started: number }): void {
    const { started, ...rest } = e;
    this.options.onAttempt?.({ ...rest, durationMs: Math.round(performance.now() - started) });
  }

  private sign(method: string, host: string, action: string, params: Readonly<Record<string, string>>): {
    query: string;
    headers: Record<string, string>;
  } {
    const common = { method, action, version: API_VERSION, credentials: this.options.credentials, date: this.clock(), nonce: this.nonce() };
    if (this.options.signatureVersion === 'v2') {
      const signed = signV2({ ...common, params });
      return { query: canonicalQueryString(signed.params), headers: {} };
    }
    const signed = signV3({ ...common, host, query: params });
    return { query: canonicalQueryString(params), headers: signed.headers };
  }

  /** One freshly signed attempt; a nonce is never reused. */
  private async send(
    endpoint: URL,
    action: string,
    params: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    const method = 'POST';
    const { query, headers } = this.sign(method, endpoint.host, action, params);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new TimeoutError(this.timeoutMs / 1000)), this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    try {
      const res = await request(`${endpoint.origin}/?${query}`, {
        method,
        headers: { ...headers, accept: 'application/json', 'user-agent': this.options.userAgent ?? 'dts-sync-status' },
        dispatcher: this.dispatcher,
        signal: combined,
      });
      const body = await this.readBody(res);
      const responseHeaders: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: res.statusCode, headers: responseHeaders, body };
    } catch (caught) {
      if (timeout.signal.aborted && !signal?.aborted) {
        throw timeout.signal.reason;
      }
      throw caught instanceof DtsError || signal?.aborted ? caught : networkError(caught);
    } finally {
      clearTimeout(timer);
    }
  }

  private async readBody(res: Dispatcher.ResponseData): Promise<string> {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      res.body.destroy();
      throw new BadResponseError(`the body is ${declared} bytes, over the ${this.maxResponseBytes}-byte limit`, { httpStatus: res.statusCode });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.maxResponseBytes) {
        res.body.destroy();
        throw new BadResponseError(`the body exceeds the ${this.maxResponseBytes}-byte limit`, { httpStatus: res.statusCode });
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) {
      await this.dispatcher.close();
    }
  }
}

/** Keep-alive connections, through the given proxy, else through the one the environment names, else direct. */
export function defaultDispatcher(proxy: string | undefined, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const options = { keepAliveTimeout: 30_000, connections: 4 };
  if (proxy) {
    return new ProxyAgent({ uri: proxy, ...options });
  }
  const httpsProxy = env['HTTPS_PROXY'] || env['https_proxy'];
  const httpProxy = env['HTTP_PROXY'] || env['http_proxy'];
  if (httpsProxy || httpProxy) {
    // Loopback never goes through a proxy: a local emulator or gateway must stay reachable.
    const noProxy = [env['NO_PROXY'] || env['no_proxy'], 'localhost,127.0.0.1,::1'].filter(Boolean).join(',');
    return new EnvHttpProxyAgent({ ...options, httpProxy, httpsProxy, noProxy });
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

function networkError(caught: unknown): NetworkError {
  const err = caught as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code;
  const detail = err.cause?.message ?? err.message ?? String(caught);
  const what: Record<string, string> = {
    ECONNREFUSED: 'Connection refused',
    ECONNRESET: 'Connection reset',
    ENOTFOUND: 'Host not found',
    EAI_AGAIN: 'Host lookup failed',
    UND_ERR_SOCKET: 'Connection closed by the server',
    UND_ERR_CLOSED: 'Connection closed',
    ETIMEDOUT: 'Connection timed out',
  };
  return new NetworkError(`${(code && what[code]) || 'Network error'}${detail ? ` (${detail})` : ''}`);
}
