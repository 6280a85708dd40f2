import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { labelValue, renderMetrics } from '../../src/cli/openmetrics';
import { ServerError } from '../../src/core/api/errors';
import { buildJobStatus, HEALTH_SEVERITY, type JobStatus, type RawDirection } from '../../src/core/model';
import type { Snapshot } from '../../src/core/query';
import { stripControl } from '../../src/core/safeText';
import { parseMetrics, parseOne, type ParsedFamily } from './metricsParser.fixture';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number): Date => new Date(NOW.getTime() - seconds * 1000);
const job = (id: string, region: string, raw: RawDirection[] | undefined): JobStatus => buildJobStatus(id, region, raw, NOW, 300);

const snapshot: Snapshot = {
  checkedAt: NOW,
  jobs: [
    job('dtsok0000001', 'cn-hangzhou', [
      { direction: 'Forward', status: 'Synchronizing', checkpoint: ago(8) },
      { direction: 'Reverse', status: 'Synchronizing', checkpoint: ago(610) },
    ]),
    job('dtsfail00001', 'cn-hangzhou', [{ direction: 'Forward', status: 'Failed', checkpoint: null }]),
    job('dtsgone00001', 'cn-shanghai', undefined),
  ],
  errors: [{ region: 'cn-beijing', jobIds: ['dtsbj0000001'], error: new ServerError({ code: 'ServiceUnavailable', httpStatus: 503 }) }],
  notes: [],
};

function family(families: readonly ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `no family ${name} in ${families.map((f) => f.name).join(', ')}`);
  return found;
}

function value(f: ParsedFamily, labels: Record<string, string>): number | undefined {
  return f.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('--format openmetrics and prometheus', () => {
  it('writes OpenMetrics that the official parser reads: lag, checkpoint, health as a state set, found, query success', () => {
    const text = renderMetrics(snapshot, 'openmetrics');
    assert.ok(text.endsWith('# EOF\n'));
    const families = parseOne(text, 'openmetrics');
    const lag = family(families, 'dts_sync_direction_lag_seconds');
    assert.deepEqual([lag.type, lag.unit], ['gauge', 'seconds']);
    assert.equal(value(lag, { job_id: 'dtsok0000001', direction: 'Reverse', region: 'cn-hangzhou' }), 610);
    assert.equal(lag.samples.length, 2, 'a direction without a checkpoint has no lag series');
    const checkpoint = family(families, 'dts_sync_direction_checkpoint_timestamp_seconds');
    assert.deepEqual([checkpoint.type, checkpoint.unit], ['gauge', 'seconds']);
    assert.equal(value(checkpoint, { job_id: 'dtsok0000001', direction: 'Forward' }), ago(8).getTime() / 1000);
    const health = family(families, 'dts_sync_direction_health');
    assert.equal(health.type, 'stateset');
    const failed = health.samples.filter((s) => s.labels['job_id'] === 'dtsfail00001');
    assert.deepEqual(failed.map((s) => s.labels['dts_sync_direction_health']).sort(), [...HEALTH_SEVERITY].sort());
    assert.deepEqual(failed.filter((s) => s.value === 1).map((s) => s.labels['dts_sync_direction_health']), ['error']);
    assert.equal(value(health, { job_id: 'dtsok0000001', direction: 'Reverse', dts_sync_direction_health: 'warning' }), 1);
    const found = family(families, 'dts_sync_job_found');
    assert.equal(value(found, { job_id: 'dtsgone00001', region: 'cn-shanghai' }), 0);
    assert.equal(value(found, { job_id: 'dtsok0000001' }), 1);
    const success = family(families, 'dts_sync_query_success');
    assert.deepEqual(
      success.samples.map((s) => [s.labels['region'], s.value]),
      [['cn-hangzhou', 1], ['cn-shanghai', 1], ['cn-beijing', 0]],
    );
    assert.ok(families.every((f) => f.help.length > 0));
  });

  it('writes the Prometheus text format for node_exporter: health a gauge, no UNIT, no EOF', () => {
    const text = renderMetrics(snapshot, 'prometheus');
    assert.doesNotMatch(text, /^# (UNIT|EOF)/m);
    const families = parseOne(text, 'prometheus');
    assert.equal(family(families, 'dts_sync_direction_health').type, 'gauge');
    assert.equal(value(family(families, 'dts_sync_direction_lag_seconds'), { job_id: 'dtsok0000001', direction: 'Forward' }), 8);
  });

  it('writes the families with no samples when no job was answered', () => {
    const families = parseOne(renderMetrics({ checkedAt: NOW, jobs: [], errors: [], notes: [] }, 'openmetrics'), 'openmetrics');
    assert.equal(families.length, 5);
  });

  it('escapes \\, " and line breaks and drops control characters in label values', () => {
    assert.equal(labelValue('a\\b"c\nd\u001be\u202ef'), 'a\\\\b\\"c d e f');
    assert.equal(labelValue('x\ud800y'), 'x\ufffdy');
  });

  it('keeps hostile job IDs, regions and directions readable by both parsers, each label as it would be shown', () => {
    const hostile = fc.string({ unit: fc.oneof(fc.constantFrom('\\', '"', '\n', '\r', '\u0000', '\u001b', '\u2028', '\u202e', '}', '{', '=', ',', '#', ' ', '\ud800', '\udc00', '😀', '雪'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
    const samples = fc.sample(fc.tuple(hostile, hostile, hostile, hostile), 150);
    const snapshots = samples.map(([id, region, direction, status]): Snapshot => ({
      checkedAt: NOW,
      jobs: [job(id, region, [{ direction, status, checkpoint: ago(3) }, { direction: `${direction}\u0001`, status, checkpoint: ago(4) }]), job(`${id}2`, region, undefined)],
      errors: [{ region: `${region}\u0000`, jobIds: [id], error: new ServerError({ code: 'InternalError', httpStatus: 500 }) }],
      notes: [],
    }));
    for (const format of ['openmetrics', 'prometheus'] as const) {
      const results = parseMetrics(snapshots.map((s) => renderMetrics(s, format)), format);
      results.forEach((result, i) => {
        assert.ok(!('error' in result), `${format} refused sample ${JSON.stringify(samples[i])}: ${'error' in result ? result.error : ''}\n${renderMetrics(snapshots[i], format)}`);
        const [id, region] = samples[i];
        const shown = (text: string): string => stripControl(text.replace(LONE_SURROGATE, '\ufffd'));
        const found = family(result.families, 'dts_sync_job_found');
        assert.ok(found.samples.some((s) => s.labels['job_id'] === shown(id) && s.labels['region'] === shown(region)), `job ${JSON.stringify(id)} not found as ${JSON.stringify(shown(id))}`);
      });
    }
  });
});
