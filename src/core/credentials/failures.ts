import * as l10n from '@vscode/l10n';
import { CredentialsNotFoundError } from '../api/errors';
import { formatNumber } from '../locale';
import { safeText, type KnownSecrets } from '../safeText';
import { LibraryChangedError } from './library';
import { ExpiredCredentialsError } from './session';
import { CredentialRequestError, type LastAnswer } from './transport';

/** Who answers a mode's requests, in the user's words. */
export type Service = 'sts' | 'uri' | 'ecs' | 'sso' | 'oauth' | 'external' | 'none';

function serviceName(service: Service): string {
  switch (service) {
    case 'sts':
      return l10n.t('the STS endpoint');
    case 'uri':
      return l10n.t('the credentials URI');
    case 'ecs':
      return l10n.t('the ECS metadata service');
    case 'sso':
      return l10n.t('the CloudSSO sign-in service');
    case 'oauth':
      return l10n.t('the OAuth service');
    case 'external':
      return l10n.t('the external command');
    case 'none':
      return l10n.t('the credential source');
  }
}

export function formatSeconds(ms: number): string {
  return ms >= 1000 ? l10n.t('{0} s', formatNumber(Number((ms / 1000).toFixed(1)))) : l10n.t('{0} ms', formatNumber(ms));
}

/** How long to show of a text we could not map: enough to recognise, short of a whole quoted file. */
const MAX_UNMAPPED = 200;

/** A text of the library's that we have no words for: query strings and JSON bodies cut, key material redacted. */
export function unmapped(text: string, known: KnownSecrets): string {
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  // Anything after a '{' or '?' is a quoted body or a signed query: never shown.
  const cut = firstLine.replace(/[{?].*$/s, '…');
  const safe = safeText(cut, known);
  return safe.length > MAX_UNMAPPED ? `${safe.slice(0, MAX_UNMAPPED)}…` : safe;
}

export interface FailureContext {
  /** `aliyun CLI profile "prod" (RamRoleArn)`: names the source and the mode. */
  readonly label: string;
  readonly service: Service;
  readonly timeoutMs: number;
  /** The last HTTP answer of this renewal, when there was one. */
  readonly lastAnswer?: LastAnswer;
  /** Key material the source holds (a profile's AccessKey, an SSO token), kept out of any message. */
  readonly known?: KnownSecrets;
  /** Our own explanation of a library message we recognise, e.g. CloudSSO's "please re-login". */
  readonly hint?: (message: string) => string | undefined;
}

/** Any failure of a credential source, as one CredentialsNotFoundError in our words naming the source and mode. */
export function credentialFailure(e: unknown, context: FailureContext): CredentialsNotFoundError {
  if (e instanceof CredentialsNotFoundError) {
    return e;
  }
  const { label } = context;
  if (e instanceof ExpiredCredentialsError) {
    const inner = credentialFailure(e.cause, context).message;
    return new CredentialsNotFoundError(
      l10n.t('{0}: the temporary credentials expired at {1} and renewing them failed: {2}', label, e.expiredAt.toISOString(), stripLabel(inner, label)),
    );
  }
  return new CredentialsNotFoundError(l10n.t('{0}: {1}', label, reason(e, context)));
}

function stripLabel(message: string, label: string): string {
  return message.startsWith(`${label}: `) ? message.slice(label.length + 2) : message;
}

function reason(e: unknown, context: FailureContext): string {
  const service = serviceName(context.service);
  if (e instanceof CredentialRequestError) {
    const host = safeText(e.host);
    switch (e.problem) {
      case 'timeout':
        return l10n.t('{0} ({1}) did not answer within {2}', service, host, formatSeconds(context.timeoutMs));
      case 'too-large':
        return l10n.t('{0} ({1}) sent an answer larger than 64 KiB', service, host);
      case 'insecure':
        return l10n.t('{0} ({1}) must use https (http only for this machine)', service, host);
      case 'network':
        return e.code
          ? l10n.t('{0} ({1}) could not be reached ({2})', service, host, safeText(e.code))
          : l10n.t('{0} ({1}) could not be reached', service, host);
    }
  }
  if (e instanceof LibraryChangedError) {
    return e.message;
  }
  const message = e instanceof Error ? e.message : String(e);
  const hinted = context.hint?.(message);
  if (hinted) {
    return hinted;
  }
  const answer = context.lastAnswer;
  if (answer && (answer.status < 200 || answer.status > 299)) {
    const parts = [l10n.t('HTTP {0}', answer.status)];
    if (answer.code) {
      parts.push(l10n.t('Code {0}', safeText(answer.code)));
    }
    if (answer.requestId) {
      parts.push(l10n.t('RequestId {0}', safeText(answer.requestId)));
    }
    return l10n.t('{0} ({1}) refused: {2}', service, safeText(answer.host), parts.join(', '));
  }
  if (answer) {
    return l10n.t('{0} ({1}) answered without usable credentials', service, safeText(answer.host));
  }
  return unmapped(message, context.known ?? {});
}
