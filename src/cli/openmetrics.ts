import { HEALTH_SEVERITY, type Health } from '../core/model';
import type { Snapshot } from '../core/query';
import { stripControl } from '../core/safeText';

/**
 * The status command's metrics: `openmetrics` (the OpenMetrics 1.0 text format, health as a state set, `# EOF` last)
 * for any OpenMetrics scraper; `prometheus` (text format 0.0.4, health as a gauge) for node_exporter's textfile
 * collector, whose parser knows no state sets and would drop the whole file. The names and labels are a public
 * interface: never renamed. HELP texts are English in every locale, like `--json`.
 */
export type MetricsFormat = 'openmetrics' | 'prometheus';

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'stateset';
  /** Declared with `# UNIT` in OpenMetrics: the name ends with `_<unit>`. */
  readonly unit?: 'seconds';
  readonly samples: readonly Sample[];
}

interface Sample {
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

/** Half of a UTF-16 pair without its other half: no UTF-8 spelling, so a parser would reject the line. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A label value as both formats read it: control characters (line breaks among them) and lone surrogates gone, then
 * `\` and `"` escaped (a line break would be `\n`; none is left).
 */
export function labelValue(text: string): string {
  return stripControl(text.replace(LONE_SURROGATE, '\ufffd')).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function sampleLine(name: string, sample: Sample): string {
  const labels = sample.labels.map(([key, value]) => `${key}="${labelValue(value)}"`).join(',');
  return `${name}${labels ? `{${labels}}` : ''} ${formatValue(sample.value)}`;
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
}

/** A family's samples without a second sample for the same labels (two hostile directions may clean to one name). */
function distinct(samples: readonly Sample[]): Sample[] {
  const seen = new Set<string>();
  return samples.filter((s) => {
    const key = JSON.stringify(s.labels.map(([k, v]) => [k, labelValue(v)]));
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function families(snapshot: Snapshot): Family[] {
  const directions = snapshot.jobs
    .filter((job) => job.found)
    .flatMap((job) => job.directions.map((d) => ({ job, d, labels: [['job_id', job.jobId], ['region', job.region], ['direction', d.direction]] as const })));
  const regions = [...new Set([...snapshot.jobs.map((j) => j.region), ...snapshot.errors.map((e) => e.region)])];
  const failedRegions = new Set(snapshot.errors.map((e) => e.region));
  const healths: readonly Health[] = HEALTH_SEVERITY;
  return [
    {
      name: 'dts_sync_direction_lag_seconds',
      help: 'How far the direction lags: the server clock minus its checkpoint.',
      type: 'gauge',
      unit: 'seconds',
      samples: directions.flatMap(({ d, labels }) => (d.lagSeconds === null ? [] : [{ labels, value: d.lagSeconds }])),
    },
    {
      name: 'dts_sync_direction_checkpoint_timestamp_seconds',
      help: 'The time of the latest record the direction synchronized, in Unix seconds.',
      type: 'gauge',
      unit: 'seconds',
      samples: directions.flatMap(({ d, labels }) => (d.checkpoint === null ? [] : [{ labels, value: d.checkpoint.getTime() / 1000 }])),
    },
    {
      name: 'dts_sync_direction_health',
      help: 'The health of the direction: 1 for the current state, 0 for the others.',
      type: 'stateset',
      samples: directions.flatMap(({ d, labels }) =>
        healths.map((h) => ({ labels: [...labels, ['dts_sync_direction_health', h] as const], value: d.health === h ? 1 : 0 })),
      ),
    },
    {
      name: 'dts_sync_job_found',
      help: 'Whether DTS returned the job when asked (0: wrong ID or wrong region).',
      type: 'gauge',
      samples: snapshot.jobs.map((job) => ({ labels: [['job_id', job.jobId], ['region', job.region]] as const, value: job.found ? 1 : 0 })),
    },
    {
      name: 'dts_sync_query_success',
      help: 'Whether every status query of the region was answered (0: the other metrics of the region are missing).',
      type: 'gauge',
      samples: regions.map((region) => ({ labels: [['region', region]] as const, value: failedRegions.has(region) ? 0 : 1 })),
    },
  ];
}

/** The metrics text of a status snapshot in the given format; ends with a line break. */
export function renderMetrics(snapshot: Snapshot, format: MetricsFormat): string {
  const lines: string[] = [];
  for (const family of families(snapshot)) {
    lines.push(`# HELP ${family.name} ${family.help}`);
    lines.push(`# TYPE ${family.name} ${format === 'prometheus' && family.type === 'stateset' ? 'gauge' : family.type}`);
    if (format === 'openmetrics' && family.unit) {
      lines.push(`# UNIT ${family.name} ${family.unit}`);
    }
    lines.push(...distinct(family.samples).map((s) => sampleLine(family.name, s)));
  }
  if (format === 'openmetrics') {
    lines.push('# EOF');
  }
  return `${lines.join('\n')}\n`;
}
