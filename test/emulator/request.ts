import type { IncomingHttpHeaders } from 'node:http';
import { invalidParameter } from './errors';

/** One API request as it came over the wire, before anything is trusted. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** The URL's query alone: what V3 puts in its canonical query string (a form body is covered by its hash instead). */
  readonly query: Readonly<Record<string, string>>;
  /** Query parameters, plus the fields of a form body: everything RPC reads and V2 signs. */
  readonly params: Readonly<Record<string, string>>;
  /** Lowercase names; repeated headers joined by ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * Splits on `&` and `=` and percent-decodes, leaving `+` alone: Alibaba Cloud encodes a space as `%20`, so a `+`
 * is a plus (URLSearchParams would turn it into a space and break signatures over STS tokens).
 */
export function parseParams(raw: string, into: Record<string, string> = Object.create(null)): Record<string, string> {
  for (const pair of raw.split('&')) {
    if (pair === '') {
      continue;
    }
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    try {
      into[decodeURIComponent(name)] = decodeURIComponent(value);
    } catch {
      throw invalidParameter(name, 'it is not well-formed percent-encoding.');
    }
  }
  return into;
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return flat;
}

/** Builds the request from the raw URL, so the query is parsed exactly as sent. */
export function toApiRequest(method: string, rawUrl: string, headers: IncomingHttpHeaders, body: Buffer): ApiRequest {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const query = parseParams(rawQuery);
  // Parsed again rather than copied, so form fields added to `params` can never show up in `query`.
  const params = parseParams(rawQuery);
  const flat = flattenHeaders(headers);
  if (/^application\/x-www-form-urlencoded/i.test(flat['content-type'] ?? '')) {
    parseParams(body.toString('utf8'), params);
  }
  return { method: method.toUpperCase(), path, query, params, headers: flat, body };
}
