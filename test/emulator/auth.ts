import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalQueryString, formatTimestamp, v2Signature, type SignatureVersion } from '../../src/core/api/signing';
import { contentHashMismatch, gatewayError, incompleteSignature, missingParameter, signatureDoesNotMatch } from './errors';
import type { ApiRequest } from './request';
import type { ScenarioAccessKey } from './scenario';

/** The gateway refuses a timestamp further than this from its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const V3_SCHEME = 'ACS3-HMAC-SHA256';
const V3_REQUIRED_HEADERS = ['x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'] as const;
const V2_REQUIRED_PARAMS = ['AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp'] as const;

/** A key the emulator accepts: one of the scenario's, or temporary keys it issued for a role. */
export interface KnownKey extends ScenarioAccessKey {
  /** Emulator time (ms) from which the key's token is expired; never when absent. */
  readonly expiresAt?: number;
}

/** Who a request says it comes from, before any of it is verified (for the request log). */
export interface ClaimedCaller {
  readonly signatureVersion: SignatureVersion;
  readonly accessKeyId?: string;
  readonly nonce?: string;
}

interface V3Authorization {
  readonly credential: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** A request with an Authorization header is V3; anything else is read as V2 (parameters in the query). */
export function signatureVersionOf(req: ApiRequest): SignatureVersion {
  return req.headers['authorization'] !== undefined ? 'v3' : 'v2';
}

export function actionOf(req: ApiRequest): string | undefined {
  return signatureVersionOf(req) === 'v3' ? req.headers['x-acs-action'] : req.params['Action'];
}

export function apiVersionOf(req: ApiRequest): string | undefined {
  return signatureVersionOf(req) === 'v3' ? req.headers['x-acs-version'] : req.params['Version'];
}

function parseV3Authorization(header: string): V3Authorization | undefined {
  const match = /^ACS3-HMAC-SHA256\s+(.+)$/.exec(header.trim());
  if (!match) {
    return undefined;
  }
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    return undefined;
  }
  return { credential, signedHeaders: signedHeaders.toLowerCase().split(';'), signature };
}

export function claimedCaller(req: ApiRequest): ClaimedCaller {
  if (signatureVersionOf(req) === 'v3') {
    const auth = parseV3Authorization(req.headers['authorization'] ?? '');
    return { signatureVersion: 'v3', accessKeyId: auth?.credential, nonce: req.headers['x-acs-signature-nonce'] };
  }
  return { signatureVersion: 'v2', accessKeyId: req.params['AccessKeyId'], nonce: req.params['SignatureNonce'] };
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function sameSecretString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Verifies signatures, timestamps, STS tokens and nonces the way the API gateway does. */
export class Authenticator {
  /** Nonces seen, per AccessKeyId. */
  private readonly nonces = new Map<string, Set<string>>();

  constructor(private readonly clock: () => Date) {}

  /** Returns the key that signed the request, when it is one of `keys`; throws the gateway's error otherwise. */
  verify(req: ApiRequest, keys: readonly KnownKey[]): KnownKey {
    return signatureVersionOf(req) === 'v3' ? this.verifyV3(req, keys) : this.verifyV2(req, keys);
  }

  private verifyV3(req: ApiRequest, keys: readonly KnownKey[]): KnownKey {
    const auth = parseV3Authorization(req.headers['authorization'] ?? '');
    if (!auth) {
      throw incompleteSignature(`The Authorization header must read "${V3_SCHEME} Credential=...,SignedHeaders=...,Signature=...".`);
    }
    for (const name of V3_REQUIRED_HEADERS) {
      if (!req.headers[name]) {
        throw missingParameter(name);
      }
    }
    const unsigned = Object.keys(req.headers).filter(
      (name) => (name === 'host' || name.startsWith('x-acs-')) && !auth.signedHeaders.includes(name),
    );
    if (unsigned.length > 0) {
      throw incompleteSignature(`SignedHeaders must include ${unsigned.join(', ')}.`);
    }
    if (req.headers['x-acs-content-sha256'] !== sha256Hex(req.body)) {
      throw contentHashMismatch();
    }
    this.checkTimestamp(req.headers['x-acs-date']);
    const key = this.findKey(keys, auth.credential);
    const canonicalRequest = [
      req.method,
      req.path,
      // Only the URL query: form fields are covered by x-acs-content-sha256 (checked above), as the gateway does.
      canonicalQueryString(req.query),
      auth.signedHeaders.map((name) => `${name}:${(req.headers[name] ?? '').trim()}\n`).join(''),
      auth.signedHeaders.join(';'),
      req.headers['x-acs-content-sha256'],
    ].join('\n');
    const stringToSign = `${V3_SCHEME}\n${sha256Hex(canonicalRequest)}`;
    const expected = createHmac('sha256', key.accessKeySecret).update(stringToSign).digest('hex');
    if (!sameSecretString(auth.signature, expected)) {
      throw signatureDoesNotMatch(stringToSign);
    }
    this.checkSecurityToken(key, req.headers['x-acs-security-token']);
    this.useNonce(key.accessKeyId, req.headers['x-acs-signature-nonce']);
    return key;
  }

  private verifyV2(req: ApiRequest, keys: readonly KnownKey[]): KnownKey {
    // V2 has no body hash: the query and the form fields are signed together as one parameter set.
    const { Signature: signature, ...signed } = req.params;
    for (const name of V2_REQUIRED_PARAMS) {
      if (!signed[name]) {
        throw missingParameter(name);
      }
    }
    if (!signature) {
      throw incompleteSignature('The Signature parameter is missing.');
    }
    if (signed['SignatureMethod'] !== 'HMAC-SHA1' || signed['SignatureVersion'] !== '1.0') {
      throw incompleteSignature('Expected SignatureMethod=HMAC-SHA1 and SignatureVersion=1.0.');
    }
    this.checkTimestamp(signed['Timestamp']);
    const key = this.findKey(keys, signed['AccessKeyId']);
    const expected = v2Signature(req.method, signed, key.accessKeySecret);
    if (!sameSecretString(signature, expected.signature)) {
      throw signatureDoesNotMatch(expected.stringToSign);
    }
    this.checkSecurityToken(key, signed['SecurityToken']);
    this.useNonce(key.accessKeyId, signed['SignatureNonce']);
    return key;
  }

  /** `yyyy-MM-ddTHH:mm:ssZ`, a real calendar date, within 15 minutes of the emulator's clock. */
  private checkTimestamp(value: string): void {
    const time = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) || Number.isNaN(time) || formatTimestamp(new Date(time)) !== value) {
      throw gatewayError('InvalidTimeStamp.Format');
    }
    if (Math.abs(this.clock().getTime() - time) > MAX_CLOCK_SKEW_MS) {
      throw gatewayError('InvalidTimeStamp.Expired');
    }
  }

  private findKey(keys: readonly KnownKey[], accessKeyId: string): KnownKey {
    const key = keys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) {
      throw gatewayError('InvalidAccessKeyId.NotFound');
    }
    return key;
  }

  /** The token must be the key's own; an STS key's token is then checked for expiry, as the gateway does. */
  private checkSecurityToken(key: KnownKey, sent: string | undefined): void {
    if (key.securityToken === undefined) {
      if (sent) {
        throw gatewayError('InvalidSecurityToken.Malformed');
      }
    } else if (sent === undefined || !sameSecretString(sent, key.securityToken)) {
      throw gatewayError('InvalidSecurityToken.MismatchWithAccessKey');
    } else if (key.expiresAt !== undefined && this.clock().getTime() >= key.expiresAt) {
      throw gatewayError('InvalidSecurityToken.Expired');
    }
  }

  /** Recorded only once everything else passed, so a refused request does not burn its nonce. */
  private useNonce(accessKeyId: string, nonce: string): void {
    const seen = this.nonces.get(accessKeyId) ?? new Set<string>();
    if (seen.has(nonce)) {
      throw gatewayError('SignatureNonceUsed');
    }
    seen.add(nonce);
    this.nonces.set(accessKeyId, seen);
  }
}
