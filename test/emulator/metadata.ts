import { randomBytes } from 'node:crypto';
import { formatTimestamp } from '../../src/core/api/signing';
import { credentialsBody, type CredentialIssuer, type IssuedKey } from './issuer';
import { roleName, type Scenario, type ScenarioRole } from './scenario';

/*
 * The two plain-HTTP credential endpoints, as `@alicloud/credentials` 2.4.7 requests them:
 * - a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI, a CredentialsURI profile): `GET <uri>`, answered with
 *   `{Code, AccessKeyId, AccessKeySecret, SecurityToken, Expiration}` (the aliyun CLI checks Code, the library the keys);
 * - the ECS instance metadata service (providers/ecs_ram_role.ts): `PUT /latest/api/token` with
 *   X-aliyun-ecs-metadata-token-ttl-seconds, then `GET /latest/meta-data/ram/security-credentials/` (the role name)
 *   and `GET /latest/meta-data/ram/security-credentials/<role>` with X-aliyun-ecs-metadata-token (IMDSv2), or
 *   without a token (IMDSv1) unless the instance is hardened.
 */

export interface EndpointAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a credential endpoint answered, for the request log. */
export interface CredentialResult {
  readonly answer: EndpointAnswer;
  /** `ok`, or why not: `Failed` (a refused role), `NotFound`, `Unauthorized`, `Forbidden`, `BadRequest`, `MethodNotAllowed`. */
  readonly outcome: string;
  readonly roleArn?: string;
  readonly issuedAccessKeyId?: string;
}

export const ECS_PATH_PREFIX = '/latest/';
const TOKEN_PATH = '/latest/api/token';
const CREDENTIALS_PATH = '/latest/meta-data/ram/security-credentials/';
const TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
/** The metadata service's bounds for a token's TTL. */
const MAX_TOKEN_TTL_SECONDS = 21600;

const JSON_TYPE = 'application/json;charset=utf-8';

function json(status: number, value: unknown): EndpointAnswer {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

function text(status: number, body: string): EndpointAnswer {
  return { status, contentType: 'text/plain', body };
}

/** The metadata service's error pages are small HTML documents. */
function page(status: number, title: string): EndpointAnswer {
  const body = `<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n <head>\n  <title>${status} - ${title}</title>\n </head>\n <body>\n  <h1>${status} - ${title}</h1>\n </body>\n</html>\n`;
  return { status, contentType: 'text/html', body };
}

function failure(status: number, title: string, roleArn?: string): CredentialResult {
  return { answer: page(status, title), outcome: title.replace(/\s+/g, ''), ...(roleArn && { roleArn }) };
}

function roleOf(scenario: Scenario, arn: string): ScenarioRole | undefined {
  return scenario.roles?.find((r) => r.arn === arn);
}

/** `GET <credentials URI>`: fresh keys each time (a sidecar that assumes the role per call), or the failed shape. */
export function credentialsUriAnswer(scenario: Scenario, issuer: CredentialIssuer, method: string, path: string): CredentialResult {
  const entry = scenario.credentialsUris?.find((u) => u.path === path);
  const role = entry && roleOf(scenario, entry.role);
  if (!role) {
    return { answer: json(404, { Code: 'NotFound', Message: `No credentials at ${path}` }), outcome: 'NotFound' };
  }
  if (method !== 'GET') {
    return { answer: { ...json(405, { Code: 'MethodNotAllowed', Message: 'Use GET.' }), headers: { allow: 'GET' } }, outcome: 'MethodNotAllowed', roleArn: role.arn };
  }
  if (issuer.refuses(role)) {
    // A 200 without keys: the aliyun CLI reads Code ("Code is not Success"), the library finds no AccessKeyId.
    return {
      answer: json(200, { Code: 'Failed', Message: `The credentials of ${roleName(role.arn)} could not be obtained: NoPermission.` }),
      outcome: 'Failed',
      roleArn: role.arn,
    };
  }
  const key = issuer.issue(role, 'CredentialsURI');
  return { answer: json(200, { Code: 'Success', ...credentialsBody(key) }), outcome: 'ok', roleArn: role.arn, issuedAccessKeyId: key.accessKeyId };
}

/** The ECS instance metadata service, IMDSv2 tokens included. Its state (tokens) outlives scenario changes. */
export class EcsMetadataService {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly clock: () => Date,
    private readonly issuer: CredentialIssuer,
  ) {}

  /** The action name a request is logged and fault-scoped under. */
  route(method: string, path: string): { action: string } {
    if (path === TOKEN_PATH) {
      return { action: 'EcsMetadataToken' };
    }
    if (path === CREDENTIALS_PATH || path === CREDENTIALS_PATH.slice(0, -1)) {
      return { action: 'EcsRoleName' };
    }
    return { action: path.startsWith(CREDENTIALS_PATH) && method === 'GET' ? 'EcsRoleCredentials' : 'EcsMetadata' };
  }

  answer(scenario: Scenario, method: string, path: string, headers: Readonly<Record<string, string>>): CredentialResult {
    const config = scenario.ecsMetadata;
    const role = config && roleOf(scenario, config.role);
    if (!config || !role) {
      // Not an ECS instance: nothing under /latest/.
      return failure(404, 'Not Found');
    }
    if (path === TOKEN_PATH) {
      return method === 'PUT' ? this.newToken(headers) : failure(405, 'Method Not Allowed');
    }
    if (method !== 'GET') {
      return failure(405, 'Method Not Allowed');
    }
    const sent = headers[TOKEN_HEADER];
    if (sent !== undefined) {
      const expiresAt = this.tokens.get(sent);
      if (expiresAt === undefined || this.clock().getTime() >= expiresAt) {
        return failure(401, 'Unauthorized');
      }
    } else if (config.requireToken) {
      return failure(403, 'Forbidden');
    }
    const name = roleName(role.arn);
    if (path === CREDENTIALS_PATH || path === CREDENTIALS_PATH.slice(0, -1)) {
      return { answer: text(200, name), outcome: 'ok', roleArn: role.arn };
    }
    if (path !== `${CREDENTIALS_PATH}${name}`) {
      return failure(404, 'Not Found');
    }
    if (this.issuer.refuses(role)) {
      return failure(404, 'Not Found', role.arn);
    }
    // Like the real service, the same keys are handed out until they near their expiry.
    const reused = role.answer === 'expired' ? undefined : this.issuer.current(role, 'EcsMetadata');
    const key: IssuedKey = reused ?? this.issuer.issue(role, 'EcsMetadata');
    return {
      answer: json(200, {
        AccessKeyId: key.accessKeyId,
        AccessKeySecret: key.accessKeySecret,
        Expiration: credentialsBody(key).Expiration,
        SecurityToken: key.securityToken,
        LastUpdated: formatTimestamp(new Date(key.issuedAt)),
        Code: 'Success',
      }),
      outcome: 'ok',
      roleArn: role.arn,
      ...(!reused && { issuedAccessKeyId: key.accessKeyId }),
    };
  }

  private newToken(headers: Readonly<Record<string, string>>): CredentialResult {
    const raw = headers[TTL_HEADER];
    const ttl = Number(raw);
    if (raw === undefined || !/^\d+$/.test(raw) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
      return failure(400, 'Bad Request');
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, this.clock().getTime() + ttl * 1000);
    return { answer: text(200, token), outcome: 'ok' };
  }
}
