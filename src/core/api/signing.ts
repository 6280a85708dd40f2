import * as crypto from 'node:crypto';

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
const SUB_DELIMS = /[!'()*]/;

export function percentEncode(value: string): string {
  try {
    const encoded = encodeURIComponent(value);
    return SUB_DELIMS.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
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

/** The last second formatted: a client signs many requests within one second, which all carry the same stamp. */
let stampedSecond = Number.NaN;
let stamp = '';

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, no milliseconds: the form both signature versions require. */
export function formatTimestamp(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== stampedSecond) {
    // NaN (an invalid date) never equals the cached second: toISOString throws its RangeError as before.
    const iso = date.toISOString();
    // `2026-11-30T14:03:05.123Z`; years past 9999 have a sign and more digits, so cut at the dot, not at a fixed place.
    stamp = `${iso.slice(0, iso.lastIndexOf('.'))}Z`;
    stampedSecond = second;
  }
  return stamp;
}

/** Sorted by name in plain code-unit order, then `name=value` pairs percent-encoded and joined by `&`. */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name])}`)
    .join('&');
}

/**
 * `crypto.hash` (Node 20.12 and later): a digest in one call, without a Hash object and the digest looked up by name
 * each time, which cost more than the hashing itself at one signature per request. Older Node takes createHash.
 * The HMACs stay createHmac's: one built by hand from two such digests measured about 5 % less CPU per query, not
 * worth carrying our own construction of the primitive keyed with the secret.
 */
const oneShotHash = typeof crypto.hash === 'function' ? crypto.hash : undefined;

function sha256Hex(data: string | Uint8Array): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** The hash of an empty body, which every request without one signs. */
const EMPTY_SHA256 = sha256Hex('');

export interface V3Input {
  readonly method: string;
  readonly host: string;
  readonly action: string;
  readonly version: string;
  readonly query: Readonly<Record<string, string>>;
  /** `canonicalQueryString(query)`, when the caller keeps it for many requests with the same parameters. */
  readonly canonicalQuery?: string;
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
  /** The query string that was signed: send it as it is (`?` + this), so it is not built twice. */
  readonly canonicalQuery: string;
}

/** The signed header names of a request without extra headers, sorted. */
const SIGNED_WITHOUT_TOKEN = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version';
const SIGNED_WITH_TOKEN = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version';

function isSignedHeader(name: string): boolean {
  return name === 'host' || name === 'content-type' || name.startsWith('x-acs-');
}

/** ACS3-HMAC-SHA256 (signature V3), the official SDKs' default. */
export function signV3(input: V3Input): V3Signed {
  const contentSha256 = input.body === undefined || input.body.length === 0 ? EMPTY_SHA256 : sha256Hex(input.body);
  const date = formatTimestamp(input.date);
  const token = input.credentials.securityToken;
  const headers: Record<string, string> = {};
  if (input.headers) {
    for (const name of Object.keys(input.headers)) {
      headers[name.toLowerCase()] = input.headers[name];
    }
  }
  headers['host'] = input.host;
  headers['x-acs-action'] = input.action;
  headers['x-acs-version'] = input.version;
  headers['x-acs-date'] = date;
  headers['x-acs-signature-nonce'] = input.nonce;
  headers['x-acs-content-sha256'] = contentSha256;
  if (token) {
    headers['x-acs-security-token'] = token;
  }
  let canonicalHeaders: string;
  let signedHeaders: string;
  if (input.headers === undefined) {
    // The usual request: only the headers above, whose sorted order is known (host, then x-acs-* by name).
    canonicalHeaders =
      `host:${input.host.trim()}\nx-acs-action:${input.action.trim()}\nx-acs-content-sha256:${contentSha256}\nx-acs-date:${date}\n` +
      (token ? `x-acs-security-token:${token.trim()}\n` : '') +
      `x-acs-signature-nonce:${input.nonce.trim()}\nx-acs-version:${input.version.trim()}\n`;
    signedHeaders = token ? SIGNED_WITH_TOKEN : SIGNED_WITHOUT_TOKEN;
  } else {
    const names = Object.keys(headers).filter(isSignedHeader).sort();
    canonicalHeaders = '';
    for (const n of names) {
      canonicalHeaders += `${n}:${headers[n].trim()}\n`;
    }
    signedHeaders = names.join(';');
  }
  const canonicalQuery = input.canonicalQuery ?? canonicalQueryString(input.query);
  const canonicalRequest = `${input.method.toUpperCase()}\n/\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${contentSha256}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = crypto.createHmac('sha256', input.credentials.accessKeySecret).update(stringToSign).digest('hex');
  headers['authorization'] =
    `ACS3-HMAC-SHA256 Credential=${input.credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature, signedHeaders, canonicalQuery };
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
  /** Those parameters as a query string to send (`?` + this): the signed canonical form, then `Signature`. */
  readonly query: string;
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
  return v2SignCanonical(method, canonicalQueryString(params), accessKeySecret);
}

function v2SignCanonical(method: string, canonicalQuery: string, accessKeySecret: string): { stringToSign: string; signature: string } {
  const stringToSign = `${method.toUpperCase()}&%2F&${percentEncode(canonicalQuery)}`;
  const signature = crypto.createHmac('sha1', `${accessKeySecret}&`).update(stringToSign).digest('base64');
  return { stringToSign, signature };
}

/** HMAC-SHA1 with SignatureVersion=1.0 (signature V2). */
export function signV2(input: V2Input): V2Signed {
  const params = v2CommonParams(input);
  const canonicalQuery = canonicalQueryString(params);
  const { stringToSign, signature } = v2SignCanonical(input.method, canonicalQuery, input.credentials.accessKeySecret);
  // A server reads the parameters into a map, so Signature may follow the sorted ones instead of being sorted in.
  const query = `${canonicalQuery}&Signature=${percentEncode(signature)}`;
  params['Signature'] = signature;
  return { params, query, stringToSign, signature };
}
