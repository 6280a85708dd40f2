import type { Dispatcher } from 'undici';
import { defaultDispatcher, undici } from '../api/client';
import { byteBody, Exchange, type Answer } from '../api/exchange';

/**
 * The HTTP transport every credential provider of `@alicloud/credentials` uses instead of its own (httpx: no proxy,
 * an idle timeout that is not a deadline, no size cap, and errors that quote the signed URL). Ours goes through the
 * same proxy as the DTS requests, is aborted at a deadline, reads at most 64 KiB, and its errors name only the host.
 */

/** The library's request object, as its `doRequest` receives it (providers/http.ts `Request`). */
export interface LibraryRequest {
  readonly method: string;
  readonly protocol?: string;
  readonly host?: string;
  readonly path?: string;
  readonly queries?: Readonly<Record<string, string>>;
  readonly headers?: Record<string, string>;
  readonly bodyForm?: Readonly<Record<string, string>>;
  readonly bodyBytes?: Buffer;
  readonly url?: string;
}

/** The library's response object, as its providers read it. */
export interface LibraryResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export type LibraryDoRequest = (request: LibraryRequest) => Promise<LibraryResponse>;

/** The ECS instance metadata service: never through a proxy, as the aliyun CLI does. */
export const ECS_METADATA_HOST = '100.100.100.200';
/** Far above any credential answer; a hostile endpoint cannot make us buffer more. */
export const MAX_CREDENTIAL_RESPONSE_BYTES = 64 * 1024;

export type TransportProblem = 'timeout' | 'network' | 'too-large' | 'insecure';

/** A credential request that got no usable answer. Its message names the host only: never the URL or its query. */
export class CredentialRequestError extends Error {
  constructor(
    readonly problem: TransportProblem,
    readonly host: string,
    /** The errno or undici code when the network failed. */
    readonly code?: string,
  ) {
    super(`${problem} (${host}${code ? `, ${code}` : ''})`);
    this.name = 'CredentialRequestError';
  }
}

/** What the last response said, kept so the library's verbatim errors can be replaced by ours. */
export interface LastAnswer {
  readonly host: string;
  readonly status: number;
  readonly code?: string;
  readonly requestId?: string;
}

export interface TransportOptions {
  /** The proxy of the DTS requests (VS Code's `http.proxy`); without one HTTPS_PROXY / HTTP_PROXY / NO_PROXY of `env` apply. */
  readonly proxy?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Where requests to 100.100.100.200 go instead (a loopback URL, for tests). */
  readonly ecsMetadataEndpoint?: string;
  /** Where requests to the OAuth service go instead (a loopback URL, for tests). */
  readonly oauthEndpoint?: string;
  /** Plain http to any host: only for a credentials URI the user gave, as the aliyun CLI allows. */
  readonly allowHttp?: boolean;
}

export interface CredentialTransport {
  readonly doRequest: LibraryDoRequest;
  /** The last answer with an HTTP status, cleared by `begin()`. */
  readonly lastAnswer: LastAnswer | undefined;
  /** Starts one renewal: forgets the last answer. */
  begin(): void;
  close(): Promise<void>;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

function percentEncode(value: string): string {
  return encodeURIComponent(value);
}

function formOf(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${percentEncode(v)}`)
    .join('&');
}

/**
 * The URL a library request means. A host written as a URL (`sts_endpoint: "http://127.0.0.1:8080"`) keeps its
 * scheme, for local test endpoints; plain http is refused unless the host is this machine or the metadata service.
 */
export function requestUrl(req: LibraryRequest, options: Pick<TransportOptions, 'ecsMetadataEndpoint' | 'oauthEndpoint' | 'allowHttp'> = {}): URL {
  let url: URL;
  if (req.url) {
    url = new URL(req.url);
  } else {
    const host = req.host ?? '';
    const base = /^https?:\/\//i.test(host) ? new URL(host) : new URL(`${req.protocol ?? 'https'}://${host}`);
    url = new URL(req.path ?? '/', base);
    for (const [k, v] of Object.entries(req.queries ?? {})) {
      url.searchParams.append(k, v);
    }
  }
  if (url.hostname === ECS_METADATA_HOST && options.ecsMetadataEndpoint) {
    url = rebase(url, options.ecsMetadataEndpoint);
  } else if (options.oauthEndpoint && /^oauth\.(aliyun|alibabacloud)\.com$/i.test(url.hostname)) {
    url = rebase(url, options.oauthEndpoint);
  }
  const plainOk = options.allowHttp === true || isLoopbackHost(url.hostname) || url.hostname === ECS_METADATA_HOST;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainOk)) {
    throw new CredentialRequestError('insecure', url.host);
  }
  return url;
}

function rebase(url: URL, origin: string): URL {
  const target = new URL(origin);
  return new URL(`${url.pathname}${url.search}`, target);
}

/** A test endpoint from the environment: only a loopback URL, so a variable cannot send credentials elsewhere. */
export function loopbackOverride(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(e: unknown): string | undefined {
  for (let cause: unknown = e, depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `Code` and `RequestId` of an Alibaba Cloud error body, when it is JSON; nothing else of the body is kept. */
function answerOf(host: string, status: number, body: Buffer): LastAnswer {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { Code?: unknown; RequestId?: unknown; error?: unknown };
    const code = typeof parsed.Code === 'string' ? parsed.Code : typeof parsed.error === 'string' ? parsed.error : undefined;
    const requestId = typeof parsed.RequestId === 'string' ? parsed.RequestId : undefined;
    return { host, status, code, requestId };
  } catch {
    return { host, status };
  }
}

export function createCredentialTransport(options: TransportOptions): CredentialTransport {
  let proxied: Dispatcher | undefined;
  let direct: Dispatcher | undefined;
  let lastAnswer: LastAnswer | undefined;
  const dispatcherFor = (url: URL): Dispatcher => {
    // The metadata service and this machine are never reached through a proxy.
    if (url.hostname === ECS_METADATA_HOST || isLoopbackHost(url.hostname)) {
      return (direct ??= new (undici().Agent)({ keepAliveTimeout: 1000, connections: 2 }));
    }
    return (proxied ??= defaultDispatcher(options.proxy, options.env));
  };

  const doRequest: LibraryDoRequest = async (req) => {
    const url = requestUrl(req, options);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    let body: string | Buffer | undefined;
    if (req.bodyForm && Object.keys(req.bodyForm).length > 0) {
      body = formOf(req.bodyForm);
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    } else if (req.bodyBytes) {
      body = req.bodyBytes;
    }
    const exchange = new Exchange({ maxBytes: MAX_CREDENTIAL_RESPONSE_BYTES, read: byteBody, tooLarge: () => new CredentialRequestError('too-large', url.host) });
    // The answer is awaited at most timeoutMs, even when the dispatcher keeps a request it was told to abort.
    const timer = setTimeout(() => exchange.abort(new CredentialRequestError('timeout', url.host)), options.timeoutMs);
    let response: Answer<Buffer>;
    try {
      const method = req.method.toUpperCase() as Dispatcher.HttpMethod;
      const dispatch = { origin: url.origin, path: `${url.pathname}${url.search}`, method, headers, body, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs };
      try {
        dispatcherFor(url).dispatch(dispatch, exchange);
      } catch (caught) {
        exchange.onError(caught as Error);
      }
      response = await exchange.promise;
    } catch (e) {
      throw e instanceof CredentialRequestError ? e : new CredentialRequestError('network', url.host, errorCode(e));
    } finally {
      clearTimeout(timer);
    }
    const bodyBytes = response.body;
    const responseHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) {
      if (v !== undefined) {
        responseHeaders[k] = v;
      }
    }
    lastAnswer = answerOf(url.host, response.status, bodyBytes);
    return { statusCode: response.status, headers: responseHeaders, body: bodyBytes };
  };

  return {
    doRequest,
    get lastAnswer() {
      return lastAnswer;
    },
    begin() {
      lastAnswer = undefined;
    },
    async close() {
      await Promise.all([proxied?.close(), direct?.close()]);
    },
  };
}
