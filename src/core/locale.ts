import * as l10n from '@vscode/l10n';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The UI language of this process: the translated messages (@vscode/l10n, shared by the extension and the CLI) and
 * the Intl formatters for times and numbers, created once per language rather than once per call.
 */

/** Translated messages keyed by their English text, as `vscode.l10n.bundle` and `l10n/bundle.l10n.<lang>.json` hold them. */
export type MessageBundle = Readonly<Record<string, string>>;

/** The language everything is written in; other languages come from a bundle. */
export const SOURCE_LANGUAGE = 'en';

/** Languages with a bundle in `l10n/`; the CLI only looks for these. */
export const TRANSLATED_LANGUAGES: readonly string[] = ['zh-cn'];

interface ClockFormats {
  readonly day: Intl.DateTimeFormat;
  readonly time: Intl.DateTimeFormat;
}

let language = SOURCE_LANGUAGE;
let numbers: Intl.NumberFormat | undefined;
/** Keyed by time zone ('' for the machine's): the tree may show several zones in tests, one in real use. */
let clocks = new Map<string, ClockFormats>();

/**
 * Sets the UI language: VS Code's `env.language` with `vscode.l10n.bundle` in the extension, the locale variables and
 * the bundle file in the CLI. Without a bundle the words stay English, and so do the times, so a row never mixes the two.
 */
export function configureLocale(requested: string, bundle?: MessageBundle): void {
  const tag = normalizeLanguage(requested);
  const translated = bundle !== undefined && Object.keys(bundle).length > 0;
  language = translated || tag.startsWith(SOURCE_LANGUAGE) ? tag : SOURCE_LANGUAGE;
  l10n.config({ contents: translated ? { ...bundle } : {} });
  numbers = undefined;
  clocks = new Map();
}

/** The language configured last (`en` until `configureLocale` runs). */
export function currentLanguage(): string {
  return language;
}

/** `zh_CN.UTF-8` → `zh-cn`, `en_US` → `en-us`, `C`, `POSIX` or empty → `en`. */
export function normalizeLanguage(tag: string): string {
  const bare = tag.trim().split(/[.@]/)[0].replace(/_/g, '-').toLowerCase();
  if (bare === '' || bare === 'c' || bare === 'posix') {
    return SOURCE_LANGUAGE;
  }
  // Simplified Chinese under any of its usual names; zh-tw, zh-hk and zh-hant are other scripts.
  if (bare === 'zh' || bare === 'zh-hans' || bare.startsWith('zh-hans-') || bare === 'zh-sg') {
    return 'zh-cn';
  }
  return bare;
}

/** The CLI's language, as gettext picks it: the first non-empty of LC_ALL, LC_MESSAGES, LANG. */
export function languageFromEnv(env: NodeJS.ProcessEnv): string {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name]?.trim();
    if (value) {
      return normalizeLanguage(value);
    }
  }
  return SOURCE_LANGUAGE;
}

/** `l10n/bundle.l10n.<language>.json` from `dir`, or undefined when the language has none (or it cannot be read). */
export function readBundle(dir: string, lang: string): MessageBundle | undefined {
  if (!TRANSLATED_LANGUAGES.includes(lang)) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, `bundle.l10n.${lang}.json`), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return undefined;
    }
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // A missing or broken bundle is not worth failing a status check: the English words still work.
    return undefined;
  }
}

/** The CLI's whole setup: the language from the environment and its bundle from `dir`. */
export function configureLocaleFromEnv(env: NodeJS.ProcessEnv, dir: string): void {
  const lang = languageFromEnv(env);
  configureLocale(lang, readBundle(dir, lang));
}

function intlLocale(): string {
  return language === SOURCE_LANGUAGE ? 'en' : language;
}

/** `1,234` in the UI language. */
export function formatNumber(n: number): string {
  // English writes a whole number below 1,000 as its digits (with `-`): no need for Intl, which is slow per call.
  if (language.startsWith(SOURCE_LANGUAGE) && Number.isInteger(n) && n > -1000 && n < 1000 && !Object.is(n, -0)) {
    return String(n);
  }
  numbers ??= new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: 3 });
  return numbers.format(n);
}

/**
 * The day and time-of-day formatters for a zone. English keeps the ISO date order and a 24-hour clock (the forms the
 * README shows); other languages use their own conventions (zh-cn: `2024年4月30日`, 24-hour).
 */
export function clockFormats(timeZone?: string): ClockFormats {
  const key = timeZone ?? '';
  let formats = clocks.get(key);
  if (!formats) {
    const english = language.startsWith(SOURCE_LANGUAGE);
    formats = {
      day: english
        ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        : new Intl.DateTimeFormat(intlLocale(), { timeZone, year: 'numeric', month: 'long', day: 'numeric' }),
      time: new Intl.DateTimeFormat(english ? 'en-GB' : intlLocale(), {
        timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      }),
    };
    clocks.set(key, formats);
  }
  return formats;
}
