import type { KnownKey } from './auth';
import { missingParameter, stsError } from './errors';
import { credentialsBody, roleId, type CredentialIssuer } from './issuer';
import { OIDC_PROVIDER_ARN, ROLE_ARN, type Scenario, type ScenarioRole } from './scenario';

/*
 * The two STS operations the credential modes use, as `@alicloud/credentials` calls them (RPC style, version
 * 2015-04-01, parameters in the query and a form body): AssumeRole signed with HMAC-SHA1 by the source key,
 * AssumeRoleWithOIDC unsigned. Checks in STS's order: parameters, the role, its trust policy, then the session.
 */

export const STS_VERSION = '2015-04-01';

export type StsAction = 'AssumeRole' | 'AssumeRoleWithOIDC';

export const STS_ACTIONS: ReadonlySet<string> = new Set<StsAction>(['AssumeRole', 'AssumeRoleWithOIDC']);

/** STS answers these actions without a signature. */
export const UNSIGNED_STS_ACTIONS: ReadonlySet<string> = new Set<StsAction>(['AssumeRoleWithOIDC']);

export interface StsContext {
  readonly scenario: Scenario;
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly issuer: CredentialIssuer;
  /** The key that signed AssumeRole (already verified); absent for AssumeRoleWithOIDC. */
  readonly caller?: KnownKey;
}

const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
const MIN_DURATION_SECONDS = 900;
const DEFAULT_DURATION_SECONDS = 3600;

function required(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw missingParameter(name).asSts();
  }
  return value;
}

function findRole(scenario: Scenario, arn: string): ScenarioRole {
  const role = scenario.roles?.find((r) => r.arn === arn);
  if (!role) {
    throw stsError('EntityNotExist.Role', arn);
  }
  return role;
}

/** DurationSeconds: optional (3600), an integer from 900 to the role's MaxSessionDuration. */
function durationSeconds(params: Readonly<Record<string, string>>, role: ScenarioRole): number {
  const raw = params['DurationSeconds'];
  const max = role.maxSessionDurationSeconds ?? DEFAULT_DURATION_SECONDS;
  const seconds = raw === undefined ? DEFAULT_DURATION_SECONDS : Number(raw);
  if (!/^\d+$/.test(raw ?? '3600') || seconds < MIN_DURATION_SECONDS || seconds > max) {
    throw stsError('InvalidParameter.DurationSeconds', max === DEFAULT_DURATION_SECONDS ? '' : `${max}s`);
  }
  return seconds;
}

function checkPolicy(params: Readonly<Record<string, string>>): void {
  const policy = params['Policy'];
  if (policy === undefined) {
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw stsError('InvalidParameter.PolicyGrammar');
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as Record<string, unknown>)['Statement'])) {
    throw stsError('InvalidParameter.PolicyGrammar');
  }
}

function sessionName(params: Readonly<Record<string, string>>, isRequired: boolean): string | undefined {
  const name = isRequired ? required(params, 'RoleSessionName') : params['RoleSessionName'];
  if (name !== undefined && !SESSION_NAME.test(name)) {
    throw stsError('InvalidParameter.RoleSessionName');
  }
  return name;
}

function answer(ctx: StsContext, role: ScenarioRole, via: StsAction, name: string, seconds: number): Record<string, unknown> {
  if (ctx.issuer.refuses(role)) {
    throw stsError('NoPermission');
  }
  const key = ctx.issuer.issue(role, via, seconds);
  return {
    RequestId: ctx.requestId,
    AssumedRoleUser: { Arn: `${role.arn}/${name}`, AssumedRoleId: `${roleId(role.arn)}:${name}` },
    Credentials: credentialsBody(key),
  };
}

function assumeRole(ctx: StsContext): Record<string, unknown> {
  const { params } = ctx;
  const arn = required(params, 'RoleArn');
  if (!ROLE_ARN.test(arn)) {
    throw stsError('InvalidParameter.RoleArn');
  }
  const name = sessionName(params, true) as string;
  checkPolicy(params);
  const role = findRole(ctx.scenario, arn);
  const caller = ctx.caller?.accessKeyId;
  if (role.sourceAccessKeyIds && (caller === undefined || !role.sourceAccessKeyIds.includes(caller))) {
    throw stsError('NoPermission');
  }
  if (role.externalId !== undefined && params['ExternalId'] !== role.externalId) {
    throw stsError('NoPermission', 'The ExternalId does not match the trust policy.');
  }
  return answer(ctx, role, 'AssumeRole', name, durationSeconds(params, role));
}

function assumeRoleWithOidc(ctx: StsContext): Record<string, unknown> {
  const { params } = ctx;
  const providerArn = required(params, 'OIDCProviderArn');
  const arn = required(params, 'RoleArn');
  const token = required(params, 'OIDCToken');
  if (!OIDC_PROVIDER_ARN.test(providerArn)) {
    throw stsError('InvalidParameter.OIDCProviderArn');
  }
  if (!ROLE_ARN.test(arn)) {
    throw stsError('InvalidParameter.RoleArn');
  }
  const name = sessionName(params, false) ?? `oidc-${Date.now()}`;
  checkPolicy(params);
  if (!ctx.scenario.roles?.some((r) => r.oidc?.providerArn === providerArn)) {
    throw stsError('EntityNotExist.OIDCProvider', providerArn);
  }
  const role = findRole(ctx.scenario, arn);
  if (role.oidc?.providerArn !== providerArn) {
    throw stsError('NoPermission');
  }
  // The token file's contents may end with a newline; the library sends them as read.
  if (!role.oidc.tokens.includes(token.trim())) {
    throw stsError('AuthenticationFail.OIDCToken.Invalid');
  }
  const result = answer(ctx, role, 'AssumeRoleWithOIDC', name, durationSeconds(params, role));
  return {
    ...result,
    OIDCTokenInfo: { Issuer: 'https://oidc.emulator.invalid', Subject: 'emulator-subject', ClientIds: 'sts.aliyuncs.com' },
  };
}

export function stsOperation(action: StsAction, ctx: StsContext): Record<string, unknown> {
  return action === 'AssumeRole' ? assumeRole(ctx) : assumeRoleWithOidc(ctx);
}
