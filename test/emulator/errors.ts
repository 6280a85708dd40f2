/**
 * The API gateway's errors, with the codes, HTTP statuses and messages Alibaba Cloud answers with. The body shape is
 * `{"RequestId","HostId","Code","Message","Recommend"}`. No message ever contains a secret or a token.
 */
export class GatewayError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    /** Extra response headers (`x-acs-retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** The product named in `Recommend`: `Dts`, or `Sts` for the STS endpoint. */
    readonly product = 'Dts',
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  body(requestId: string, hostId: string): Record<string, string> {
    return {
      RequestId: requestId,
      HostId: hostId,
      Code: this.code,
      Message: this.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(this.code)}&product=${this.product}&requestId=${requestId}`,
    };
  }

  /** The same error as the STS endpoint answers it. */
  asSts(): GatewayError {
    return new GatewayError(this.httpStatus, this.code, this.message, this.headers, 'Sts');
  }
}

export function missingParameter(name: string): GatewayError {
  return new GatewayError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
}

export function invalidParameter(name: string, why: string): GatewayError {
  return new GatewayError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid: ${why}`);
}

export function incompleteSignature(detail?: string): GatewayError {
  return new GatewayError(400, 'IncompleteSignature', `The request signature does not conform to Aliyun standards.${detail ? ` ${detail}` : ''}`);
}

/** Like the real service, tells the caller the string it signed against (never the key). */
export function signatureDoesNotMatch(stringToSign: string): GatewayError {
  return new GatewayError(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
}

/** The errors whose answer never varies: HTTP status and message by code. */
const FIXED = {
  'SignatureNonceUsed': [400, 'Specified signature nonce was used already.'],
  'InvalidTimeStamp.Format': [400, 'Specified time stamp or date value is not well formatted.'],
  'InvalidTimeStamp.Expired': [400, 'Specified time stamp or date value is expired.'],
  'InvalidAccessKeyId.NotFound': [404, 'Specified access key is not found.'],
  'InvalidSecurityToken.MismatchWithAccessKey': [400, 'Specified SecurityToken mismatch with the AccessKey.'],
  'InvalidSecurityToken.Malformed': [400, 'Specified SecurityToken is malformed.'],
  'InvalidSecurityToken.Expired': [400, 'Specified SecurityToken is expired.'],
  'InvalidApi.NotFound': [404, 'Specified api is not found, please check your url and method.'],
  'InvalidVersion': [400, 'Specified parameter Version is not valid.'],
  'InternalError': [500, 'The request processing has failed due to some unknown error, exception or failure.'],
  'ServiceUnavailable': [503, 'The request has failed due to a temporary failure of the server.'],
} as const satisfies Record<string, readonly [number, string]>;

export type FixedErrorCode = keyof typeof FIXED;

export function gatewayError(code: FixedErrorCode): GatewayError {
  const [status, message] = FIXED[code];
  return new GatewayError(status, code, message);
}

export function contentHashMismatch(): GatewayError {
  return new GatewayError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation: x-acs-content-sha256 is not the SHA-256 of the body.');
}

export function throttled(retryAfterMs?: number): GatewayError {
  const headers: Record<string, string> = retryAfterMs === undefined ? {} : { 'x-acs-retry-after': String(retryAfterMs) };
  return new GatewayError(400, 'Throttling.User', 'Request was denied due to user flow control.', headers);
}

/** STS's own errors (AssumeRole, AssumeRoleWithOIDC), with the codes and messages STS answers with. */
export function stsError(
  code:
    | 'InvalidParameter.RoleArn' | 'InvalidParameter.RoleSessionName' | 'InvalidParameter.DurationSeconds'
    | 'InvalidParameter.PolicyGrammar' | 'InvalidParameter.OIDCProviderArn' | 'EntityNotExist.Role'
    | 'EntityNotExist.OIDCProvider' | 'NoPermission' | 'AuthenticationFail.OIDCToken.Invalid',
  detail = '',
): GatewayError {
  const known: Record<typeof code, readonly [number, string]> = {
    'InvalidParameter.RoleArn': [400, 'The parameter RoleArn is wrongly formed.'],
    'InvalidParameter.RoleSessionName': [400, 'The parameter RoleSessionName is wrongly formed.'],
    'InvalidParameter.DurationSeconds': [400, `The Min/Max value of DurationSeconds is 15min/${detail || '1hr'}.`],
    'InvalidParameter.PolicyGrammar': [400, 'The parameter Policy has not passed grammar check.'],
    'InvalidParameter.OIDCProviderArn': [400, 'The parameter OIDCProviderArn is wrongly formed.'],
    'EntityNotExist.Role': [404, `The role not exists: ${detail}.`],
    'EntityNotExist.OIDCProvider': [404, `The OIDC provider not exists: ${detail}.`],
    'NoPermission': [403, `No permission perform sts:AssumeRole on this Role. Maybe you should check the role's trust policy.${detail ? ` ${detail}` : ''}`],
    'AuthenticationFail.OIDCToken.Invalid': [400, 'The OIDCToken is invalid.'],
  };
  const [status, message] = known[code];
  return new GatewayError(status, code, message, {}, 'Sts');
}
