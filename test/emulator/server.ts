import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignatureVersion } from '../../src/core/api/signing';
import { Authenticator, actionOf, apiVersionOf, claimedCaller, signatureVersionOf } from './auth';
import { GatewayError, gatewayError, missingParameter, throttled } from './errors';
import { FaultBook, type FaultCounter } from './faults';
import { API_VERSION, OPERATIONS, requestedJobIds, successValue, type Operation } from './operations';
import { toApiRequest, type ApiRequest } from './request';
import { parseScenario, type Fault, type FaultKind, type Scenario } from './scenario';

export interface EmulatorOptions {
  readonly scenario: Scenario;
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The emulator's "now": timestamps are checked against it, checkpoints and the Date header come from it. */
  readonly clock?: () => Date;
  /** Called with each API request once it is answered (or hung, or reset). */
  readonly onRequest?: (entry: RequestLogEntry) => void;
}

/** One API request as the emulator saw it. Holds no secret and no security token. */
export interface RequestLogEntry {
  /** The emulator clock when the request arrived, ISO 8601. */
  readonly time: string;
  readonly method: string;
  readonly action?: string;
  readonly signatureVersion: SignatureVersion;
  readonly accessKeyId?: string;
  readonly regionId?: string;
  readonly jobIds?: readonly string[];
  readonly nonce?: string;
  readonly requestId: string;
  /** Absent when no answer was sent (hang, reset). */
  readonly httpStatus?: number;
  /** `ok`, the Code or ErrCode answered (`SignatureDoesNotMatch`, `Throttling.User`, ...), or the fault (`hang`, `reset`, `html`, `truncated`). */
  readonly outcome: string;
  /** The scenario fault that struck this request, if any. */
  readonly fault?: FaultKind;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: give it to the client as its endpoint. */
  readonly url: string;
  readonly port: number;
  readonly scenario: Scenario;
  /** Every API request received, oldest first. */
  readonly requests: readonly RequestLogEntry[];
  /** How often each scenario fault struck since the scenario was set. */
  readonly faultCounters: readonly FaultCounter[];
  /** Validates and replaces the scenario, resetting the fault counters; nonces already seen stay used. */
  setScenario(scenario: Scenario): void;
  clearRequests(): void;
  /** Stops listening and destroys every connection, hung ones included. */
  close(): Promise<void>;
}

/** Admin routes live under this prefix, out of the API's way. */
export const ADMIN_PREFIX = '/__emulator/';

const JSON_TYPE = 'application/json;charset=utf-8';

type LogContext = Omit<RequestLogEntry, 'httpStatus' | 'outcome' | 'fault'>;

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

function dtsErrCode(fault: Extract<Fault, { kind: 'dts-error' }>): string {
  return fault.errCode ?? 'InternalError';
}

function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function jsonAnswer(status: number, value: unknown, headers?: Readonly<Record<string, string>>): Answer {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value), headers };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function proxyPage(title: string): Answer {
  const t = escapeHtml(title);
  const body = `<!DOCTYPE html>\n<html><head><title>${t}</title></head>\n<body><center><h1>${t}</h1></center><hr><center>nginx</center></body></html>\n`;
  return { status: 502, contentType: 'text/html', body };
}

/** A 200 with valid headers whose JSON stops halfway; content-length matches what is sent. */
function truncated(value: unknown): Answer {
  const full = Buffer.from(JSON.stringify(value));
  return { status: 200, contentType: JSON_TYPE, body: full.subarray(0, Math.floor(full.length / 2)) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

class DtsEmulator implements Emulator {
  private readonly server: Server;
  private readonly clock: () => Date;
  private readonly onRequest: ((entry: RequestLogEntry) => void) | undefined;
  private readonly auth: Authenticator;
  private current: Scenario;
  private faults: FaultBook;
  private log: RequestLogEntry[] = [];
  /** Wakes the requests a `slow` fault is holding, so close() does not wait for them. */
  private readonly sleepers = new Set<() => void>();
  private closed = false;
  private address = { port: 0, url: '' };

  constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.onRequest = options.onRequest;
    this.auth = new Authenticator(this.clock);
    this.current = parseScenario(options.scenario);
    this.faults = new FaultBook(this.current.faults ?? []);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port: bound } = this.server.address() as AddressInfo;
    this.address = { port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
  }

  get port(): number {
    return this.address.port;
  }

  get url(): string {
    return this.address.url;
  }

  get scenario(): Scenario {
    return this.current;
  }

  get requests(): readonly RequestLogEntry[] {
    return [...this.log];
  }

  get faultCounters(): readonly FaultCounter[] {
    return this.faults.counters();
  }

  setScenario(scenario: Scenario): void {
    this.current = parseScenario(scenario);
    this.faults = new FaultBook(this.current.faults ?? []);
  }

  clearRequests(): void {
    this.log = [];
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const wake of this.sleepers) {
      wake();
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const url = req.url ?? '/';
      if (url.startsWith(ADMIN_PREFIX)) {
        this.write(res, this.admin(req.method ?? 'GET', url.split('?')[0], body), newRequestId());
      } else {
        await this.serveApi(req, res, body);
      }
    } catch (error) {
      // A bug in the emulator must show up as an answer, not as a hung test.
      const answer = jsonAnswer(500, { Code: 'EmulatorError', Message: String(error) });
      this.write(res, answer, newRequestId());
    }
  }

  private async serveApi(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = newRequestId();
    const hostId = req.headers.host ?? 'dts.aliyuncs.com';
    let context: LogContext = { time: this.clock().toISOString(), method: req.method ?? 'GET', signatureVersion: 'v2', requestId };
    let fault: Fault | undefined;
    try {
      const api = toApiRequest(req.method ?? 'GET', req.url ?? '/', req.headers, body);
      const caller = claimedCaller(api);
      const action = actionOf(api);
      const region = api.params['RegionId'];
      context = {
        ...context, action, signatureVersion: caller.signatureVersion, accessKeyId: caller.accessKeyId,
        regionId: region, jobIds: requestedJobIds(api.params), nonce: caller.nonce,
      };
      fault = this.faults.take('network', action, region);
      switch (fault?.kind) {
        case 'hang':
          this.record(context, undefined, 'hang', fault);
          return;
        case 'reset':
          this.record(context, undefined, 'reset', fault);
          req.socket.resetAndDestroy();
          return;
        case 'html':
          this.write(res, proxyPage(fault.title ?? '502 Bad Gateway'), requestId);
          this.record(context, 502, 'html', fault);
          return;
        case 'slow':
          await this.sleep(fault.delayMs);
          if (this.closed) {
            return;
          }
          break;
      }
      const operation = this.admit(api, action);
      const serviceFault = this.faults.take('service', action, region);
      fault = serviceFault ?? fault;
      const answer = this.respond(operation, api, requestId, serviceFault);
      this.write(res, answer, requestId);
      const outcome = serviceFault?.kind === 'truncated' ? 'truncated' : serviceFault?.kind === 'dts-error' ? dtsErrCode(serviceFault) : 'ok';
      this.record(context, answer.status, outcome, fault);
    } catch (error) {
      if (!(error instanceof GatewayError)) {
        throw error;
      }
      this.write(res, jsonAnswer(error.httpStatus, error.body(requestId, hostId), error.headers), requestId);
      this.record(context, error.httpStatus, error.code, fault);
    }
  }

  /** The gateway's checks, in its order: the action, its version, then the signature. */
  private admit(api: ApiRequest, action: string | undefined): Operation {
    const v3 = signatureVersionOf(api) === 'v3';
    if (!action) {
      throw missingParameter(v3 ? 'x-acs-action' : 'Action');
    }
    const operation = OPERATIONS.get(action);
    if (!operation) {
      throw gatewayError('InvalidApi.NotFound');
    }
    const version = apiVersionOf(api);
    if (!version) {
      throw missingParameter(v3 ? 'x-acs-version' : 'Version');
    }
    if (version !== API_VERSION) {
      throw gatewayError('InvalidVersion');
    }
    this.auth.verify(api, this.current.accessKeys);
    return operation;
  }

  /** The operation's answer, unless a service fault stands in for it. */
  private respond(operation: Operation, api: ApiRequest, requestId: string, fault: Fault | undefined): Answer {
    switch (fault?.kind) {
      case 'throttle':
        throw throttled(fault.retryAfterMs);
      case 'server-error':
        throw gatewayError(fault.status === 500 ? 'InternalError' : 'ServiceUnavailable');
      case 'dts-error':
        return jsonAnswer(200, {
          RequestId: requestId,
          Success: successValue(this.current, false),
          ErrCode: dtsErrCode(fault),
          ErrMessage: fault.errMessage ?? 'The request processing has failed due to some unknown error.',
        });
    }
    const result = operation({ scenario: this.current, params: api.params, now: this.clock(), requestId });
    return fault?.kind === 'truncated' ? truncated(result) : jsonAnswer(200, result);
  }

  private admin(method: string, path: string, body: Buffer): Answer {
    const route = `${method} ${path}`;
    switch (route) {
      case `PUT ${ADMIN_PREFIX}scenario`:
        try {
          this.setScenario(parseScenario(JSON.parse(body.toString('utf8')), route));
          return { status: 204, contentType: JSON_TYPE, body: '' };
        } catch (error) {
          return jsonAnswer(400, { Code: 'InvalidScenario', Message: (error as Error).message });
        }
      case `GET ${ADMIN_PREFIX}requests`:
        return jsonAnswer(200, this.log);
      case `DELETE ${ADMIN_PREFIX}requests`:
        this.clearRequests();
        return { status: 204, contentType: JSON_TYPE, body: '' };
      case `GET ${ADMIN_PREFIX}faults`:
        return jsonAnswer(200, this.faults.counters());
      default:
        return jsonAnswer(404, {
          Code: 'NotFound',
          Message: `No admin route ${route}; try PUT ${ADMIN_PREFIX}scenario, GET|DELETE ${ADMIN_PREFIX}requests, GET ${ADMIN_PREFIX}faults`,
        });
    }
  }

  private write(res: ServerResponse, answer: Answer, requestId: string): void {
    if (res.headersSent || res.destroyed) {
      return;
    }
    res.writeHead(answer.status, {
      'content-type': answer.contentType,
      'content-length': String(Buffer.byteLength(answer.body)),
      date: this.clock().toUTCString(),
      'x-acs-request-id': requestId,
      ...answer.headers,
    });
    res.end(answer.body);
  }

  private record(context: LogContext, httpStatus: number | undefined, outcome: string, fault: Fault | undefined): void {
    const entry: RequestLogEntry = { ...context, ...(httpStatus !== undefined && { httpStatus }), outcome, ...(fault && { fault: fault.kind }) };
    this.log.push(entry);
    this.onRequest?.(entry);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Starts a local DTS endpoint playing `scenario`. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const emulator = new DtsEmulator(options);
  await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emulator;
}
