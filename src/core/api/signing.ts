import { createHash, createHmac } from 'node:crypto';

/** What a request is signed with. The secret only ever enters an HMAC key. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

export type SignatureVersion = 'v3' | 'v2';

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/**
 * RFC 3986 percent-encoding as Alibaba Cloud signs it: UTF-8 bytes, only `A-Z a-z 0-9 - _ . ~` literal,
 * uppercase hex, space as `%20`; `! ' ( ) *`, which encodeURIComponent leaves alone, are encoded too.
 */
export function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    // A lone surrogate makes encodeURIComponent throw; its UTF-8 form (U+FFFD) is encoded byte by byte.
    let out = '';
    for (const byte of Buffer.from(value, 'utf8')) {
      const ch = String.fromCharCode(byte);
      out += byte < 0x80 && UNRESERVED.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
    return out;
  }
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, no milliseconds: the form both signature versions require. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sorted by name in plain code-unit order, then `name=value` pairs percent-encoded and joined by `&`. */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name])}`)
    .join('&');
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface V3Input {
  readonly method: string;
  readonly host: string;
  readonly action: string;
  readonly version: string;
  readonly query: Readonly<Record<string, string>>;
  /** Extra headers to send and sign when relevant (`content-type`, other `x-acs-*`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly credentials: Credentials;
  readonly date: Date;
  readonly nonce: string;
}

export interface V3Signed {
  /** Every header to send, `authorization` included; names are lowercase. */
  readonly headers: Record<string, string>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string;
}

function isSignedHeader(name: string): boolean {
  return name === 'host' || name === 'content-type' || name.startsWith('x-acs-');
}

/** ACS3-HMAC-SHA256 (signature V3), the official SDKs' default. */
export function signV3(input: V3Input): V3Signed {
  const body = input.body ?? '';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  headers['host'] = input.host;
  headers['x-acs-action'] = input.action;
  headers['x-acs-version'] = input.version;
  headers['x-acs-date'] = formatTimestamp(input.date);
  headers['x-acs-signature-nonce'] = input.nonce;
  headers['x-acs-content-sha256'] = sha256Hex(body);
  if (input.credentials.securityToken) {
    headers['x-acs-security-token'] = input.credentials.securityToken;
  }
  const names = Object.keys(headers).filter(isSignedHeader).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    '/',
    canonicalQueryString(input.query),
    canonicalHeaders,
    signedHeaders,
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', input.credentials.accessKeySecret).update(stringToSign).digest('hex');
  headers['authorization'] =
    `ACS3-HMAC-SHA256 Credential=${input.credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature, signedHeaders };
}

export interface V2Input {
  readonly method: string;
  readonly action: string;
  readonly version: string;
  /** Operation parameters; the common ones are added here. */
  readonly params: Readonly<Record<string, string>>;
  readonly credentials: Credentials;
  readonly date: Date;
  readonly nonce: string;
}

export interface V2Signed {
  /** Every parameter to send, `Signature` included. */
  readonly params: Record<string, string>;
  readonly stringToSign: string;
  readonly signature: string;
}

/** The RPC common parameters of signature V2, without `Signature`. */
export function v2CommonParams(input: V2Input): Record<string, string> {
  const params: Record<string, string> = {
    Format: 'JSON',
    ...input.params,
    Action: input.action,
    Version: input.version,
    AccessKeyId: input.credentials.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: input.nonce,
    Timestamp: formatTimestamp(input.date),
  };
  if (input.credentials.securityToken) {
    params['SecurityToken'] = input.credentials.securityToken;
  }
  return params;
}

/** The V2 signature over an already complete parameter set (the emulator checks requests with this). */
export function v2Signature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): { stringToSign: string; signature: string } {
  const stringToSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQueryString(params))}`;
  const signature = createHmac('sha1', `${accessKeySecret}&`).update(stringToSign).digest('base64');
  return { stringToSign, signature };
}

/** HMAC-SHA1 with SignatureVersion=1.0 (signature V2). */
export function signV2(input: V2Input): V2Signed {
  const params = v2CommonParams(input);
  const { stringToSign, signature } = v2Signature(input.method, params, input.credentials.accessKeySecret);
  return { params: { ...params, Signature: signature }, stringToSign, signature };
}
