import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * An independent reader of our metrics: the official Python client's parsers (Debian's python3-prometheus-client,
 * which test/codeserver/install.mjs installs with the other test packages). `openmetrics` is
 * `prometheus_client.openmetrics.parser` (strict: rejects a bad escape, a duplicate series, a missing `# EOF`);
 * `prometheus` is `prometheus_client.parser`, the text format node_exporter's textfile collector reads.
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly unit: string;
  readonly help: string;
  readonly samples: readonly ParsedSample[];
}

export type ParseResult = { readonly families: readonly ParsedFamily[] } | { readonly error: string };

const SCRIPT = `
import json, math, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as prometheus
request = json.load(sys.stdin)
parse = openmetrics if request["format"] == "openmetrics" else prometheus
out = []
for text in request["texts"]:
    try:
        families = [{"name": f.name, "type": f.type, "unit": getattr(f, "unit", ""), "help": f.documentation,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                    for f in parse(text)]
        out.append({"families": families})
    except Exception as e:
        out.append({"error": "%s: %s" % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`;

/** Debian's interpreter first: a pyenv or venv python on PATH does not see the Debian package. */
function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Parses each text with the chosen Python parser, in one process. */
export function parseMetrics(texts: readonly string[], format: 'openmetrics' | 'prometheus'): ParseResult[] {
  const run = spawnSync(python(), ['-c', SCRIPT], { input: JSON.stringify({ format, texts }), encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) {
    const missing = /No module named 'prometheus_client'/.test(run.stderr ?? '');
    throw new Error(
      missing
        ? 'the OpenMetrics parser is missing: apt-get install -y python3-prometheus-client (node test/setup/ensure.mjs does it as root)'
        : `python3 failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}`,
    );
  }
  return JSON.parse(run.stdout) as ParseResult[];
}

/** The one text's families, or a failed assertion quoting the parser's complaint and the text. */
export function parseOne(text: string, format: 'openmetrics' | 'prometheus'): readonly ParsedFamily[] {
  const [result] = parseMetrics([text], format);
  if ('error' in result) {
    throw new Error(`the ${format} parser refused the text: ${result.error}\n${text}`);
  }
  return result.families;
}
