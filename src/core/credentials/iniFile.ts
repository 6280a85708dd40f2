/**
 * The credentials file of Alibaba Cloud's SDKs (`~/.alibabacloud/credentials`): INI sections of `key = value`.
 * Parsed here rather than with `ini`, which cuts a value at an inline `;` or `#` (a secret `SEC=RET;x` became
 * `SEC=RET`): a value is everything after the first `=`, and only whole lines starting with `;` or `#` are comments.
 */
export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) {
      continue;
    }
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      const name = header[1].trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) {
      current.set(line.slice(0, eq).trim(), unquote(line.slice(eq + 1).trim()));
    }
  }
  return sections;
}

/** `"value"` or `'value'` as written by hand; the quotes are not part of the value. */
function unquote(value: string): string {
  return value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]) ? value.slice(1, -1) : value;
}
