/**
 * A hostile DTS endpoint: one mode per misbehaviour of issue 7 ("Hostile answers and hostile input"). Each test
 * starts its own server with `startHostile(mode)` (node:http, 127.0.0.1, port 0), points the CLI or the core at
 * `url`, then reads what was sent (`requests`) and closes it.
 *
 * Signatures are not checked: the point is what the client does with what comes back. Every request's key material
 * (AccessKey ID, STS token, signature, Authorization header) is recorded so the tests can prove none of it is echoed
 * into any output.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type HostileMode =
  | 'echo-string-to-sign'
  | 'echo-request'
  | 'prototype-keys'
  | 'impossible-checkpoints'
  | 'control-chars-answer'
  | 'control-chars-error'
  | 'control-chars-html'
  | 'duplicates'
  | 'retry-after-signature'
  | 'throttle-429-text'
  | 'throttle-dts-code'
  | 'error-lowercase'
  | 'error-xml'
  | 'forbidden-detail'
  | 'gzip-unasked'
  | 'success-no-list'
  | 'total-above-answered'
  | 'hang'
  | 'trickle'
  | 'throttle-forever'
  | 'big-body'
  | 'redirect-other-host';

export const HOSTILE_MODES: readonly HostileMode[] = [
  'echo-string-to-sign', 'echo-request', 'prototype-keys', 'impossible-checkpoints', 'control-chars-answer',
  'control-chars-error', 'control-chars-html', 'duplicates', 'retry-after-signature', 'throttle-429-text',
  'throttle-dts-code', 'error-lowercase', 'error-xml', 'forbidden-detail', 'gzip-unasked', 'success-no-list',
  'total-above-answered', 'hang', 'trickle', 'throttle-forever', 'big-body', 'redirect-other-host',
];

/** Modes that never finish an answer: runs against them need short timeouts and the overall deadline. */
export const NEVER_ANSWERS: ReadonlySet<HostileMode> = new Set<HostileMode>(['hang', 'trickle', 'throttle-forever']);

/** The job IDs the tests ask for, per mode (valid DTS IDs; what the server answers for them is the hostile part). */
export const JOBS = {
  single: 'dtshostile0single1',
  proto: {
    constructorStatus: 'dtsproto0ctorstat1',
    protoStatus: 'dtsproto0protostat',
    constructorDirection: 'dtsproto0ctordir01',
    protoDirection: 'dtsproto0protodir1',
    ownPropertyDirection: 'dtsproto0hasown001',
  },
  checkpoint: {
    digits16: 'dtscheckpoint16dig',
    digits20: 'dtscheckpoint20dig',
    digits30: 'dtscheckpoint30dig',
    negative: 'dtscheckpoint0neg1',
    exponent: 'dtscheckpoint01e30',
    millis: 'dtscheckpoint13dms',
    future: 'dtscheckpoint0futr',
    normal: 'dtscheckpoint0norm',
  },
  control: 'dtscontrol0chars01',
  duplicate: {
    answeredTwice: 'dtsdup0answered2x1',
    directionTwice: 'dtsdup0direction2x',
  },
} as const;

/** Values of the impossible / odd checkpoints, by job. The time-relative ones are computed per answer. */
export const IMPOSSIBLE_CHECKPOINTS: Readonly<Record<string, string>> = {
  [JOBS.checkpoint.digits16]: '9999999999999999',
  [JOBS.checkpoint.digits20]: '99999999999999999999',
  [JOBS.checkpoint.digits30]: '999999999999999999999999999999',
  [JOBS.checkpoint.negative]: '-1610524457',
  [JOBS.checkpoint.exponent]: '1e30',
};
/** The 13-digit checkpoint is "now minus this many ms" in milliseconds; the normal one the same in seconds. */
export const MILLIS_CHECKPOINT_AGE_MS = 30_000;
export const FUTURE_CHECKPOINT_AHEAD_S = 2 * 3600;

export const MODE_JOBS: Readonly<Record<HostileMode, readonly string[]>> = {
  'echo-string-to-sign': [JOBS.single],
  'echo-request': [JOBS.single],
  'prototype-keys': Object.values(JOBS.proto),
  'impossible-checkpoints': Object.values(JOBS.checkpoint),
  'control-chars-answer': [JOBS.control],
  'control-chars-error': [JOBS.single],
  'control-chars-html': [JOBS.single],
  duplicates: Object.values(JOBS.duplicate),
  'retry-after-signature': [JOBS.single],
  'throttle-429-text': [JOBS.single],
  'throttle-dts-code': [JOBS.single],
  'error-lowercase': [JOBS.single],
  'error-xml': [JOBS.single],
  'forbidden-detail': [JOBS.single],
  'gzip-unasked': [JOBS.single],
  'success-no-list': [JOBS.single],
  'total-above-answered': [JOBS.single],
  hang: [JOBS.single],
  trickle: [JOBS.single],
  'throttle-forever': [JOBS.single],
  'big-body': [JOBS.single],
  'redirect-other-host': [JOBS.single],
};

/** Terminal-title change, bell, screen clear, CR/LF that forge a table row or a log line, and bidi overrides. */
export const OSC_TITLE = '\x1b]0;pwned\x07';
export const CLEAR_SCREEN = '\x1b[2J';
export const FORGED_LINE = '\r\nFORGED dtsforged00000001  cn-hangzhou  Forward  Synchronizing  0 s';
export const BIDI = '\u202e\u2066evil\u2069\u202d';
export const HOSTILE_TEXT = `${OSC_TITLE}${CLEAR_SCREEN}${FORGED_LINE}${BIDI}\x07\x00\x7f\x9b`;

export const CODES = {
  lowercase: 'OperationDenied.LowercaseBody',
  xml: 'OperationDenied.XmlBody',
  denied: 'dts:DescribeSynchronizationJobStatusList',
  deniedType: 'ImplicitDeny',
} as const;
export const HEADER_REQUEST_ID = 'HDR-REQ-HOSTILE-0001';
/** The wait (ms) the 429 answer asks for: the client must honour it between attempts. */
export const THROTTLE_429_RETRY_AFTER_MS = 1200;

/** What one request carried, key material included (so tests can prove it never comes back out). */
export interface SeenRequest {
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Query and form parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly accessKeyId: string | undefined;
  readonly securityToken: string | undefined;
  /** V3: the hex signature of the Authorization header; V2: the base64 `Signature` parameter. */
  readonly signature: string | undefined;
  readonly authorization: string | undefined;
}

export interface HostileServer {
  readonly mode: HostileMode;
  readonly url: string;
  readonly requests: readonly SeenRequest[];
  /** Requests that reached the other host a redirect pointed to (redirect mode only; always 0 elsewhere). */
  readonly decoyRequests: number;
  close(): Promise<void>;
}

/** Percent-encoding as Alibaba Cloud signs: only A-Z a-z 0-9 - _ . ~ literal. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function paramsOf(req: IncomingMessage, body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URL(req.url ?? '/', 'http://hostile.invalid').searchParams) {
    params[k] = v;
  }
  if (/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
    for (const [k, v] of new URLSearchParams(body)) {
      params[k] = v;
    }
  }
  return params;
}

function seenRequest(req: IncomingMessage, body: string): SeenRequest {
  const params = paramsOf(req, body);
  const authorization = req.headers['authorization'];
  const credential = /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1];
  const v3Signature = /Signature=([0-9a-fA-F]+)/.exec(authorization ?? '')?.[1];
  const tokenHeader = req.headers['x-acs-security-token'];
  return {
    at: performance.now(),
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    params,
    accessKeyId: credential ?? params['AccessKeyId'],
    securityToken: (typeof tokenHeader === 'string' ? tokenHeader : undefined) ?? params['SecurityToken'],
    signature: v3Signature ?? params['Signature'],
    authorization,
  };
}

interface DirectionAnswer {
  readonly direction?: string;
  readonly status?: string;
  readonly checkpoint?: string;
}
interface JobAnswer {
  readonly id: string;
  readonly directions: readonly DirectionAnswer[];
}

function requestId(n: number): string {
  return `HOSTILE-REQ-${String(n).padStart(4, '0')}`;
}

function statusList(n: number, jobs: readonly JobAnswer[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RequestId: requestId(n),
    Success: true,
    PageNumber: 1,
    PageRecordCount: new Set(jobs.map((j) => j.id)).size,
    TotalRecordCount: new Set(jobs.map((j) => j.id)).size,
    SynchronizationJobListStatusList: jobs.map((j) => ({
      SynchronizationJobId: j.id,
      SynchronizationDirectionInfoList: j.directions.map((d) => ({
        ...(d.status === undefined ? {} : { Status: d.status }),
        ...(d.checkpoint === undefined ? {} : { Checkpoint: d.checkpoint }),
        SynchronizationDirection: d.direction ?? 'Forward',
      })),
    })),
    ...extra,
  };
}

function nowSeconds(offsetSeconds = 0): string {
  return String(Math.floor(Date.now() / 1000) + offsetSeconds);
}

/** The V2-style string-to-sign the real gateway quotes, holding the request's key ID, token and signature. */
function quotedStringToSign(seen: SeenRequest): string {
  const all: Record<string, string> = { ...seen.params };
  if (seen.accessKeyId !== undefined) {
    all['AccessKeyId'] = seen.accessKeyId;
  }
  if (seen.securityToken !== undefined) {
    all['SecurityToken'] = seen.securityToken;
  }
  if (seen.signature !== undefined) {
    all['Signature'] = seen.signature;
  }
  const canonical = Object.keys(all)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(all[k])}`)
    .join('&');
  return `POST&%2F&${percentEncode(canonical)}`;
}

type Send = (status: number, headers: Record<string, string | number>, body?: string | Buffer) => void;

interface Context {
  readonly n: number;
  readonly seen: SeenRequest;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly send: Send;
  readonly json: (status: number, body: unknown, headers?: Record<string, string>) => void;
  readonly decoyUrl: string;
  readonly timers: Set<NodeJS.Timeout>;
}

const HANDLERS: Readonly<Record<HostileMode, (c: Context) => void>> = {
  'echo-string-to-sign': ({ n, seen, json }) =>
    json(400, {
      RequestId: requestId(n),
      HostId: 'dts.aliyuncs.com',
      Code: 'SignatureDoesNotMatch',
      Message: `Specified signature is not matched with our calculation. server string to sign is:${quotedStringToSign(seen)}`,
      Recommend: 'https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch',
    }),

  'echo-request': ({ seen, json }) =>
    json(400, {
      RequestId: seen.securityToken ?? seen.signature ?? 'none',
      HostId: 'dts.aliyuncs.com',
      Code: `InvalidParameter:${seen.authorization ?? seen.url}`,
      Message: `You sent ${seen.url} with Authorization: ${seen.authorization ?? '(none)'} and x-acs-security-token: ${seen.securityToken ?? '(none)'} signed ${seen.signature ?? '(none)'}`,
    }),

  'prototype-keys': ({ n, json }) =>
    json(200, statusList(n, [
      { id: JOBS.proto.constructorStatus, directions: [{ status: 'constructor', checkpoint: nowSeconds(-5) }] },
      { id: JOBS.proto.protoStatus, directions: [{ status: '__proto__', checkpoint: nowSeconds(-5) }] },
      { id: JOBS.proto.constructorDirection, directions: [{ direction: 'constructor', status: 'toString', checkpoint: nowSeconds(-5) }] },
      { id: JOBS.proto.protoDirection, directions: [{ direction: '__proto__', status: 'toString' }] },
      { id: JOBS.proto.ownPropertyDirection, directions: [{ direction: 'hasOwnProperty', status: 'valueOf' }, { direction: 'toString', status: '__proto__' }] },
    ])),

  'impossible-checkpoints': ({ n, json }) =>
    json(200, statusList(n, [
      ...Object.entries(IMPOSSIBLE_CHECKPOINTS).map(([id, checkpoint]) => ({ id, directions: [{ status: 'Synchronizing', checkpoint }] })),
      { id: JOBS.checkpoint.millis, directions: [{ status: 'Synchronizing', checkpoint: String(Date.now() - MILLIS_CHECKPOINT_AGE_MS) }] },
      { id: JOBS.checkpoint.future, directions: [{ status: 'Synchronizing', checkpoint: nowSeconds(FUTURE_CHECKPOINT_AHEAD_S) }] },
      { id: JOBS.checkpoint.normal, directions: [{ status: 'Synchronizing', checkpoint: nowSeconds(-5) }] },
    ])),

  'control-chars-answer': ({ n, json }) =>
    json(200, statusList(n, [
      { id: JOBS.control, directions: [{ direction: `Forward${HOSTILE_TEXT}`, status: `Synchronizing${HOSTILE_TEXT}`, checkpoint: nowSeconds(-5) }] },
      // A job nobody asked for, whose ID is itself an escape sequence.
      { id: `dtsstray${HOSTILE_TEXT}`, directions: [{ direction: `Reverse${HOSTILE_TEXT}`, status: `Failed${HOSTILE_TEXT}` }] },
    ], { RequestId: `${requestId(n)}${HOSTILE_TEXT}` })),

  'control-chars-error': ({ n, json }) =>
    json(400, {
      RequestId: `${requestId(n)}${HOSTILE_TEXT}`,
      HostId: `dts.aliyuncs.com${OSC_TITLE}`,
      Code: `InvalidParameter${HOSTILE_TEXT}`,
      Message: `The job is odd${HOSTILE_TEXT}\nerror: cn-hangzhou (dtsforged00000001): forged error line`,
    }),

  'control-chars-html': ({ send }) =>
    send(502, { 'content-type': 'text/html; charset=utf-8' },
      `<html><head><title>502 Bad Gateway${HOSTILE_TEXT}</title></head><body><h1>Bad Gateway${HOSTILE_TEXT}</h1></body></html>`),

  duplicates: ({ n, json }) =>
    json(200, statusList(n, [
      { id: JOBS.duplicate.answeredTwice, directions: [{ direction: 'Forward', status: 'Synchronizing', checkpoint: nowSeconds(-5) }] },
      {
        id: JOBS.duplicate.directionTwice,
        directions: [
          { direction: 'Forward', status: 'Failed', checkpoint: nowSeconds(-5) },
          { direction: 'Reverse', status: 'Synchronizing', checkpoint: nowSeconds(-5) },
          { direction: 'Forward', status: 'Synchronizing', checkpoint: nowSeconds(-5) },
        ],
      },
      { id: JOBS.duplicate.answeredTwice, directions: [{ direction: 'Forward', status: 'Failed', checkpoint: nowSeconds(-5) }] },
    ])),

  'retry-after-signature': ({ n, json }) =>
    json(400, {
      RequestId: requestId(n),
      Code: 'SignatureDoesNotMatch',
      Message: 'Specified signature is not matched with our calculation.',
    }, { 'x-acs-retry-after': '1' }),

  'throttle-429-text': ({ send }) =>
    send(429, { 'content-type': 'text/plain', 'x-acs-retry-after': String(THROTTLE_429_RETRY_AFTER_MS) }, 'Too Many Requests'),

  'throttle-dts-code': ({ n, json }) =>
    json(400, { RequestId: requestId(n), Code: 'Dts.Throttling.Api', Message: 'The API is throttled, try again later.' }),

  'error-lowercase': ({ n, json }) =>
    json(400, { requestId: requestId(n), code: CODES.lowercase, message: 'The request was denied (lowercase body).' }),

  'error-xml': ({ n, send }) =>
    send(400, { 'content-type': 'text/xml;charset=utf-8' },
      `<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>${requestId(n)}</RequestId><HostId>dts.aliyuncs.com</HostId>` +
      `<Code>${CODES.xml}</Code><Message>The request was denied (XML body).</Message><Recommend><![CDATA[https://api.aliyun.com/troubleshoot]]></Recommend></Error>`),

  'forbidden-detail': ({ n, json }) =>
    json(403, {
      RequestId: requestId(n),
      HostId: 'dts.aliyuncs.com',
      Code: 'NoPermission',
      Message: 'You are not authorized to do this action.',
      AccessDeniedDetail: {
        AuthAction: CODES.denied,
        NoPermissionType: CODES.deniedType,
        PolicyType: 'AccountLevelIdentityBasedPolicy',
        AuthPrincipalDisplayName: 'hostile-user',
        AuthPrincipalType: 'SubUser',
        EncodedDiagnosticMessage: 'AQEAAAAAaG9zdGlsZQ==',
      },
    }),

  'gzip-unasked': ({ n, send }) =>
    send(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-acs-request-id': HEADER_REQUEST_ID },
      gzipSync(JSON.stringify(statusList(n, [{ id: JOBS.single, directions: [{ status: 'Synchronizing', checkpoint: nowSeconds(-5) }] }])))),

  'success-no-list': ({ n, json }) => json(200, { RequestId: requestId(n), Success: true, PageNumber: 1 }),

  'total-above-answered': ({ n, json }) =>
    json(200, statusList(n, [{ id: JOBS.single, directions: [{ status: 'Synchronizing', checkpoint: nowSeconds(-5) }] }], {
      TotalRecordCount: 50,
      PageRecordCount: 1,
    })),

  hang: () => {
    // Never answers: the socket stays open until the client gives up.
  },

  trickle: ({ res, timers }) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"RequestId":"');
    const timer = setInterval(() => res.write('a'), 100);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  },

  'throttle-forever': ({ n, json }) =>
    json(400, { RequestId: requestId(n), Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, { 'x-acs-retry-after': '19000' }),

  'big-body': ({ n, res }) => {
    // 1.5 MiB, chunked (no content-length), so only a streaming cap can stop it.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"RequestId":"${requestId(n)}","Success":true,"Padding":"`);
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 24; i++) {
      res.write(chunk);
    }
    res.end('","SynchronizationJobListStatusList":[]}');
  },

  'redirect-other-host': ({ send, decoyUrl }) =>
    send(302, { location: `${decoyUrl}/?Action=DescribeSynchronizationJobStatusList`, 'content-type': 'text/plain' }, 'Moved'),
};

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets) {
      s.destroy();
    }
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export interface StartOptions {
  /** The address to listen on (default 127.0.0.1); the cleartext tests use a non-loopback one. */
  readonly host?: string;
}

/** Starts one hostile endpoint in the given mode; every request gets the mode's answer. */
export async function startHostile(mode: HostileMode, options: StartOptions = {}): Promise<HostileServer> {
  const host = options.host ?? '127.0.0.1';
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let decoyRequests = 0;

  const decoy = createServer((req, res) => {
    decoyRequests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"RequestId":"DECOY","Success":true,"SynchronizationJobListStatusList":[]}');
  });
  const decoySockets = new Set<Socket>();
  decoy.on('connection', (s) => {
    decoySockets.add(s);
    s.on('close', () => decoySockets.delete(s));
  });
  const decoyPort = mode === 'redirect-other-host' ? await listen(decoy, '127.0.0.1') : 0;
  // Another host name for the same machine: a client that follows the redirect would reach it.
  const decoyUrl = `http://localhost:${decoyPort}`;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = seenRequest(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(seen);
      const send: Send = (status, headers, body) => {
        if (!res.headersSent) {
          res.writeHead(status, headers);
        }
        res.end(body);
      };
      const json = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
        send(status, { 'content-type': 'application/json;charset=utf-8', ...headers }, JSON.stringify(body));
      HANDLERS[mode]({ n: requests.length, seen, req, res, send, json, decoyUrl, timers });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server, host);

  return {
    mode,
    url: `http://${host}:${port}`,
    requests,
    get decoyRequests() {
      return decoyRequests;
    },
    async close() {
      for (const t of timers) {
        clearInterval(t);
      }
      timers.clear();
      await closeServer(server, sockets);
      if (decoy.listening) {
        await closeServer(decoy, decoySockets);
      }
    },
  };
}

export interface DroppingProxy {
  readonly url: string;
  /** TCP connections the client opened to the proxy. */
  readonly connections: number;
  /** CONNECT requests it accepted (and then dropped). */
  readonly connects: number;
  close(): Promise<void>;
}

/**
 * Issue 7 item 7: a proxy that accepts CONNECT ("200 Connection Established") and then closes the tunnel. Seen: one
 * request with a 2 s timeout still pending after 8 s, 25,390 connections. The client must give up within its
 * timeout and reconnect only as often as its retry policy allows.
 */
export async function startDroppingProxy(): Promise<DroppingProxy> {
  let connections = 0;
  let connects = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(502).end();
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    connects++;
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 200 Connection Established\r\n\r\n', () => socket.destroy());
  });
  const port = await listen(server, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    get connects() {
      return connects;
    },
    close: () => closeServer(server, sockets),
  };
}
