import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignatureVersion } from '../../src/core/api/signing';
import { Authenticator, actionOf, apiVersionOf, claimedCaller, signatureVersionOf, type KnownKey } from './auth';
import { GatewayError, gatewayError, missingParameter, throttled } from './errors';
import { FaultBook, type FaultCounter } from './faults';
import { CredentialIssuer, type IssuedCredential } from './issuer';
import { EcsMetadataService, credentialsUriAnswer, ECS_PATH_PREFIX, type EndpointAnswer } from './metadata';
import { API_VERSION, OPERATIONS, requestedJobIds, successValue, type Operation } from './operations';
import { flattenHeaders, toApiRequest, type ApiRequest } from './request';
import { parseScenario, type EndpointKind, type Fault, type FaultKind, type Scenario } from './scenario';
import { STS_ACTIONS, STS_VERSION, UNSIGNED_STS_ACTIONS, stsOperation, type StsAction } from './sts';

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

/** One request as the emulator saw it. Holds no secret and no security token. */
export interface RequestLogEntry {
  /** The emulator clock when the request arrived, ISO 8601. */
  readonly time: string;
  readonly method: string;
  /** Which service answered: DTS, STS, a credentials URI or the ECS metadata service. */
  readonly endpoint: EndpointKind;
  /** The URL path (`/` for the RPC APIs). */
  readonly path: string;
  /**
   * The API action; for the credential endpoints a name of the route: `CredentialsURI`, `EcsMetadataToken`
   * (PUT /latest/api/token), `EcsRoleName`, `EcsRoleCredentials` (what fault scopes match).
   */
  readonly action?: string;
  /** Absent for unsigned requests (AssumeRoleWithOIDC, credentials URI, ECS metadata). */
  readonly signatureVersion?: SignatureVersion;
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
  /** The role asked for (STS RoleArn, the role behind a credentials URI or the ECS instance). */
  readonly roleArn?: string;
  /** The temporary AccessKey ID handed out, when one was. */
  readonly issuedAccessKeyId?: string;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: give it to the client as its endpoint. */
  readonly url: string;
  readonly port: number;
  readonly scenario: Scenario;
  /** `127.0.0.1:PORT`: what `withStsEndpoint` and a profile's `sts_endpoint` take (they add https://: see test/emulator/README.md). */
  readonly host: string;
  /** Every request received (DTS, STS, credentials URI, ECS metadata; not the admin routes), oldest first. */
  readonly requests: readonly RequestLogEntry[];
  /** Every temporary key handed out, oldest first, without secrets or tokens. */
  readonly issued: readonly IssuedCredential[];
  /** How often each scenario fault struck since the scenario was set. */
  readonly faultCounters: readonly FaultCounter[];
  /**
   * Validates and replaces the scenario, resetting the fault counters and the roles' session counts (`maxSessions`);
   * nonces already seen stay used, issued keys stay valid until they expire.
   */
  setScenario(scenario: Scenario): void;
  clearRequests(): void;
  /** Stops listening and destroys every connection, hung ones included. */
  close(): Promise<void>;
}

/** Admin routes live under this prefix, out of the API's way. */
export const ADMIN_PREFIX = '/__emulator/';

const JSON_TYPE = 'application/json;charset=utf-8';

type LogContext = Omit<RequestLogEntry, 'httpStatus' | 'outcome' | 'fault' | 'issuedAccessKeyId'>;

type Answer = EndpointAnswer;

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
  private readonly issuer: CredentialIssuer;
  private readonly ecs: EcsMetadataService;
  private current: Scenario;
  private faults: FaultBook;
  private log: RequestLogEntry[] = [];
  /** Wakes the requests a `slow` fault is holding, so close() does not wait for them. */
  private readonly sleepers = new Set<() => void>();
  private closed = false;
  private address = { port: 0, url: '', host: '' };

  constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.onRequest = options.onRequest;
    this.auth = new Authenticator(this.clock);
    this.issuer = new CredentialIssuer(this.clock);
    this.ecs = new EcsMetadataService(this.clock, this.issuer);
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
    const authority = `${host.includes(':') ? `[${host}]` : host}:${bound}`;
    this.address = { port: bound, url: `http://${authority}`, host: authority };
  }

  get host(): string {
    return this.address.host;
  }

  get issued(): readonly IssuedCredential[] {
    return this.issuer.described();
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
    this.issuer.resetSessionCounts();
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
      const path = url.split('?')[0];
      if (url.startsWith(ADMIN_PREFIX)) {
        this.write(res, this.admin(req.method ?? 'GET', path, body), newRequestId());
      } else if (path === ECS_PATH_PREFIX.slice(0, -1) || path.startsWith(ECS_PATH_PREFIX)) {
        await this.serveCredentialEndpoint(req, res, 'ecs-metadata', path);
      } else if (this.current.credentialsUris?.some((u) => u.path === path)) {
        await this.serveCredentialEndpoint(req, res, 'credentials-uri', path);
      } else {
        await this.serveApi(req, res, body);
      }
    } catch (error) {
      // A bug in the emulator must show up as an answer, not as a hung test.
      const answer = jsonAnswer(500, { Code: 'EmulatorError', Message: String(error) });
      this.write(res, answer, newRequestId());
    }
  }

  /**
   * Plays a network fault (hang, reset, HTML page, delay) on any endpoint. Returns true when the request is done with
   * (hung, reset, answered, or the emulator closed while a slow answer waited).
   */
  private async playNetworkFault(req: IncomingMessage, res: ServerResponse, context: LogContext, fault: Fault | undefined): Promise<boolean> {
    switch (fault?.kind) {
      case 'hang':
        this.record(context, undefined, 'hang', fault);
        return true;
      case 'reset':
        this.record(context, undefined, 'reset', fault);
        req.socket.resetAndDestroy();
        return true;
      case 'html':
        this.write(res, proxyPage(fault.title ?? '502 Bad Gateway'), context.requestId);
        this.record(context, 502, 'html', fault);
        return true;
      case 'slow':
        await this.sleep(fault.delayMs);
        return this.closed;
      default:
        return false;
    }
  }

  /** DTS and STS: RPC requests on `/`, told apart by their Action. */
  private async serveApi(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = newRequestId();
    const hostId = req.headers.host ?? 'dts.aliyuncs.com';
    const start = { time: this.clock().toISOString(), method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], requestId };
    let context: LogContext = { ...start, endpoint: 'dts', signatureVersion: 'v2' };
    let fault: Fault | undefined;
    let endpoint: EndpointKind = 'dts';
    try {
      const api = toApiRequest(req.method ?? 'GET', req.url ?? '/', req.headers, body);
      const caller = claimedCaller(api);
      const action = actionOf(api);
      const region = api.params['RegionId'];
      endpoint = action !== undefined && STS_ACTIONS.has(action) ? 'sts' : 'dts';
      const unsigned = endpoint === 'sts' && UNSIGNED_STS_ACTIONS.has(action ?? '');
      context = {
        ...start, endpoint, action,
        ...(!unsigned && { signatureVersion: caller.signatureVersion, accessKeyId: caller.accessKeyId, nonce: caller.nonce }),
        ...(endpoint === 'dts' ? { regionId: region, jobIds: requestedJobIds(api.params) } : { roleArn: api.params['RoleArn'] }),
      };
      fault = this.faults.take('network', endpoint, action, region);
      if (await this.playNetworkFault(req, res, context, fault)) {
        return;
      }
      if (endpoint === 'sts') {
        const signer = this.admitSts(api, action as StsAction);
        const serviceFault = this.faults.take('service', endpoint, action, region);
        fault = serviceFault ?? fault;
        let issued: string | undefined;
        const sts: Operation = (ctx) => {
          const result = stsOperation(action as StsAction, { scenario: ctx.scenario, params: ctx.params, requestId, issuer: this.issuer, caller: signer });
          issued = (result['Credentials'] as { AccessKeyId: string }).AccessKeyId;
          return result;
        };
        const answer = this.respond(sts, api, requestId, serviceFault);
        this.write(res, answer, requestId);
        this.record(context, answer.status, serviceFault?.kind === 'truncated' ? 'truncated' : 'ok', fault, issued);
        return;
      }
      const operation = this.admit(api, action);
      const serviceFault = this.faults.take('service', endpoint, action, region);
      fault = serviceFault ?? fault;
      const answer = this.respond(operation, api, requestId, serviceFault);
      this.write(res, answer, requestId);
      const outcome = serviceFault?.kind === 'truncated' ? 'truncated' : serviceFault?.kind === 'dts-error' ? dtsErrCode(serviceFault) : 'ok';
      this.record(context, answer.status, outcome, fault);
    } catch (error) {
      if (!(error instanceof GatewayError)) {
        throw error;
      }
      const shown = endpoint === 'sts' ? error.asSts() : error;
      this.write(res, jsonAnswer(shown.httpStatus, shown.body(requestId, hostId), shown.headers), requestId);
      this.record(context, shown.httpStatus, shown.code, fault);
    }
  }

  /** The credentials URI and the ECS metadata service: plain HTTP endpoints, no signature. */
  private async serveCredentialEndpoint(req: IncomingMessage, res: ServerResponse, endpoint: 'credentials-uri' | 'ecs-metadata', path: string): Promise<void> {
    const requestId = newRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = flattenHeaders(req.headers);
    const route = endpoint === 'ecs-metadata' ? this.ecs.route(method, path) : { action: 'CredentialsURI' };
    const context: LogContext = { time: this.clock().toISOString(), method, endpoint, path, action: route.action, requestId };
    const fault = this.faults.take('network', endpoint, route.action, undefined);
    if (await this.playNetworkFault(req, res, context, fault)) {
      return;
    }
    const serviceFault = this.faults.take('service', endpoint, route.action, undefined);
    if (serviceFault?.kind === 'server-error') {
      const status = serviceFault.status ?? 500;
      this.write(res, { status, contentType: 'text/plain', body: status === 500 ? 'Internal Server Error' : 'Service Unavailable' }, requestId);
      this.record(context, status, 'server-error', serviceFault);
      return;
    }
    const result =
      endpoint === 'ecs-metadata'
        ? this.ecs.answer(this.current, method, path, headers)
        : credentialsUriAnswer(this.current, this.issuer, method, path);
    const answer = serviceFault?.kind === 'truncated' ? { ...result.answer, body: Buffer.from(result.answer.body).subarray(0, Math.floor(Buffer.byteLength(result.answer.body) / 2)) } : result.answer;
    this.write(res, answer, requestId);
    const logged = { ...context, ...(result.roleArn && { roleArn: result.roleArn }) };
    this.record(logged, answer.status, serviceFault?.kind === 'truncated' ? 'truncated' : result.outcome, serviceFault ?? fault, result.issuedAccessKeyId);
  }

  /** Every key the emulator accepts now: the scenario's, and the temporary ones it issued (expired ones answer Expired). */
  private knownKeys(): KnownKey[] {
    const fromScenario = this.current.accessKeys.map((k): KnownKey => (k.expiration ? { ...k, expiresAt: Date.parse(k.expiration) } : k));
    return [...fromScenario, ...this.issuer.all()];
  }

  /** STS's gateway: the version, then (AssumeRole) the caller's signature; returns the verified caller. */
  private admitSts(api: ApiRequest, action: StsAction): KnownKey | undefined {
    const version = apiVersionOf(api);
    if (!version) {
      throw missingParameter(signatureVersionOf(api) === 'v3' ? 'x-acs-version' : 'Version');
    }
    if (version !== STS_VERSION) {
      throw gatewayError('InvalidVersion');
    }
    return UNSIGNED_STS_ACTIONS.has(action) ? undefined : this.auth.verify(api, this.knownKeys());
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
    this.auth.verify(api, this.knownKeys());
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
      case `GET ${ADMIN_PREFIX}issued`:
        return jsonAnswer(200, this.issuer.described());
      default:
        return jsonAnswer(404, {
          Code: 'NotFound',
          Message: `No admin route ${route}; try PUT ${ADMIN_PREFIX}scenario, GET|DELETE ${ADMIN_PREFIX}requests, GET ${ADMIN_PREFIX}faults, GET ${ADMIN_PREFIX}issued`,
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

  private record(context: LogContext, httpStatus: number | undefined, outcome: string, fault: Fault | undefined, issuedAccessKeyId?: string): void {
    const entry: RequestLogEntry = {
      ...context, ...(httpStatus !== undefined && { httpStatus }), outcome, ...(fault && { fault: fault.kind }),
      ...(issuedAccessKeyId && { issuedAccessKeyId }),
    };
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
