/**
 * What every output of the hostile suite is checked for, whatever the mode: no key material (in any spelling a
 * gateway or URL may hold it, nor a long enough piece of it), and no control character.
 */
import type { SeenRequest } from './server';

/** STS credentials: the token holds `+ / =`, so its percent-encoded spellings differ from the raw one. */
export const STS = {
  accessKeyId: 'STS.NHostileKey0002',
  accessKeySecret: 'hostile-Secret-Hm4r9tB2nC0002',
  securityToken: 'CAIS+hostile/StsTok3n=Zq8w+3xK7pV/Lm9Nb2Vc4Xz6As8Df0Gh1Jk3Lq5We7Rt9Yu1Io3Pa5Sd7Fg9Hj+Kl2Mn4Bv6Cx8==0002',
} as const;
/** How the AccessKey ID may be shown (`LTAI****abcd`). */
export const MASKED_ACCESS_KEY_ID = 'STS.****0002';

/** A value that must not appear; with `window`, no piece of that many characters of it may appear either. */
export interface Material {
  readonly label: string;
  readonly value: string;
  readonly window?: number;
}

/** Every spelling a value may take in a URL, a header or a quoted V2 string-to-sign. */
export function spellings(value: string): string[] {
  const alibaba = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const once = alibaba(value);
  return [...new Set([value, once, alibaba(once), encodeURIComponent(value), encodeURIComponent(encodeURIComponent(value))])];
}

/** The key material of the static credentials plus whatever signatures the client actually sent. */
export function keyMaterial(requests: readonly SeenRequest[] = []): Material[] {
  const material: Material[] = [
    { label: 'AccessKey secret', value: STS.accessKeySecret, window: 12 },
    { label: 'STS token', value: STS.securityToken, window: 16 },
    { label: 'full AccessKey ID', value: STS.accessKeyId },
    { label: 'unmasked part of the AccessKey ID', value: STS.accessKeyId.slice(4, -4) },
  ];
  const signatures = new Set<string>();
  for (const r of requests) {
    if (r.signature) {
      signatures.add(r.signature);
    }
    if (r.securityToken && r.securityToken !== STS.securityToken) {
      material.push({ label: 'security token as sent', value: r.securityToken, window: 16 });
    }
  }
  for (const s of signatures) {
    material.push({ label: `request signature ${s.slice(0, 6)}…`, value: s, window: 16 });
  }
  return material;
}

function around(text: string, index: number, length: number): string {
  return JSON.stringify(text.slice(Math.max(0, index - 40), index + length + 40));
}

/** One line per leak found: what leaked, in which spelling, and where. Empty when the text is clean. */
export function findLeaks(text: string, material: readonly Material[]): string[] {
  const found: string[] = [];
  for (const m of material) {
    let hit: string | undefined;
    for (const spelling of spellings(m.value)) {
      const w = m.window === undefined ? spelling.length : Math.min(m.window, spelling.length);
      for (let i = 0; i + w <= spelling.length && hit === undefined; i++) {
        const piece = spelling.slice(i, i + w);
        const at = text.indexOf(piece);
        if (at !== -1) {
          hit = `${m.label} leaked (${piece === m.value ? 'whole' : `piece ${JSON.stringify(piece)}`}) in ${around(text, at, piece.length)}`;
        }
      }
      if (hit !== undefined) {
        break;
      }
    }
    if (hit !== undefined) {
      found.push(hit);
    }
  }
  return found;
}

/**
 * C0 controls (tab included), DEL, C1 controls, and the invisible characters that reorder or split lines: bidi
 * marks, overrides and isolates, zero-width characters, line/paragraph separators, BOM.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One line per control character found (newline allowed only when asked), with its code point and context. */
export function findControls(text: string, allowNewline: boolean): string[] {
  const found: string[] = [];
  const pattern = allowNewline ? CONTROL : new RegExp(`${CONTROL.source}|\\n`, 'g');
  for (const m of text.matchAll(pattern)) {
    found.push(`U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at ${m.index} in ${around(text, m.index ?? 0, 1)}`);
    if (found.length >= 5) {
      found.push('…');
      break;
    }
  }
  return found;
}

/** Every string inside a parsed JSON value, with its path. */
export function jsonStrings(value: unknown, path = '$'): { path: string; text: string }[] {
  if (typeof value === 'string') {
    return [{ path, text: value }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => jsonStrings(v, `${path}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [{ path: `${path} key`, text: k }, ...jsonStrings(v, `${path}.${k}`)]);
  }
  return [];
}
