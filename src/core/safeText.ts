/**
 * The one step every text from outside (server answers, settings, files, environment) takes before it reaches a
 * terminal, a log line, a notification or a tree row: key material redacted, control characters gone.
 */

/** Key material the caller knows and wants kept out of any text. */
export interface KnownSecrets {
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly securityToken?: string;
}

/** `LTAI****0001`: enough to tell keys apart in a log, not enough to use. */
export function maskAccessKeyId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 4)}****${id.slice(-4)}` : '****';
}

export const REDACTED = '[redacted]';

/**
 * C0 and C1 controls, DEL, and the Unicode characters that reorder or split lines (bidi overrides and isolates,
 * line and paragraph separators, zero-width joiners used to hide text).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One line of plain text: every control character becomes a space, runs of spaces shrink to one. */
export function stripControl(text: string): string {
  // Most texts (IDs, statuses) have nothing to strip: one test instead of two replacements and a copy.
  return NOTHING_TO_STRIP.test(text) ? text : text.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Text `stripControl` returns unchanged: no control character, no run of spaces, no white space at either end. */
// eslint-disable-next-line no-control-regex
const NOTHING_TO_STRIP = /^(?!\s)(?:(?! {2})[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff])*$(?<!\s)/;

/** Like `stripControl`, but keeps line breaks (for Markdown tooltips, where a newline is harmless once escaped). */
export function stripControlKeepLines(text: string): string {
  return text
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map(stripControl)
    .join('\n');
}

/**
 * Signing parameters whose values must never be shown, in every spelling a gateway may quote them: plain
 * (`Signature=…`), in a header (`x-acs-security-token: …`), percent-encoded once (`Signature%3D…`) or twice, as the
 * V2 string-to-sign holds them.
 */
const SECRET_PARAMS = ['Signature', 'SecurityToken', 'AccessKeySecret', 'x-acs-security-token', 'x-acs-signature'];
const KEY_ID_PARAMS = ['AccessKeyId', 'Credential', 'x-acs-accesskey-id'];
const ASSIGN = '(?:=|:\\s*|%3D|%253D)';
const VALUE = '[^\\s,&;"\'<>)]*?(?=$|[\\s,&;"\'<>)]|%26|%2526)';

function paramPattern(names: readonly string[]): RegExp {
  return new RegExp(`(?<![A-Za-z-])(${names.join('|')})${ASSIGN}(${VALUE})`, 'gi');
}
const SECRET_PARAM = paramPattern(SECRET_PARAMS);
const KEY_ID_PARAM = paramPattern(KEY_ID_PARAMS);

/** What a gateway quotes after this is its string-to-sign: the canonical request with the key ID and token. */
const STRING_TO_SIGN = /(string[ -]?to[ -]?sign\b[^:"\r\n]{0,40}:?)[^"\r\n]*/gi;

/** Every spelling of a value that a string-to-sign or URL may hold: raw, percent-encoded once and twice. */
function spellings(value: string): string[] {
  const once = encodeURIComponent(value);
  const twice = encodeURIComponent(once);
  return [...new Set([value, once, twice])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

function replaceAll(text: string, needle: string, replacement: string): string {
  return needle === '' ? text : text.split(needle).join(replacement);
}

/** Every signing parameter needs `=`, `:` or a percent sign after its name; a string-to-sign needs the word `sign`. */
const MAY_QUOTE_PARAM = /[=:%]|sign/i;

/**
 * False when `redactSecrets` would return `text` unchanged, found cheaply (a status answer has dozens of short fields):
 * without `=`, `:` or `%` no parameter is quoted and only the raw spelling of a known value can be in the text.
 */
function mayHoldKeyMaterial(text: string, known: KnownSecrets): boolean {
  return (
    MAY_QUOTE_PARAM.test(text) ||
    (!!known.accessKeySecret && text.includes(known.accessKeySecret)) ||
    (!!known.securityToken && text.includes(known.securityToken)) ||
    (!!known.accessKeyId && text.includes(known.accessKeyId))
  );
}

/**
 * Removes key material from a text that came from outside: the known secret and token (every spelling), the known
 * AccessKey ID masked, the value of any signing parameter, and a quoted string-to-sign cut off.
 */
export function redactSecrets(text: string, known: KnownSecrets = {}): string {
  return mayHoldKeyMaterial(text, known) ? redactEverySpelling(text, known) : text;
}

/** `redactSecrets` without the shortcut (exported for the test that checks the shortcut never skips anything). */
export function redactEverySpelling(text: string, known: KnownSecrets = {}): string {
  let out = text.replace(STRING_TO_SIGN, `$1 ${REDACTED}`);
  for (const secret of [known.accessKeySecret, known.securityToken]) {
    if (secret) {
      for (const spelling of spellings(secret)) {
        out = replaceAll(out, spelling, REDACTED);
      }
    }
  }
  if (known.accessKeyId) {
    for (const spelling of spellings(known.accessKeyId)) {
      out = replaceAll(out, spelling, maskAccessKeyId(known.accessKeyId));
    }
  }
  out = out.replace(SECRET_PARAM, (_m, name: string, value: string) => `${name}=${value ? REDACTED : ''}`);
  out = out.replace(KEY_ID_PARAM, (_m, name: string, value: string) => `${name}=${value ? maskKeyIdValue(value) : ''}`);
  return out;
}

/** `Credential=LTAI…` may be followed by a scope (`/20261130/…`); mask the ID part. */
function maskKeyIdValue(value: string): string {
  if (value.includes('****') || value === REDACTED) {
    return value;
  }
  return maskAccessKeyId(decodeSafely(value).split('/')[0]);
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(decodeURIComponent(value));
  } catch {
    return value;
  }
}

/** Cuts `text` to `max` characters (an ellipsis marks the cut) without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    end--;
  }
  return `${text.slice(0, end)}…`;
}

/** The one step for any text from outside before output: redacted, then one line without control characters. */
export function safeText(text: string, known?: KnownSecrets): string {
  return stripControl(redactSecrets(text, known));
}

/** Text from outside shown as a JSON string literal (quotes, escapes), safe for a terminal: for echoing bad input. */
export function quoteUntrusted(text: string, maxLength = 80): string {
  return showJson(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}

/** Any value from outside as bounded JSON text, safe for a terminal: for saying what a setting held instead. */
export function showJson(value: unknown, maxLength = 120): string {
  const json = JSON.stringify(value) ?? String(value);
  const cut = json.length > maxLength ? `${json.slice(0, maxLength)}…` : json;
  // JSON.stringify escapes C0 controls; the rest (C1, bidi) it leaves raw, so escape those too.
  return cut.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
