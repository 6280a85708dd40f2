/** Credentials the way Alibaba Cloud's own tools find them: see README "Credentials". */
export {
  checked,
  CREDENTIAL_SOURCE_DEADLINE_MS,
  credentialsProblem,
  environmentProvider,
  maskAccessKeyId,
  regionFromEnv,
  resolveCredentials,
  type CredentialProvider,
  type ResolveCredentialsOptions,
  type ResolvedCredentials,
} from './resolve';
export {
  aliyunProfileProvider,
  defaultChain,
  DEFAULT_CREDENTIAL_REQUEST_TIMEOUT_MS,
  profileChain,
  type AliyunProfileOptions,
  type ChainOptions,
  type CredentialChain,
} from './chain';
export { aliyunConfigPath } from './aliyunConfig';
