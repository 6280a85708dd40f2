import type { Dispatcher } from 'undici';

/** An HTTP answer: the status, the headers (names lowercased, a repeated one joined with `, `) and the body. */
export interface Answer<B> {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: B;
}

export interface ExchangeOptions<B> {
  /** The largest body read; a larger one (declared or arriving) aborts the exchange with `tooLarge`'s error. */
  readonly maxBytes: number;
  /** The error for a body over `maxBytes`: `declared` is its Content-Length when that is what gave it away. */
  readonly tooLarge: (status: number, declared: number | undefined) => Error;
  /** The body from its chunks (`size` bytes in all). */
  readonly read: (chunks: readonly Buffer[], size: number) => B;
}

/** A body as UTF-8 text (the DTS API's answers). */
export function utf8Body(chunks: readonly Buffer[], size: number): string {
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}

/** A body as bytes of its own (the credential providers' answers, which outlive the exchange). */
export function byteBody(chunks: readonly Buffer[], size: number): Buffer {
  return Buffer.concat(chunks, size);
}

/**
 * One HTTP exchange as undici's dispatcher sees it, through the handler interface undici's own `request()` implements:
 * the status, the headers and the body, collected up to `maxBytes` and refused past it (no stream, no copy). `abort`
 * settles the promise at once, whether or not the dispatcher ever lets go of the request; `ended` tells whether it
 * has. The DTS client (client.ts) and the credential transport (credentials/transport.ts) both send through it.
 */
export class Exchange<B> implements Dispatcher.DispatchHandler {
  readonly promise: Promise<Answer<B>>;
  /** True once undici is done with the request (answered, failed or aborted); until then it may hold a connection. */
  ended = false;
  /** The reason `abort` was given (a timeout, the caller's abort, the size cap), thrown as it is. */
  abortedBy: unknown;
  private settled = false;
  private aborted = false;
  private resolve!: (response: Answer<B>) => void;
  private reject!: (reason: unknown) => void;
  private abortRequest: ((reason: Error) => void) | undefined;
  private endListener: (() => void) | undefined;
  private status = 0;
  private headers: Record<string, string | undefined> = {};
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly options: ExchangeOptions<B>) {
    this.promise = new Promise<Answer<B>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  abort(reason: unknown): void {
    if (this.settled) {
      return;
    }
    this.aborted = true;
    this.abortedBy = reason;
    this.settle(undefined, reason);
    // A request not yet given a connection is aborted when it gets one (onConnect).
    this.abortRequest?.(reason as Error);
  }

  /** Runs `listener` once undici is done with the request (at once if it already is). */
  onEnd(listener: () => void): void {
    if (this.ended) {
      listener();
    } else {
      this.endListener = listener;
    }
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.aborted) {
      abort(this.abortedBy as Error);
      return;
    }
    this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200 || this.settled) {
      // 1xx: informational, the real answer follows.
      return true;
    }
    this.status = statusCode;
    const headers: Record<string, string | undefined> = {};
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = headerName(rawHeaders[i].toString('latin1'));
      if (name === '__proto__') {
        continue;
      }
      const value = rawHeaders[i + 1].toString('latin1');
      const before = Object.hasOwn(headers, name) ? headers[name] : undefined;
      headers[name] = before === undefined ? value : `${before}, ${value}`;
    }
    this.headers = headers;
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxBytes) {
      this.abort(this.options.tooLarge(statusCode, declared));
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) {
      return true;
    }
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) {
      this.abort(this.options.tooLarge(this.status, undefined));
      return true;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.end();
    const body = this.options.read(this.chunks, this.size);
    this.chunks = [];
    this.settle({ status: this.status, headers: this.headers, body });
  }

  onError(error: Error): void {
    this.end();
    this.settle(undefined, error);
  }

  private end(): void {
    this.ended = true;
    this.abortRequest = undefined;
    this.endListener?.();
    this.endListener = undefined;
  }

  private settle(response: Answer<B> | undefined, error?: unknown): void {
    if (this.settled) {
      return;
    }
    this.settled = true;
    if (response) {
      this.resolve(response);
    } else {
      this.reject(error);
    }
  }
}

/** Header names as sent → lowercased, so the names of every answer are the same strings (keys found at once). */
const HEADER_NAMES = new Map<string, string>();
/** A server sends a dozen names; one sending a new name each time only starts the map over. */
const MAX_HEADER_NAMES = 256;

function headerName(sent: string): string {
  let name = HEADER_NAMES.get(sent);
  if (name === undefined) {
    name = sent.toLowerCase();
    if (HEADER_NAMES.size >= MAX_HEADER_NAMES) {
      HEADER_NAMES.clear();
    }
    HEADER_NAMES.set(sent, name);
  }
  return name;
}
