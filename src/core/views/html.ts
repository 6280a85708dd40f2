import { stripControl, stripControlKeepLines } from '../safeText';

/**
 * Text into HTML or SVG markup, for the details webview: control characters gone, then the five markup characters
 * escaped, so a name like `<script>` or `" onload="…` is only ever text, in element content and quoted attributes alike.
 */

const ENTITIES: ReadonlyMap<string, string> = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
]);

function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES.get(c) ?? c);
}

/** One line of text for element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return escapeMarkup(stripControl(text));
}

/** Text that keeps its line breaks, for a `<pre>`. */
export function escapeHtmlKeepLines(text: string): string {
  return escapeMarkup(stripControlKeepLines(text));
}
